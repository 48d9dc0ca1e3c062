import Foundation
import XCTest

/// `eyeriss regress` as a user runs it; one real case end to end.
final class RegressCLITests: XCTestCase {
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    func eyeriss(_ args: [String]) throws -> Outcome {
        let binary = try XCTUnwrap(CLIBinary.path, "no eyeriss binary beside the tests")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-regress-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                       stderr: try String(contentsOf: err, encoding: .utf8))
    }

    func testListPrintsEveryCaseWithItsCommandAndRunsNothing() throws {
        let r = try eyeriss(["regress", "--suite", "quick", "--list"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.last, "56 cases (suite quick, seed 1, shard 1/1)")
        XCTAssertEqual(lines.filter { $0.hasPrefix("  /") && $0.contains(" cosim --set array.rows=") }.count, 56)
        XCTAssertEqual(try eyeriss(["regress", "--suite", "quick", "--list"]).stdout, r.stdout, "the same list every time")

        let shard = try eyeriss(["regress", "--suite", "quick", "--list", "--shard", "2/5"])
        XCTAssertEqual(shard.stdout.split(separator: "\n").last, "11 cases (suite quick, seed 1, shard 2/5)")
        XCTAssertTrue(shard.stdout.hasPrefix("2 3x4/random01"), shard.stdout)

        // --match picks cases by name (any of several texts); the numbers stay the suite's.
        let some = try eyeriss(["regress", "--suite", "quick", "--list", "--match", "random01", "--match", "hostile"])
        let picked = some.stdout.split(separator: "\n").filter { !$0.hasPrefix("  ") }.dropLast()
        XCTAssertFalse(picked.isEmpty, some.stdout)
        XCTAssertTrue(picked.allSatisfy { $0.contains("random01") || $0.contains("hostile") }, some.stdout)
        let all = lines.filter { !$0.hasPrefix("  ") && ($0.contains("random01") || $0.contains("hostile")) }
        XCTAssertEqual(picked.map(String.init), all.map(String.init))
        let none = try eyeriss(["regress", "--suite", "quick", "--list", "--match", "nothing-like-this"])
        XCTAssertNotEqual(none.status, 0)
        XCTAssertTrue(none.stderr.contains("no case of suite quick matches nothing-like-this"), none.stderr)
    }

    func testBadOptionsAreRejectedClearly() throws {
        for (args, words) in [(["--shard", "0/4"], "--shard 0/4: I must be in 1...4"),
                              (["--shard", "3"], "--shard 3: expected I/N"),
                              (["--jobs", "0"], "--jobs must be at least 1"),
                              (["--timeout", "0"], "--timeout must be positive")] {
            let r = try eyeriss(["regress", "--suite", "quick", "--list"] + args)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.stderr.contains(words), r.stderr)
        }
        let r = try eyeriss(["regress", "--suite", "huge"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("quick") && r.stderr.contains("full"), r.stderr)
    }

    /// One real small case of the quick suite through the whole path: child process,
    /// co-simulation, summary, both reports.
    func testOneRealCaseEndToEnd() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-regress-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let junit = dir.appendingPathComponent("junit.xml"), json = dir.appendingPathComponent("report.json")
        let r = try eyeriss(["regress", "--suite", "quick", "--shard", "1/56", "--jobs", "1",
                             "--junit", junit.path, "--json", json.path])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.last, "1 passed, 0 failed", r.stdout)
        XCTAssertTrue(lines.first?.hasPrefix("[1/1] PASS 3x4/random00") ?? false, r.stdout)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        XCTAssertEqual(report["passed"] as? Int, 1)
        let result = try XCTUnwrap(((report["cases"] as? [[String: Any]])?.first)?["result"] as? [String: Any])
        XCTAssertEqual(result["mismatches"] as? Int, 0)
        XCTAssertGreaterThan(result["cycles"] as? Int ?? 0, 0)
        XCTAssertTrue(try String(contentsOf: junit, encoding: .utf8).contains("tests=\"1\" failures=\"0\""))
    }

    /// A deliberately broken build (every PE's ifmap multicast ID one too high) makes the quick
    /// suite fail: a quarter of it, both of its configurations, every case caught, each as a
    /// mismatch or a hang, and each re-run command carries the fault.
    func testAPlantedFaultFailsTheQuickSuite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-regress-fault-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("report.json")
        let r = try eyeriss(["regress", "--suite", "quick", "--shard", "1/4", "--jobs", "2",
                             "--fault", "ifmapMulticastIdOffByOne", "--json", json.path])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("with the planted fault ifmapMulticastIdOffByOne"), r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").last, "0 passed, 14 failed", r.stdout)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let cases = try XCTUnwrap(report["cases"] as? [[String: Any]])
        XCTAssertEqual(Set(cases.compactMap { ($0["case"] as? [String: Any])?["configuration"] as? String }), ["3x4", "6x7"])
        for c in cases {
            let message = c["message"] as? String ?? ""
            XCTAssertTrue(["mismatch", "error"].contains(c["outcome"] as? String), "\(c["outcome"] ?? ""): \(message)")
            XCTAssertTrue(message.contains("outputs differ from the golden model") || message.contains("watchdog"), message)
            XCTAssertTrue((c["commandLine"] as? String ?? "").contains("--fault ifmapMulticastIdOffByOne"))
        }
    }
}
