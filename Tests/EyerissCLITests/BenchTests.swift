import Foundation
import XCTest

/// `eyeriss bench --accelerator` on a small network and array: the printed figures agree with
/// each other (ideal = MACs / PEs, utilization = ideal / cycles, totals are sums) and a run
/// that is not the chip's is not judged against its targets.
final class BenchTests: XCTestCase {
    static let args = ["bench", "--accelerator", "--network", "alexnet-small", "--batch", "1", "--layers", "4",
                       "--set", "array.rows=6", "--set", "array.columns=7"]

    func testAcceleratorBenchFiguresAreConsistent() throws {
        let r = try ProcessRunner.eyeriss(Self.args + ["--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let rows = report["rows"] as! [[String: Any]]
        let total = report["total"] as! [String: Any]
        XCTAssertEqual(rows.map { $0["layer"] as! String },
                       ["alexnet-small.conv1", "alexnet-small.conv2", "alexnet-small.conv3", "alexnet-small.conv4"])
        XCTAssertEqual(report["peCount"] as? Int, 42)
        for row in rows + [total] {
            let macs = Double(row["macs"] as! Int), cycles = Double(row["cycles"] as! Int)
            let ideal = row["idealCycles"] as! Double
            XCTAssertEqual(ideal, macs / 42, accuracy: 1e-6, "\(row)")
            XCTAssertEqual(row["utilization"] as! Double, ideal / cycles, accuracy: 1e-9, "\(row)")
            XCTAssertGreaterThan(cycles, ideal, "no layer beats a perfectly busy array: \(row)")
            XCTAssertGreaterThan(row["dramBytesRead"] as! Int, 0)
            // Every read is a descriptor, a filter line or an ifmap line, each kind seen.
            let parts = ["dramBytesReadProgram", "dramBytesReadFilters", "dramBytesReadIfmaps"].map { row[$0] as! Int }
            XCTAssertEqual(parts.reduce(0, +), row["dramBytesRead"] as! Int, "\(row)")
            XCTAssertTrue(parts.allSatisfy { $0 > 0 }, "\(row)")
            XCTAssertEqual(row["passed"] as? Bool, true)
        }
        // Zeros: the image has few, every ReLU output many; CONV4 reads CONV3's output as it is
        // (no pooling between), so its ifmap has exactly that output's zeros.
        let ifmapZeros = rows.map { $0["ifmapZeroFraction"] as! Double }, ofmapZeros = rows.map { $0["ofmapZeroFraction"] as! Double }
        XCTAssertLessThan(ifmapZeros[0], 0.05, "\(ifmapZeros)")
        XCTAssertTrue(ofmapZeros.allSatisfy { $0 > 0.2 && $0 < 1 }, "\(ofmapZeros)")
        XCTAssertEqual(ifmapZeros[3], ofmapZeros[2], "\(ifmapZeros) \(ofmapZeros)")
        XCTAssertNil(total["ifmapZeroFraction"])
        for key in ["macs", "cycles", "dramBytesRead", "dramBytesReadProgram", "dramBytesReadFilters", "dramBytesReadIfmaps",
                    "dramBytesWritten", "passes"] {
            XCTAssertEqual(total[key] as? Int, rows.map { $0[key] as! Int }.reduce(0, +), key)
        }
        XCTAssertEqual(report["comparable"] as? Bool, false)
        let targets = report["targets"] as! [String: Any]
        XCTAssertEqual(targets["cycles"] as? Int, 23_060_000)
        XCTAssertEqual(targets["dramBytes"] as? Int, 15_400_000)
        XCTAssertEqual(report["passed"] as? Bool, true)
        XCTAssertEqual(report["objective"] as? String, "dram", "the bench maps for the fewest DRAM lines by default")

        // The text table: the same cycles, the targets beside them, not judged.
        let text = try ProcessRunner.eyeriss(Self.args)
        XCTAssertEqual(text.status, 0, text.stderr)
        let totalLine = text.stdout.split(separator: "\n").first { $0.hasPrefix("total") }.map(String.init) ?? ""
        XCTAssertTrue(totalLine.contains(" \(total["cycles"] as! Int) "), totalLine)
        XCTAssertTrue(text.stdout.contains("23060000"), text.stdout)
        XCTAssertTrue(text.stdout.contains("not judged"), text.stdout)
        XCTAssertTrue(text.stdout.hasSuffix("PASS (bit-exact)\n"), text.stdout)
    }

    func testBenchNeedsExactlyOneKind() throws {
        let r = try ProcessRunner.eyeriss(["bench"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("exactly one of --accelerator or --sim"), r.stderr)
        let layers = try ProcessRunner.eyeriss(["bench", "--accelerator", "--network", "alexnet-small", "--layers", "9",
                                                "--set", "array.rows=6", "--set", "array.columns=7"])
        XCTAssertNotEqual(layers.status, 0)
        XCTAssertTrue(layers.stderr.contains("has 5 CONV layers"), layers.stderr)
        let objective = try ProcessRunner.eyeriss(["bench", "--sim", "--objective", "dram"])
        XCTAssertNotEqual(objective.status, 0)
        XCTAssertTrue(objective.stderr.contains("--objective applies to --accelerator only"), objective.stderr)
    }
}
