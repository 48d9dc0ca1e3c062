import Foundation
import XCTest

/// What the stderr reader thread leaves; read only after the thread has finished.
private final class Collected: @unchecked Sendable {
    var data = Data()
}

/// Runs a program to its end and collects its exit status and output.
enum ProcessRunner {
    /// `environment`: variables to set (a nil value removes one) over this process's own.
    static func run(_ executable: URL, _ args: [String], in directory: URL? = nil,
                    environment: [String: String?] = [:]) throws -> CLITests.Outcome {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        if let directory { p.currentDirectoryURL = directory }
        if !environment.isEmpty {
            var env = ProcessInfo.processInfo.environment
            for (key, value) in environment { env[key] = value }
            p.environment = env
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read stderr on another thread so a chatty child cannot fill the pipe and block.
        let errData = Collected()
        let reader = Thread { errData.data = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return CLITests.Outcome(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                                stderr: String(decoding: errData.data, as: UTF8.self))
    }

    static func eyeriss(_ args: [String], environment: [String: String?] = [:]) throws -> CLITests.Outcome {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: CLITests.binary.path), "no eyeriss binary at \(CLITests.binary.path)")
        return try run(CLITests.binary, args, environment: environment)
    }
}
