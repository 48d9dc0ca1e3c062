import EyerissConfig
import EyerissTooling
import Foundation
import HDL
import Logging

/// Waveform tracing is its own build variant: a model built for tracing is slower even when no
/// file is open, so ordinary runs never pay for it.
public enum TraceKind: String, Sendable, CaseIterable {
    case none, vcd, fst

    /// The variant a trace file's extension asks for.
    public static func forFile(_ path: String?) throws -> TraceKind {
        guard let path else { return .none }
        if path.hasSuffix(".vcd") { return .vcd }
        if path.hasSuffix(".fst") { return .fst }
        throw CosimError.badArgument("trace file \(path) must end in .vcd or .fst")
    }
}

/// Errors of the co-simulation layer, each saying what to do about it.
public enum CosimError: Error, CustomStringConvertible {
    case toolMissing(String)
    case toolFailed(command: String, log: String)
    case loadFailed(String)
    case badArgument(String)
    case simulation(String)
    case mismatch(String)

    public var description: String {
        switch self {
        case let .toolMissing(tool):
            return "\(tool) not found on PATH: install it (apt-get install verilator libsystemc-dev yosys) or run scripts/setup.sh"
        case let .toolFailed(command, log): return "command failed: \(command)\n\(log)"
        case let .loadFailed(why): return "cannot load the co-simulation library: \(why)"
        case let .badArgument(why): return why
        case let .simulation(why): return "simulation failed: \(why)"
        case let .mismatch(why): return "mismatch: \(why)"
        }
    }
}

/// Everything that decides what a shim library contains. Its hash names the cache folder, so
/// a second run with the same RTL, shim sources, flags and tools reuses the build.
public struct BuildRecipe: Sendable {
    public let top: String
    public let shimSource: String
    public let trace: TraceKind
    public let threads: Int

    public init(top: String, shimSource: String, trace: TraceKind = .none, threads: Int = 1) {
        self.top = top
        self.shimSource = shimSource
        self.trace = trace
        self.threads = threads
    }

    /// Verilator flags, one per line with why. The only place they are written down.
    public var verilatorFlags: [String] {
        var flags = [
            "--cc",                          // a C++ model, linked into our own shim
            "-O3",                           // full Verilator optimisation
            "--x-assign", "fast",            // X assignments may take any value: fastest code
            "--x-initial", "unique",         // unreset state is random from the seed (randReset(2))
            "--assert",                      // the RTL's assertions (FIFOs, protocols, counters) in every run
            "-Wno-fatal",                    // lint is its own test; warnings must not block a build
            "--prefix", "Vmodel",            // fixed class name, so one shim serves any config
            "--top-module", top,
            // PIC: the model goes into a shared library. Verilator's makefile puts OPT_FAST=-Os
            // after these flags, so the per-cycle code stays at -Os: on the 12 x 14 top, -O2
            // there measured 24 % more CPU time per simulated cycle (icache), and with the PEs
            // sharing one copy of code it was still no faster and compiled 4x longer.
            "-CFLAGS", "-fPIC -O2",
        ]
        if threads > 1 { flags += ["--threads", "\(threads)"] }
        switch trace {
        case .none: break
        case .vcd: flags += ["--trace"]
        case .fst: flags += ["--trace-fst"]
        }
        return flags
    }

    var traceDefines: [String] {
        switch trace {
        case .none: return ["-DVM_TRACE=0"]
        case .vcd: return ["-DVM_TRACE=1", "-DVM_TRACE_FST=0"]
        case .fst: return ["-DVM_TRACE=1", "-DVM_TRACE_FST=1"]
        }
    }
}

/// Builds (or finds in the cache) the shared library of a shim around a generated design.
///
/// Verilator 5.006 from Debian leaves libverilated.a empty unless it links an executable, so
/// verilated.cpp and friends are compiled here, once per Verilator version and trace variant,
/// into a runtime folder of the cache that every configuration shares.
public struct VerilatorBuilder {
    public let cacheRoot: URL
    let logger: Logger

    public init(cacheRoot: URL = VerilatorBuilder.defaultCacheRoot(), logger: Logger = Logger(label: "eyeriss.build")) {
        self.cacheRoot = cacheRoot
        self.logger = logger
    }

