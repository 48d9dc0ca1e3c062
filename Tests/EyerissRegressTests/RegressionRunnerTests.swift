import EyerissConfig
import EyerissCosim
import Foundation
import XCTest

/// The runner with injected commands: failures, crashes and hangs are reported, not fatal;
/// the job limit and the one-build-per-configuration rule hold.
final class RegressionRunnerTests: XCTestCase {
    /// Cases whose command the test chooses; each its own configuration unless `sameConfig`.
    static func fakeCases(_ count: Int, sameConfig: Bool = false) throws -> [RegressionCase] {
        let config = try NamedConfiguration.array(3, 4)
        let layer = LayerShape(name: "tiny", n: 1, c: 1, h: 4, w: 4, m: 1, r: 3, s: 3, stride: 1, padding: 0)
        return try (1...count).map { i in
            var c = try RegressionCase(index: i, name: "fake\(i)", configuration: config, layer: layer, sparsity: 0.5,
                                       shift: 12, seed: UInt64(i), hostileDRAM: false)
            if !sameConfig { c.configHash = "config\(i)" }
            return c
        }
    }

    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-regress-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testAFailingCaseIsReportedWithItsReRunCommand() throws {
        let cases = try Self.fakeCases(2)
        let runner = RegressionRunner(jobs: 2, timeout: .fixed(60)) { c in
            c.index == 1 ? ["/bin/sh", "-c", "echo 'Error: cannot read layer file /no/such/layer.yaml' >&2; exit 1"] : ["/bin/false"]
        }
        var progress: [String] = []
        let results = runner.run(cases) { r, finished, total in
            progress.append(RegressionReport.progressLine(r, finished: finished, total: total))
        }
        XCTAssertEqual(results.map(\.regressionCase.index), [1, 2])
        XCTAssertTrue(results.allSatisfy { $0.outcome == .error && $0.exitStatus == 1 })
        XCTAssertTrue(results[0].message.contains("cannot read layer file /no/such/layer.yaml"), results[0].message)
        XCTAssertEqual(results[0].commandLine,
                       "/bin/sh -c 'echo '\\''Error: cannot read layer file /no/such/layer.yaml'\\'' >&2; exit 1'")
        XCTAssertTrue(progress.allSatisfy { $0.contains("FAIL") && $0.contains("re-run: ") }, "\(progress)")

        let report = RegressionReport(suite: "test", seed: 1, shard: .all, jobs: 2, seconds: 1, cases: results)
        XCTAssertEqual(report.summary().split(separator: "\n").last, "0 passed, 2 failed")
        XCTAssertTrue(report.summary().contains("  re-run: /bin/false"))
    }

    /// A child that reports mismatches in its JSON and exits 1, as `eyeriss cosim` does.
    func testMismatchesAreReportedFromTheChildsJSON() throws {
        let file = try scratch().appendingPathComponent("result.json")
        try Self.mismatchJSON.write(to: file, atomically: true, encoding: .utf8)
        let runner = RegressionRunner(jobs: 1, timeout: .fixed(60)) { _ in ["/bin/sh", "-c", "cat \(file.path); exit 1"] }
        let result = runner.run(try Self.fakeCases(1))[0]
        XCTAssertEqual(result.outcome, .mismatch)
        XCTAssertEqual(result.result?.mismatches, 2)
        XCTAssertTrue(result.message.hasPrefix("2 of 64 outputs differ from the golden model:"), result.message)
        XCTAssertTrue(result.message.contains("row 2 column 4: expected -1, got 0"), result.message)
    }

