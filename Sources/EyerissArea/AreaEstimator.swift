import EyerissTooling
import EyerissConfig
import EyerissRTL
import Foundation
import HDL
import Logging

/// Area estimates of generated accelerators: generates the RTL of a configuration, synthesizes
/// each module once with Yosys (in parallel, cached), and prices the result with an
/// `AreaModel`.
///
/// Two caches, both under `<cacheRoot>/area/`, written atomically:
/// - `module-<key>.json`, one per module, keyed by the module's Verilog (comments dropped, so
///   the configuration hash in the header does not count), its children's keys, the Yosys
///   version and the script. A sweep over the array size re-synthesizes only the modules the
///   array size changes.
/// - `config-<configHash>-<rtlHash>.json`: every module's synthesis for one configuration, so
///   a second run of a configuration reads one file.
///
/// The area model is applied after the cache, so changing the node or a weight never reruns
/// Yosys.
public struct AreaEstimator {
    public var model: AreaModel
    public var cacheRoot: URL
    /// Yosys processes at once.
    public var jobs: Int
    public var logger: Logger

    public init(model: AreaModel = AreaModel(), cacheRoot: URL = AreaEstimator.defaultCacheRoot(),
                jobs: Int = ProcessInfo.processInfo.activeProcessorCount, logger: Logger = Logger(label: "eyeriss.area")) {
        self.model = model
        self.cacheRoot = cacheRoot
        self.jobs = max(1, jobs)
        self.logger = logger
    }

    /// `$EYERISS_CACHE_DIR`, else `$XDG_CACHE_HOME/eyeriss-swift`, else `~/.cache/eyeriss-swift`
    /// (the same root the Verilator builds use).
    public static func defaultCacheRoot() -> URL { eyerissCacheRoot() }

    /// The area of the accelerator `config` generates.
    public func estimate(_ config: ValidConfig) throws -> AreaReport {
        let design = try AcceleratorGenerator.generate(config)
        let sources = Self.sources(of: design)
        let syntheses = try synthesize(sources, configHash: config.raw.hashHex)
        return try AreaReport.build(top: AcceleratorGenerator.top, syntheses: syntheses.modules, model: model,
                                    configHash: config.raw.hashHex, rtlHash: syntheses.rtlHash)
    }

    /// Every module of a design with the modules it instantiates.
    public static func sources(of design: Design) -> [ModuleSource] {
        let texts = Dictionary(uniqueKeysWithValues: design.render().map { ($0.file, $0.text) })
        return design.modules.map { m in
            var children: [String] = []
            for (_, block) in m.blocks {
                if case .instance(let i) = block, !children.contains(i.module) { children.append(i.module) }
            }
            return ModuleSource(name: m.name, text: texts["\(m.name).sv"]!, children: children)
        }
    }

    /// Synthesis results of `sources` by module name, from the caches or from Yosys.
    public func synthesize(_ sources: [ModuleSource], configHash: String) throws
        -> (modules: [String: ModuleSynthesis], rtlHash: String) {
        let yosys = try YosysRunner.find()
        let keys = Self.cacheKeys(sources, yosysVersion: yosys.version)
        let rtlHash = fnv1a64Hex(sources.map { keys[$0.name]! }.joined(separator: " "))
        let dir = cacheRoot.appendingPathComponent("area")
        let configFile = dir.appendingPathComponent("config-\(configHash)-\(rtlHash).json")
        if let cached = try? JSONDecoder().decode([ModuleSynthesis].self, from: Data(contentsOf: configFile)),
           Set(cached.map(\.module)) == Set(sources.map(\.name)) {
            logger.info("area: configuration \(configHash) cached in \(configFile.path)")
            return (Dictionary(uniqueKeysWithValues: cached.map { ($0.module, $0) }), rtlHash)
        }

        var results: [String: ModuleSynthesis] = [:]
        var todo: [ModuleSource] = []
        for s in sources {
            let file = dir.appendingPathComponent("module-\(keys[s.name]!).json")
            if let cached = try? JSONDecoder().decode(ModuleSynthesis.self, from: Data(contentsOf: file)),
               cached.module == s.name {
                results[s.name] = cached
            } else {
                todo.append(s)
            }
        }
        if !todo.isEmpty {
            // Largest first, so the long top-level run starts at once and the rest fill in beside it.
            todo.sort { $0.text.utf8.count > $1.text.utf8.count }
            logger.info("area: synthesizing \(todo.count) of \(sources.count) modules with \(yosys.version), \(min(jobs, todo.count)) at a time")
            let library = Dictionary(uniqueKeysWithValues: sources.map { ($0.name, $0.text) })
            let done = try Self.parallelMap(todo, jobs: jobs) { source -> ModuleSynthesis in
                let start = Date()
                let result = try yosys.synthesize(source, library: library)
                logger.info("area: \(source.name) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
                return result
            }
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (source, result) in zip(todo, done) {
                results[source.name] = result
                try writeJSONAtomically(result, to: dir.appendingPathComponent("module-\(keys[source.name]!).json"))
            }
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try writeJSONAtomically(sources.map { results[$0.name]! }, to: configFile)
        return (results, rtlHash)
    }

    /// A key per module: its Verilog without comments, its children's keys, the tool and script.
    static func cacheKeys(_ sources: [ModuleSource], yosysVersion: String) -> [String: String] {
        let byName = Dictionary(uniqueKeysWithValues: sources.map { ($0.name, $0) })
        var keys: [String: String] = [:]
        func key(_ name: String) -> String {
            if let k = keys[name] { return k }
            guard let s = byName[name] else { return "missing:\(name)" }
            let code = s.text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
                .joined(separator: "\n")
            let k = fnv1a64Hex([yosysVersion, YosysRunner.script, code, s.children.map(key).joined(separator: ",")]
                .joined(separator: "\u{1}"))
            keys[name] = k
            return k
        }
        for s in sources { _ = key(s.name) }
        return keys
    }

    /// `transform` on every element, `jobs` at a time, results in input order; the first
    /// error is thrown once all have finished.
    static func parallelMap<T, R>(_ items: [T], jobs: Int, _ transform: @escaping (T) throws -> R) throws -> [R] {
        let lock = NSLock()
        var next = 0
        var results = [Result<R, Error>?](repeating: nil, count: items.count)
        DispatchQueue.concurrentPerform(iterations: min(jobs, items.count)) { _ in
            while true {
                lock.lock()
                let i = next
                next += 1
                lock.unlock()
                guard i < items.count else { return }
                let r = Result { try transform(items[i]) }
                lock.lock()
                results[i] = r
                lock.unlock()
            }
        }
        return try results.map { try $0!.get() }
    }
}

/// Encodes `value` as JSON and writes it through a temporary file and a rename.
func writeJSONAtomically<T: Encodable>(_ value: T, to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let text = String(decoding: try encoder.encode(value), as: UTF8.self)
    try writeAtomically(text, to: url)
}
