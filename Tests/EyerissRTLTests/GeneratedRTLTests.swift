import EyerissConfig
import EyerissRTL
import Foundation
import HDL
import XCTest

/// The generated Verilog: committed copy up to date, lint-clean, synthesizable without latches.
final class GeneratedRTLTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Configurations every test covers: the chip, a small test array, and odd widths.
    static let configs: [(String, [String])] = [
        ("default", []),
        ("3x4", ["array.rows=3", "array.columns=4"]),
        ("narrow", ["fixedPoint.dataBits=8", "fixedPoint.psumBits=8", "rlc.levelBits=8", "noc.ifmapBusBits=8",
                    "pe.fifoDepth=2", "pe.filterSpadWords=17", "pe.ifmapSpadWords=5", "pe.psumSpadWords=3",
                    "counters.bits=20", "array.rows=2", "array.columns=3"]),
        ("6x7-wide-lines", ["array.rows=6", "array.columns=7", "dram.busBits=128", "globalBuffer.bankBits=128",
                            "globalBuffer.fmapBanks=5", "globalBuffer.bankWords=64"]),
    ]

    static func design(_ overrides: [String]) throws -> Design {
        try AcceleratorGenerator.generate(ConfigLoader.load(file: nil, overrides: overrides).validated())
    }

    func testCommittedRTLMatchesTheGenerator() throws {
        let rtl = Self.repo.appendingPathComponent("rtl")
        let files = try Self.design([]).render()
        for (file, text) in files {
            let committed = try? String(contentsOf: rtl.appendingPathComponent(file), encoding: .utf8)
            XCTAssertEqual(committed, text, "rtl/\(file) differs from the generator's output: run `eyeriss generate --out rtl`")
        }
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: rtl.path).filter { $0.hasSuffix(".sv") }.sorted()
        XCTAssertEqual(onDisk, files.map(\.file).sorted(), "rtl/ holds files the generator no longer emits")
    }

    func testGenerationIsDeterministic() throws {
        let a = try Self.design([]).render()
        let b = try Self.design([]).render()
        XCTAssertEqual(a.map(\.text), b.map(\.text))
        for (file, text) in a {
            XCTAssertTrue(text.hasPrefix("// "), "\(file) opens with its header")
            XCTAssertTrue(text.contains("Configuration hash: \(AcceleratorConfig().hashHex)"), "\(file) names its configuration")
            XCTAssertEqual(text.components(separatedBy: "\nmodule ").count, 2, "\(file) holds exactly one module")
        }
    }

    func testEveryModuleLintsCleanWithWall() throws {
        let verilator = try XCTUnwrap(which("verilator"), "verilator is not installed: run scripts/setup.sh")
        for (name, overrides) in Self.configs {
            let dir = try temporaryDirectory("lint-\(name)")
            let design = try Self.design(overrides)
            try design.write(to: dir)
            for module in design.modules {
                let files = design.render().map { dir.appendingPathComponent($0.file).path }
                let (status, output) = try runTool(verilator, ["--lint-only", "-Wall", "--top-module", module.name] + files)
                XCTAssertEqual(status, 0, "config \(name), module \(module.name):\n\(output)")
                XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "", "config \(name), module \(module.name) warns")
            }
        }
    }

    func testYosysSynthesizesWithoutLatchesAndKeepsScratchpadsAsMemories() throws {
        let yosys = try XCTUnwrap(which("yosys"), "yosys is not installed: run scripts/setup.sh")
        for (name, overrides) in Self.configs.prefix(2) {
            let dir = try temporaryDirectory("synth-\(name)")
            let design = try Self.design(overrides)
            try design.write(to: dir)
            let files = design.render().map { dir.appendingPathComponent($0.file).path }.joined(separator: " ")
            let script = "read_verilog -sv \(files); hierarchy -top eyeriss_pe; proc; opt; memory -nomap; "
                + "select -assert-count 3 eyeriss_pe/t:$mem_v2; synth -top eyeriss_pe; "
                + "select -assert-none t:$dlatch t:$_DLATCH_* t:$_DLATCH_P_ t:$_DLATCH_N_"
            let (status, output) = try runTool(yosys, ["-q", "-p", script])
            XCTAssertEqual(status, 0, "config \(name):\n\(output)")
        }
    }

    /// The whole accelerator: no latch anywhere (they would appear when processes are lowered),
    /// and every scratchpad, FIFO and buffer bank stays a memory for the area model.
    func testWholeAcceleratorHasNoLatchesAndKeepsMemories() throws {
        let yosys = try XCTUnwrap(which("yosys"), "yosys is not installed: run scripts/setup.sh")
        for (name, overrides) in Self.configs.prefix(2) {
            let config = try ConfigLoader.load(file: nil, overrides: overrides).validated()
            let dir = try temporaryDirectory("synth-top-\(name)")
            let design = try Self.design(overrides)
            try design.write(to: dir)
            let files = design.render().map { dir.appendingPathComponent($0.file).path }.joined(separator: " ")
            let c = config.raw
            let glbMemories = c.globalBuffer.fmapBanks * (c.dram.busBits / c.fixedPoint.dataBits) + 1
            let script = "read_verilog -sv \(files); hierarchy -top eyeriss_top; proc; "
                + "select -assert-none t:$dlatch t:$dlatchsr; opt -fast; memory -nomap; "
                + "select -assert-count \(glbMemories) eyeriss_glb/t:$mem_v2; select -assert-count 3 eyeriss_pe/t:$mem_v2"
            let (status, output) = try runTool(yosys, ["-q", "-p", script])
            XCTAssertEqual(status, 0, "config \(name):\n\(output)")
        }
    }

    func testFaultyDesignsSayTheyAreFaulty() throws {
        let config = try AcceleratorConfig().validated()
        let good = try AcceleratorGenerator.generate(config).render()
        for fault in Fault.allCases {
            let bad = try AcceleratorGenerator.generate(config, options: GeneratorOptions(faults: [fault])).render()
            let file = GeneratorOptions.peFaults.contains(fault) ? "eyeriss_pe.sv" : "eyeriss_top.sv"
            let faulty = try XCTUnwrap(bad.first { $0.file == file })
            XCTAssertTrue(faulty.text.contains("FAULTS INJECTED FOR TESTING: \(fault.rawValue)"))
            XCTAssertNotEqual(faulty.text, good.first { $0.file == file }?.text)
        }
    }
}

func temporaryDirectory(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-test-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

func which(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let path = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

func runTool(_ tool: String, _ args: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
