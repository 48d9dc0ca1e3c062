import Foundation
import XCTest

/// Runs a program to its end and collects its exit status and output.
enum ProcessRunner {
    static func run(_ executable: URL, _ args: [String], in directory: URL? = nil) throws -> CLITests.Outcome {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        if let directory { p.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read stderr on another thread so a chatty child cannot fill the pipe and block.
        var errData = Data()
        let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return CLITests.Outcome(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                                stderr: String(decoding: errData, as: UTF8.self))
    }

    static func eyeriss(_ args: [String]) throws -> CLITests.Outcome {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: CLITests.binary.path), "no eyeriss binary at \(CLITests.binary.path)")
        return try run(CLITests.binary, args)
    }
}
