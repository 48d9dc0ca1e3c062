import Foundation
import XCTest

/// `--report` of `run` and `cosim`, `--energy`, and `eyeriss report` as a user runs them.
final class ReportCLITests: XCTestCase {
    func eyeriss(_ args: [String]) throws -> CLITests.Outcome { try ProcessRunner.eyeriss(args) }

    func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-report-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A small AlexNet through coded DRAM: the JSON report has every layer, the RTL's counts equal
    /// the model's, and `eyeriss report` renders it in every format and re-prices it.
    func testRunExportsAReportThatRendersInEveryFormat() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("run.json").path
        let r = try eyeriss(["run", "--network", "alexnet-small", "--set", "array.rows=6", "--set", "array.columns=7",
                             "--report", json])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        XCTAssertEqual(object?["schemaVersion"] as? Int, 1)
        XCTAssertEqual(object?["command"] as? String, "run --network alexnet-small")
        let layers = object?["layers"] as? [[String: Any]] ?? []
        XCTAssertEqual(layers.map { $0["name"] as? String ?? "" }, (1...5).map { "alexnet-small.conv\($0)" })
        for layer in layers {
            let agreement = layer["agreement"] as? [String: Any]
            XCTAssertEqual((agreement?["mismatches"] as? [Any])?.count, 0, "\(layer["name"] ?? "")")
            let measured = layer["measured"] as? [String: Any]
            let cycles = measured?["cycles"] as? [String: Any]
            XCTAssertGreaterThan(cycles?["total"] as? Int ?? 0, 0)
            let energy = layer["energy"] as? [String: Any]
            XCTAssertGreaterThan(energy?["total"] as? Double ?? 0, 0)
        }

        let table = try eyeriss(["report", json])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("alexnet-small.conv5") && table.stdout.contains("energy by level and data type"), table.stdout)
        let csv = try eyeriss(["report", json, "--format", "csv"])
        XCTAssertEqual(csv.stdout.split(separator: "\n").count, 6, csv.stdout)
        let svgPath = dir.appendingPathComponent("run.svg").path
        let svg = try eyeriss(["report", json, "--format", "svg", "--out", svgPath])
        XCTAssertEqual(svg.status, 0, svg.stderr)
        XCTAssertTrue(try String(contentsOfFile: svgPath, encoding: .utf8).hasPrefix("<svg"))

        let table2 = dir.appendingPathComponent("pj.yaml")
        try "unit: pJ\nmac: 2\nspad: 2\nnoc: 4\nglb: 12\ndram: 400\n".write(to: table2, atomically: true, encoding: .utf8)
        let repriced = try eyeriss(["report", json, "--format", "json", "--energy", table2.path])
        let again = try JSONSerialization.jsonObject(with: Data(repriced.stdout.utf8)) as? [String: Any]
        let e1 = ((object?["totals"] as? [String: Any])?["energy"] as? [String: Any])?["total"] as? Double ?? 0
        let e2 = ((again?["totals"] as? [String: Any])?["energy"] as? [String: Any])?["total"] as? Double ?? 0
        XCTAssertEqual(e2, 2 * e1, accuracy: 1e-6 * e1)
    }

    func testCosimWritesCSVAndBadInputsAreRefused() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("layer.csv").path
        let r = try eyeriss(["cosim", "--set", "array.rows=3", "--set", "array.columns=4", "--shape", "1,2,6,6,3,3,3,1,1",
                             "--report", csv])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].contains("glb.psum.writes"))

        let bad = dir.appendingPathComponent("bad.yaml")
        try "mac: 1\nspad: 1\nnoc: -2\nglb: 6\n".write(to: bad, atomically: true, encoding: .utf8)
        let refused = try eyeriss(["cosim", "--shape", "1,2,6,6,3,3,3,1,1", "--energy", bad.path, "--report", csv])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("noc = -2.0: must be >= 0") && refused.stderr.contains("dram: missing"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("verilating"), "refused before any simulation")

        let missing = try eyeriss(["report", dir.appendingPathComponent("none.json").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("cannot read"), missing.stderr)
        let notReport = dir.appendingPathComponent("x.json")
        try "{\"suite\": \"quick\"}".write(to: notReport, atomically: true, encoding: .utf8)
        let wrong = try eyeriss(["report", notReport.path])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("no schemaVersion"), wrong.stderr)
        let format = try eyeriss(["report", csv, "--format", "pdf"])
        XCTAssertNotEqual(format.status, 0)
        XCTAssertTrue(format.stderr.contains("--format must be one of table, json, csv, svg"), format.stderr)
    }
}