    /// `$EYERISS_CACHE_DIR`, else `$XDG_CACHE_HOME/eyeriss-swift`, else `~/.cache/eyeriss-swift`.
    public static func defaultCacheRoot() -> URL { eyerissCacheRoot() }

    /// Returns the path of the shim library for `design`, building it if the cache lacks it.
    public func build(design: Design, config: ValidConfig, recipe: BuildRecipe) throws -> URL {
        let tools = try Toolchain.find()
        let sources = try CosimSources.locate()
        guard FileManager.default.fileExists(atPath: sources.file(recipe.shimSource).path) else {
            throw CosimError.loadFailed("no shim source \(recipe.shimSource) in \(sources.root.path)")
        }
        let params = ShimParams.header(config, design: design)
        var keyText = [tools.verilatorVersion, tools.compilerVersion, recipe.verilatorFlags.joined(separator: " "),
                       recipe.traceDefines.joined(separator: " "), recipe.shimSource, params]
        // Every shim source and header: a change to any of them (the shared header too) rebuilds.
        keyText += try sources.allFiles().map { "\($0.lastPathComponent)\n" + (try String(contentsOf: $0, encoding: .utf8)) }
        for (file, text) in design.render() { keyText += [file, text] }
        let key = fnv1a64Hex(keyText.joined(separator: "\u{0}"))
        let name = "lib\(recipe.shimSource.replacingOccurrences(of: ".cpp", with: "")).so"
        let final = cacheRoot.appendingPathComponent("\(recipe.top)-\(key)")
        let lib = final.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: lib.path) {
            logger.debug("reusing \(lib.path)")
            return lib
        }
        let runtime = try buildRuntime(tools: tools, recipe: recipe, sources: sources)

        // Build in a private folder and rename it into place at the end: a half-finished build
        // is never found by a later run.
        let fm = FileManager.default
        try fm.createDirectory(at: cacheRoot, withIntermediateDirectories: true)
        let work = cacheRoot.appendingPathComponent(".tmp-\(recipe.top)-\(key)-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: work)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }
        let rtlDir = work.appendingPathComponent("rtl")
        try design.write(to: rtlDir)
        try writeAtomically(params, to: work.appendingPathComponent("eyeriss_params.h"))
        let obj = work.appendingPathComponent("obj")
        let svFiles = design.render().map { rtlDir.appendingPathComponent($0.file).path }
        logger.info("verilating \(recipe.top) (\(design.modules.count) modules) in \(work.path)")
        try run(tools.verilator, recipe.verilatorFlags + ["-Mdir", obj.path] + svFiles, log: work)
        try run(tools.make, ["-s", "-C", obj.path, "-f", "Vmodel.mk", "-j", "2", "Vmodel__ALL.a"], log: work)
        logger.info("compiling the shim \(recipe.shimSource)")
        var args = ["-std=c++17", "-O2", "-fPIC", "-shared", "-o", work.appendingPathComponent(name).path,
                    "-I", obj.path, "-I", work.path, "-I", sources.root.path,
                    "-I", tools.include, "-I", tools.include + "/vltstd"] + recipe.traceDefines
        if recipe.threads > 1 { args += ["-DVM_THREADS=1"] }
        args += [sources.file(recipe.shimSource).path, obj.appendingPathComponent("Vmodel__ALL.a").path]
        args += runtime.objects.map(\.path)
        args += ["-pthread", "-latomic"]
        if recipe.trace == .fst { args += ["-lz"] }
        try run(tools.compiler, args, log: work)
        try? fm.removeItem(at: obj.appendingPathComponent("Vmodel__ALL.a"))
        if rename(work.path, final.path) != 0 {
            // Another process finished the same build first: use its result.
            guard fm.fileExists(atPath: lib.path) else {
                throw CosimError.loadFailed("cannot move the build into \(final.path): \(String(cString: strerror(errno)))")
            }
        }
        return lib
    }

    struct Runtime { let objects: [URL] }

