import EyerissTooling
import EyerissConfig
import Foundation

/// What Yosys left of one module: gate-level cells by type, memories kept as memories, and
/// the submodules it instantiates. Independent of the area model, so it is what the cache keeps.
public struct ModuleSynthesis: Codable, Equatable, Sendable {
    public var module: String
    /// Yosys gate-level cell type (`$_NAND_`, `$_SDFFE_PN0P_`) to count.
    public var cells: [String: Int]
    /// Submodule name to instance count.
    public var instances: [String: Int]
    /// Every `$mem_v2`, in natural name order.
    public var memories: [MemoryShape]

    public init(module: String, cells: [String: Int], instances: [String: Int], memories: [MemoryShape]) {
        self.module = module
        self.cells = cells
        self.instances = instances
        self.memories = memories
    }
}

/// A module's Verilog and the modules it instantiates (read as black boxes).
public struct ModuleSource: Sendable {
    public var name: String
    public var text: String
    public var children: [String]

    public init(name: String, text: String, children: [String]) {
        self.name = name
        self.text = text
        self.children = children
    }
}

/// Runs Yosys on one module at a time, with its submodules as black boxes and its memories
/// kept as `$mem_v2` cells, and maps the logic to simple gates with ABC.
///
/// Never a flat `synth` of `eyeriss_top`: mapping the buffer's memories to flip-flops takes
/// tens of minutes and gigabytes, and the array's identical PEs would be synthesized once
/// each. Here each module is synthesized once and its instances are counted.
public struct YosysRunner: Sendable {
    public let yosys: String
    /// `yosys -V`, part of every cache key.
    public let version: String

    /// The synthesis script after reading the sources; `{top}` is the module. `-mux_undef`
    /// drops the undefined arms `proc` gives a memory's write data and address when its enable
    /// is off, which would otherwise become an AND per bit of every write port. ABC's script is
    /// its default one without `&fraig -x` and `scorr`, which take many minutes on the PE's
    /// multiplier and change the count by a few percent at most.
    public static let script = """
        hierarchy -top {top}
        proc
        opt -mux_undef
        memory -nomap
        opt -mux_undef
        techmap
        opt -fast
        abc -g AND,NAND,OR,NOR,XOR,XNOR,ANDNOT,ORNOT,MUX,AOI3,OAI3,AOI4,OAI4 -script +strash;dc2;&get,-n;&dch,-f;&nf;&put
        opt_clean
        tee -q -o stat.json stat -json
        tee -q -o memories.il dump t:$mem_v2
        """

    public init(yosys: String, version: String) {
        self.yosys = yosys
        self.version = version
    }

    /// Finds `yosys` on PATH.
    public static func find() throws -> YosysRunner {
        guard let path = which("yosys") else { throw AreaError.toolMissing("yosys") }
        let version = try captureOutput(path, ["-V"]).trimmingCharacters(in: .whitespacesAndNewlines)
        return YosysRunner(yosys: path, version: version)
    }

    /// Synthesizes `source` in a scratch folder; `library` supplies its children's Verilog.
    public func synthesize(_ source: ModuleSource, library: [String: String]) throws -> ModuleSynthesis {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("eyeriss-area-\(source.name)-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        var lines = ["read_verilog -sv \(source.name).sv"]
        try Data(source.text.utf8).write(to: dir.appendingPathComponent("\(source.name).sv"))
        for child in source.children {
            guard let text = library[child] else { throw AreaError.missingModule(child) }
            try Data(text.utf8).write(to: dir.appendingPathComponent("\(child).sv"))
            lines.append("read_verilog -sv -lib \(child).sv")
        }
        lines.append(Self.script.replacingOccurrences(of: "{top}", with: source.name))
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("area.ys"))

        let log = dir.appendingPathComponent("yosys.log")
        guard fm.createFile(atPath: log.path, contents: nil) else {
            throw AreaError.yosysFailed(module: source.name, log: "cannot create its log file \(log.path)")
        }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: yosys)
        process.arguments = ["-q", "-s", "area.ys"]
        process.currentDirectoryURL = dir
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(30).joined(separator: "\n")
            throw AreaError.yosysFailed(module: source.name, log: tail)
        }
        let stat = try Data(contentsOf: dir.appendingPathComponent("stat.json"))
        let dump = try String(contentsOf: dir.appendingPathComponent("memories.il"), encoding: .utf8)
        return try Self.parse(module: source.name, statJSON: stat, memoryDump: dump)
    }

    /// Reads `stat -json` and `dump t:$mem_v2`: gate cells, submodule instances and memories.
    public static func parse(module: String, statJSON: Data, memoryDump: String) throws -> ModuleSynthesis {
        struct Stat: Decodable {
            struct Module: Decodable {
                let num_cells_by_type: [String: Int]?
            }
            let modules: [String: Module]
        }
        let stat: Stat
        do { stat = try JSONDecoder().decode(Stat.self, from: statJSON) } catch {
            throw AreaError.unreadableStatistics(module: module, reason: "\(error)")
        }
        guard let counts = (stat.modules["\\" + module] ?? stat.modules[module]) else {
            throw AreaError.unreadableStatistics(module: module, reason: "no statistics for the module")
        }
        var cells: [String: Int] = [:], instances: [String: Int] = [:]
        for (type, count) in counts.num_cells_by_type ?? [:] {
            if type == "$mem_v2" || type == "$mem" { continue }
            if type.hasPrefix("$") {
                cells[type] = count
            } else {
                instances[type.hasPrefix("\\") ? String(type.dropFirst()) : type] = count
            }
        }
        let memories = try parseMemories(memoryDump, module: module)
        let expected = counts.num_cells_by_type?["$mem_v2"] ?? 0
        guard memories.count == expected else {
            throw AreaError.unreadableStatistics(
                module: module, reason: "stat counts \(expected) memories, the dump has \(memories.count)")
        }
        return ModuleSynthesis(module: module, cells: cells, instances: instances, memories: memories)
    }

    /// The `$mem_v2` cells of an RTLIL dump: `cell $mem_v2 \name`, then `parameter \SIZE 224` ...
    static func parseMemories(_ dump: String, module: String) throws -> [MemoryShape] {
        var result: [MemoryShape] = []
        var name: String?
        var params: [String: Int] = [:]
        func finish() throws {
            guard let n = name else { return }
            guard let width = params["WIDTH"], let depth = params["SIZE"],
                  let rd = params["RD_PORTS"], let wr = params["WR_PORTS"] else {
                throw AreaError.unreadableStatistics(module: module, reason: "memory \(n) lacks WIDTH, SIZE or port counts")
            }
            result.append(MemoryShape(name: n, width: width, depth: depth, readPorts: rd, writePorts: wr))
            name = nil
            params = [:]
        }
        for raw in dump.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("cell $mem_v2 ") {
                try finish()
                var n = String(line.dropFirst("cell $mem_v2 ".count))
                if n.hasPrefix("\\") { n.removeFirst() }
                name = n
            } else if name != nil, line.hasPrefix("parameter \\") {
                let fields = line.dropFirst("parameter \\".count).split(separator: " ", maxSplits: 1)
                if fields.count == 2, let value = Int(fields[1]) { params[String(fields[0])] = value }
            } else if name != nil, line == "end" {
                try finish()
            }
        }
        try finish()
        // Natural order: glb_b2 before glb_b10.
        return result.sorted { $0.name.compare($1.name, options: .numeric) == .orderedAscending }
    }
}


