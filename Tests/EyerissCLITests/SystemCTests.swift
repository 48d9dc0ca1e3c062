import Foundation
import XCTest

/// `eyeriss generate --systemc` and `eyeriss export-case`: the SystemC model of eyeriss_top,
/// built by its generated Makefile against libsystemc-dev, runs an exported layer and checks it.
final class SystemCTests: XCTestCase {
    static let small = ["--set", "array.rows=3", "--set", "array.columns=4"]
    // Folded filters (R = 5 > 3 rows), padding, a channel count that divides nothing, batch 2.
    static let shape = ["--shape", "2,3,9,9,5,5,5,1,2"]

    func testSystemCExampleRunsAnExportedLayerAndCatchesACorruptedExpectation() throws {
        guard FileManager.default.fileExists(atPath: "/usr/include/systemc.h") else {
            throw XCTSkip("libsystemc-dev is not installed (scripts/setup.sh installs it)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-systemc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rtl = dir.appendingPathComponent("rtl"), caseDir = dir.appendingPathComponent("case")

        let gen = try ProcessRunner.eyeriss(["generate", "--systemc", "--out", rtl.path] + Self.small)
        XCTAssertEqual(gen.status, 0, gen.stderr)
        for file in ["Makefile", "sc_main.cpp", "eyeriss_dram_model.h", "eyeriss_top_ports.h", "eyeriss_params.h"] {
            XCTAssertTrue(gen.stdout.contains("systemc/\(file)"), "generate did not list \(file): \(gen.stdout)")
        }
        let ports = try String(contentsOf: rtl.appendingPathComponent("systemc/eyeriss_top_ports.h"), encoding: .utf8)
        XCTAssertTrue(ports.contains("X(in, bool, clk_i)"), ports)
        XCTAssertTrue(ports.contains("X(out, uint64_t, dram_wr_data_o)"), ports)

        let export = try ProcessRunner.eyeriss(["export-case", "--out", caseDir.path, "--seed", "5"] + Self.shape + Self.small)
        XCTAssertEqual(export.status, 0, export.stderr)
        let spec = try JSONSerialization.jsonObject(with: Data(contentsOf: caseDir.appendingPathComponent("case.json"))) as! [String: Any]
        let dramLines = try String(contentsOf: caseDir.appendingPathComponent("dram.hex"), encoding: .utf8)
            .split(separator: "\n")
        XCTAssertEqual(dramLines.count, spec["dramLines"] as? Int)
        XCTAssertTrue(dramLines.allSatisfy { $0.count == 16 && UInt64($0, radix: 16) != nil })
        XCTAssertEqual(spec["rows"] as? Int, 3)

        // Build and run: PASS, and the same cycle count as the Verilator shim (same DRAM model).
        let sc = rtl.appendingPathComponent("systemc")
        let make = URL(fileURLWithPath: "/usr/bin/make")
        let run = try ProcessRunner.run(make, ["-s", "-C", sc.path, "run", "CASE=\(caseDir.path)"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("\nPASS"), run.stdout)
        XCTAssertTrue(run.stdout.contains("\(spec["expectedLines"] as! Int) expected lines checked, 0 mismatching"), run.stdout)
        let cosim = try ProcessRunner.eyeriss(["cosim", "--seed", "5", "--json"] + Self.shape + Self.small)
        XCTAssertEqual(cosim.status, 0, cosim.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(cosim.stdout.utf8)) as! [String: Any]
        let cycles = report["cycles"] as! Int
        XCTAssertTrue(run.stdout.contains("SystemC): \(cycles) cycles"), "cosim took \(cycles) cycles; SystemC: \(run.stdout)")

        // A flipped checked bit must fail the example, with the line named.
        let expectedURL = caseDir.appendingPathComponent("expected.hex")
        var lines = try String(contentsOf: expectedURL, encoding: .utf8).split(separator: "\n").map(String.init)
        let fields = lines[0].split(separator: " ").map(String.init)
        let flipped = UInt64(fields[1], radix: 16)! ^ 1  // lane 0 bit 0: checked in every raw line
        lines[0] = [fields[0], String(format: "%016llx", flipped), fields[2]].joined(separator: " ")
        try (lines.joined(separator: "\n") + "\n").write(to: expectedURL, atomically: true, encoding: .utf8)
        let bad = try ProcessRunner.run(make, ["-s", "-C", sc.path, "run", "CASE=\(caseDir.path)"])
        XCTAssertNotEqual(bad.status, 0, bad.stdout)
        XCTAssertTrue(bad.stdout.contains("MISMATCH DRAM line \(UInt64(fields[0], radix: 16)!)"), bad.stdout)
        XCTAssertTrue(bad.stdout.contains("\nFAIL"), bad.stdout)
    }
}