    /// verilated.cpp and its companions, compiled once per Verilator version and variant.
    func buildRuntime(tools: Toolchain, recipe: BuildRecipe, sources cosim: CosimSources) throws -> Runtime {
        var sources = ["verilated.cpp", "verilated_threads.cpp"]
        switch recipe.trace {
        case .none: break
        case .vcd: sources.append("verilated_vcd_c.cpp")
        case .fst: sources.append("verilated_fst_c.cpp")
        }
        // Verilator's messages (failed assertions) go to the shim's eyeriss_vl_printf, not stdout.
        let printHeader = cosim.file("eyeriss_vl_print.h")
        let printFlags = ["-DVL_PRINTF=eyeriss_vl_printf", "-include", printHeader.path]
        let flags = ["-std=c++17", "-O2", "-fPIC", "-I", tools.include, "-I", tools.include + "/vltstd"] + recipe.traceDefines
        let printText = (try? String(contentsOf: printHeader, encoding: .utf8)) ?? ""
        let key = fnv1a64Hex(([tools.verilatorVersion, tools.compilerVersion] + flags + [printFlags[0], printText] + sources)
            .joined(separator: " "))
        let dir = cacheRoot.appendingPathComponent("runtime-\(recipe.trace.rawValue)-\(key)")
        let objects = sources.map { dir.appendingPathComponent($0.replacingOccurrences(of: ".cpp", with: ".o")) }
        if objects.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) { return Runtime(objects: objects) }
        let fm = FileManager.default
        let work = cacheRoot.appendingPathComponent(".tmp-runtime-\(key)-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: work)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }
        logger.info("compiling the Verilator runtime (\(recipe.trace.rawValue) variant), once per machine")
        for src in sources {
            let out = work.appendingPathComponent(src.replacingOccurrences(of: ".cpp", with: ".o"))
            try run(tools.compiler, flags + printFlags + ["-c", tools.include + "/" + src, "-o", out.path], log: work)
        }
        if rename(work.path, dir.path) != 0, !objects.allSatisfy({ fm.fileExists(atPath: $0.path) }) {
            throw CosimError.loadFailed("cannot move the runtime build into \(dir.path)")
        }
        return Runtime(objects: objects)
    }

    /// Runs a tool; on failure the error carries the command and the end of its output.
    func run(_ tool: String, _ args: [String], log dir: URL) throws {
        let logURL = dir.appendingPathComponent("build.log")
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: logURL)
        handle.seekToEndOfFile()
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = args
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n")
            throw CosimError.toolFailed(command: ([tool] + args).joined(separator: " "), log: tail)
        }
    }
}

/// The external tools a build needs, found on PATH once per build.
struct Toolchain {
    let verilator: String
    let compiler: String
    let make: String
    let include: String
    let verilatorVersion: String
    let compilerVersion: String

    static func find() throws -> Toolchain {
        guard let verilator = which("verilator") else { throw CosimError.toolMissing("verilator") }
        guard let compiler = which("g++") ?? which("c++") else { throw CosimError.toolMissing("g++") }
        guard let make = which("make") else { throw CosimError.toolMissing("make") }
        let version = try captureOutput(verilator, ["--version"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let root = try captureOutput(verilator, ["--getenv", "VERILATOR_ROOT"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let ccVersion = try captureOutput(compiler, ["--version"]).split(separator: "\n").first.map(String.init) ?? ""
        return Toolchain(verilator: verilator, compiler: compiler, make: make, include: root + "/include",
                         verilatorVersion: version, compilerVersion: ccVersion)
    }
}

/// Where the C/C++ shim sources live: `cosim/` at the top of the repository, or
/// `$EYERISS_COSIM_DIR`.
public struct CosimSources {
    public let root: URL

    public static func locate() throws -> CosimSources {
        if let dir = ProcessInfo.processInfo.environment["EYERISS_COSIM_DIR"], !dir.isEmpty {
            return CosimSources(root: URL(fileURLWithPath: dir))
        }
        // This file is Sources/EyerissCosim/VerilatorBuild.swift in the repository.
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let dir = repo.appendingPathComponent("cosim")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("eyeriss_pe_shim.cpp").path) else {
            throw CosimError.loadFailed("cosim sources not found at \(dir.path); set EYERISS_COSIM_DIR to the repository's cosim/ folder")
        }
        return CosimSources(root: dir)
    }

    public func file(_ name: String) -> URL { root.appendingPathComponent(name) }

    /// The C/C++ sources and headers of the folder, in name order.
    func allFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: root.path)
            .filter { $0.hasSuffix(".h") || $0.hasSuffix(".cpp") }
            .sorted()
            .map { root.appendingPathComponent($0) }
    }
}
