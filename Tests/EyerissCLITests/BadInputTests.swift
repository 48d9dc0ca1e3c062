import Foundation
import XCTest

/// Bad input of every kind gets a clear error and a non-zero exit, and leaves nothing behind
/// that a later run would trust: malformed configuration and layer files, shapes that cannot
/// map, and tools missing from PATH.
final class BadInputTests: XCTestCase {
    typealias Outcome = CLITests.Outcome

    /// Runs the built `eyeriss` with `environment` changes (a nil value removes the variable).
    func eyeriss(_ args: [String], environment: [String: String?] = [:]) throws -> Outcome {
        try ProcessRunner.eyeriss(args, environment: environment)
    }

    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-bad-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func testMalformedConfigurationFilesAreRejectedNamingTheFile() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, String, String)] = [
            ("broken.yaml", "array: { rows: 3, columns: \n", "not valid YAML or JSON"),
            ("broken.json", "{\"array\": {\"rows\": 3,}", "not valid YAML or JSON"),
            ("type.yaml", "array:\n  rows: three\n", "array.rows must be an integer"),
            ("range.yaml", "array:\n  rows: 99\n", "array.rows = 99: must be in 1...64"),
            ("key.json", "{\"array\": {\"rowz\": 3}}", "unknown key 'array.rowz'"),
        ]
        for (file, text, words) in cases {
            let url = dir.appendingPathComponent(file)
            try Data(text.utf8).write(to: url)
            let out = dir.appendingPathComponent("rtl-\(file)")
            let r = try eyeriss(["generate", "--config", url.path, "--out", out.path])
            XCTAssertNotEqual(r.status, 0, file)
            XCTAssertTrue(r.stderr.contains(words), "\(file): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("Error: "), "\(file): one clear error line first: \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(file): nothing may be written")
        }
        let missing = try eyeriss(["config", "--config", dir.appendingPathComponent("none.yaml").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("none.yaml"), missing.stderr)
    }

    func testMalformedLayerFilesAndUnmappableShapesAreRejected() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let layer = dir.appendingPathComponent("layer.yaml")
        try Data("name: x\nn: 1\nc: [\n".utf8).write(to: layer)
        let bad = try eyeriss(["cosim", "--layer-file", layer.path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("invalid layer") && bad.stderr.contains("layer.yaml"), bad.stderr)

        for (args, words) in [(["--shape", "1,1,20,20,1,13,13,1,0"], "filter width S = 13 exceeds the ifmap scratchpad"),
                              (["--shape", "1,2,6,6"], "--shape"),
                              (["--shape", "1,2,6,6,3,3,3,0,1"], "stride"),
                              (["--shape", "1,3,19,19,4,3,3,1,0", "--row-pool", "4"], "Please provide one of '2' and '3'"),
                              (["--shape", "1,3,20,20,4,3,3,1,0", "--row-pool", "3"], "do not end on the last of F = 18 values")] {
            let r = try eyeriss(["cosim", "--set", "array.rows=3", "--set", "array.columns=4"] + args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains(words), "\(args): \(r.stderr)")
            XCTAssertTrue(r.stdout.isEmpty, "\(args): no result printed: \(r.stdout)")
        }
    }

    /// Without Verilator on PATH a co-simulation stops before building anything, saying what to
    /// install; a regression fails its case with that message; the build cache stays empty.
    func testMissingVerilatorIsAClearErrorAndLeavesNoBuild() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("cache")
        let env: [String: String?] = ["PATH": dir.path, "EYERISS_CACHE_DIR": cache.path]
        let r = try eyeriss(["cosim", "--set", "array.rows=3", "--set", "array.columns=4", "--shape", "1,2,6,6,3,3,3,1,1", "--json"],
                            environment: env)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("verilator not found on PATH: install it"), r.stderr)
        XCTAssertTrue(r.stdout.isEmpty, "no JSON result for a run that did not happen: \(r.stdout)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []
        XCTAssertTrue(left.isEmpty, "nothing half-built in the cache: \(left)")

        let json = dir.appendingPathComponent("report.json")
        let regress = try eyeriss(["regress", "--suite", "quick", "--shard", "1/56", "--jobs", "1", "--json", json.path],
                                  environment: env)
        XCTAssertEqual(regress.status, 1, regress.stdout + regress.stderr)
        XCTAssertEqual(regress.stdout.split(separator: "\n").last, "0 passed, 1 failed", regress.stdout)
        XCTAssertTrue(regress.stdout.contains("verilator not found on PATH"), regress.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: json.path), "the report of the failed run is written whole")
    }

    func testMissingYosysIsAClearError() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try eyeriss(["area", "--set", "array.rows=3", "--set", "array.columns=4"],
                            environment: ["PATH": dir.path, "EYERISS_CACHE_DIR": dir.appendingPathComponent("cache").path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("yosys is not on PATH"), r.stderr)
        XCTAssertTrue(r.stdout.isEmpty, r.stdout)
    }
}