    /// `eyeriss cosim --json` of a 3 x 4 run, with two mismatches written in.
    static let mismatchJSON = """
        {"cycles": 793, "dramBytesRead": 808, "dramBytesWritten": 128, "firstMismatches": \
        ["tiny image 0 filter 1 row 2 column 3: expected 5, got 7", "tiny image 0 filter 1 row 2 column 4: expected -1, got 0"], \
        "idealCycles": 144, "ifmapZeroFraction": 0.5, "io": {"ifmapRLC": false, "ofmapRLC": false, "relu": false}, "layer": {"c": 3, "groups": 1, "h": 7, "m": 4, "n": 1, "name": "tiny", "padding": 1, "r": 3, \
        "s": 3, "stride": 2, "w": 8}, "mappedUtilization": 1, "mapping": "q=3 p=4 Rc=3 r=1 e=4 t=1 jobRows=1", \
        "mismatches": 2, "ofmapZeroFraction": 0.1, "outputs": 64, "passes": 1, "plannedMACs": 1728, "rawDRAMBytes": 936, "seed": 3, "shift": 12, "sparsity": 0.5, \
        "stats": {"cycles": 793, "dramBusyCycles": 101, "dramLinesRead": 101, "dramLinesWritten": 16, \
        "filterSpadReads": 600, "filterSpadWrites": 432, "gated": 1128, "ifmapSpadReads": 432, "ifmapSpadWrites": 324, \
        "macs": 600, "psumSpadReads": 728, "psumSpadWrites": 728}, "utilization": 0.18, \
        "io": {"ifmapRLC": false, "ofmapRLC": false, "relu": false}, "ifmapZeroFraction": 0.5, "ofmapZeroFraction": 0, \
        "rawDRAMBytes": 936}
        """

    /// The real executable on a layer file that does not exist: the child's own error.
    func testTheRealExecutableFailingIsReported() throws {
        let binary = try XCTUnwrap(CLIBinary.path)
        let cases = try Self.fakeCases(1)
        let runner = RegressionRunner(jobs: 1, timeout: .fixed(60)) { _ in
            [binary, "cosim", "--set", "array.rows=3", "--set", "array.columns=4", "--layer-file", "/no/such/layer.yaml", "--json"]
        }
        let result = runner.run(cases)[0]
        XCTAssertEqual(result.outcome, .error)
        XCTAssertTrue(result.message.contains("cannot read layer file /no/such/layer.yaml"), result.message)
        XCTAssertTrue(result.commandLine.hasSuffix("--layer-file /no/such/layer.yaml --json"), result.commandLine)
    }

    func testTheTimeoutKillsAHungChildAndWhatItStarted() throws {
        let dir = try scratch()
        let pidFile = dir.appendingPathComponent("grandchild.pid")
        let cases = try Self.fakeCases(2)
        let runner = RegressionRunner(jobs: 2, timeout: .fixed(1)) { c in
            c.index == 1 ? ["/bin/sleep", "120"] : ["/bin/sh", "-c", "/bin/sleep 121 & echo $! > \(pidFile.path); wait"]
        }
        let start = Date()
        let results = runner.run(cases)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30, "the children are killed, not waited for")
        for r in results {
            XCTAssertEqual(r.outcome, .timeout, r.message)
            XCTAssertTrue(r.message.hasPrefix("timed out after 1 s"), r.message)
            XCTAssertNil(r.exitStatus)
        }
        let grandchild = try XCTUnwrap(Int32(String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertFalse(Self.isAlive(grandchild), "the grandchild \(grandchild) must be killed too")
    }

    /// Alive and not a zombie (a killed orphan may wait for a reaper).
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }

    func testACrashOrAMissingResultFailsTheCase() throws {
        let cases = try Self.fakeCases(2)
        let runner = RegressionRunner(jobs: 2, timeout: .fixed(60)) { c in
            c.index == 1 ? ["/bin/sh", "-c", "echo about to crash >&2; kill -SEGV $$"] : ["/bin/true"]
        }
        let results = runner.run(cases)
        XCTAssertEqual(results[0].outcome, .crash)
        XCTAssertEqual(results[0].signal, SIGSEGV)
        XCTAssertTrue(results[0].message.contains("SIGSEGV") && results[0].message.contains("about to crash"), results[0].message)
        XCTAssertEqual(results[1].outcome, .error)
        XCTAssertTrue(results[1].message.contains("no JSON result"), results[1].message)
    }

