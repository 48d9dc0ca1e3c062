import Foundation
import XCTest

/// `eyeriss area` argument checks: each bad input is refused with a message before any
/// synthesis starts (so these tests need no Yosys and take no time).
final class AreaCLITests: XCTestCase {
    func eyeriss(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = CLITests.binary
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary.path), "no eyeriss binary at \(binary.path)")
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["EYERISS_CACHE_DIR"] = FileManager.default.temporaryDirectory
            .appendingPathComponent("eyeriss-area-cli-\(UUID().uuidString)").path
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func assertRefused(_ args: [String], saying text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try eyeriss(["area"] + args)
        XCTAssertNotEqual(r.status, 0, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(text), "expected '\(text)' in:\n\(r.stderr)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("synthesizing"), "refused input must not start Yosys", file: file, line: line)
    }

    func testHelpNamesTheOptions() throws {
        let r = try eyeriss(["area", "--help"])
        XCTAssertEqual(r.status, 0)
        for option in ["--format", "--sweep", "--node", "--nand2-um2", "--utilization", "--sram-min-bits", "--set"] {
            XCTAssertTrue(r.stdout.contains(option), "no \(option) in:\n\(r.stdout)")
        }
    }

    func testBadInputsAreRefusedBeforeSynthesis() throws {
        try assertRefused(["--sweep", "array.rows"], saying: "expected key=v1,v2")
        try assertRefused(["--sweep", "array.rows=3,6", "--sweep", "array.columns=4"], saying: "as many values")
        try assertRefused(["--sweep", "array.rows=3", "--sweep", "array.rows=4"], saying: "given twice")
        try assertRefused(["--node", "7"], saying: "known nodes are")
        try assertRefused(["--utilization", "1.5"], saying: "--utilization")
        try assertRefused(["--format", "xml"], saying: "xml")
        // A bad sweep point is found before the good ones are synthesized.
        try assertRefused(["--sweep", "array.rows=3,0"], saying: "array.rows = 0")
        try assertRefused(["--set", "pe.fifoDepth=3"], saying: "pe.fifoDepth = 3")
    }
}