    func testACommandThatCannotStartFailsItsCaseOnly() throws {
        let cases = try Self.fakeCases(2)
        let runner = RegressionRunner(jobs: 1, timeout: .fixed(60)) { c in
            c.index == 1 ? ["/no/such/eyeriss", "cosim"] : ["/bin/false"]
        }
        let results = runner.run(cases)
        XCTAssertEqual(results.count, 2)
        XCTAssertTrue(results[0].message.contains("cannot start /no/such/eyeriss"), results[0].message)
    }

    /// Each child appends "start NAME" and "end NAME" to a log; replaying the log gives how
    /// many ran at once.
    func runLogged(_ cases: [RegressionCase], jobs: Int) throws -> [(String, String)] {
        let log = try scratch().appendingPathComponent("log")
        let runner = RegressionRunner(jobs: jobs, timeout: .fixed(60)) { c in
            ["/bin/sh", "-c", "echo start \(c.name) >> \(log.path); sleep 0.3; echo end \(c.name) >> \(log.path)"]
        }
        _ = runner.run(cases)
        return try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map {
            let parts = $0.split(separator: " ")
            return (String(parts[0]), String(parts[1]))
        }
    }

    func testAtMostJobsRunAtOnce() throws {
        let events = try runLogged(Self.fakeCases(6), jobs: 2)
        var now = 0, most = 0
        for (what, _) in events {
            now += what == "start" ? 1 : -1
            most = max(most, now)
        }
        XCTAssertEqual(events.count, 12)
        XCTAssertEqual(most, 2, "\(events)")
    }

    /// Cases of one configuration wait for the first of them, which builds the model.
    func testOneConfigurationIsBuiltByOneCaseFirst() throws {
        var cases = try Self.fakeCases(4, sameConfig: true)
        cases[2].estimatedCycles = 1  // the cheapest goes first
        let events = try runLogged(cases, jobs: 4)
        XCTAssertEqual(events.first?.0, "start")
        XCTAssertEqual(events.first?.1, "fake3")
        XCTAssertEqual(events[1].0, "end", "nothing else of the configuration starts before it ends: \(events)")
        XCTAssertEqual(events[1].1, "fake3")
    }

    func testStartOrderAndTimeouts() throws {
        var cases = try Self.fakeCases(5)
        for i in cases.indices { cases[i].configHash = i < 3 ? "a" : "b" }
        cases[0].estimatedCycles = 500
        cases[1].estimatedCycles = 100
        cases[2].estimatedCycles = 900
        cases[3].estimatedCycles = 300
        cases[4].estimatedCycles = 200
        XCTAssertEqual(RegressionRunner.startOrder(cases).map(\.index), [2, 5, 3, 1, 4])
        let runner = RegressionRunner(jobs: 1, executable: "/bin/true")
        XCTAssertEqual(runner.timeout(for: cases[0], pioneer: true) - runner.timeout(for: cases[0], pioneer: false), 900)
        var hostile = cases[0]
        hostile.hostileDRAM = true
        XCTAssertGreaterThan(runner.timeout(for: hostile, pioneer: false), runner.timeout(for: cases[0], pioneer: false))
        XCTAssertEqual(RegressionRunner(jobs: 1, timeout: .fixed(7), executable: "/bin/true").timeout(for: cases[0], pioneer: true), 7)
    }
}

/// The `eyeriss` executable SwiftPM built beside this test bundle.
enum CLIBinary {
    static let path: String? = {
        let dir = Bundle.main.bundleURL.hasDirectoryPath ? Bundle.main.bundleURL : Bundle.main.bundleURL.deletingLastPathComponent()
        return [dir, dir.deletingLastPathComponent()].map { $0.appendingPathComponent("eyeriss").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}
