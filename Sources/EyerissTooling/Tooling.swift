import Foundation

/// The first executable called `name` on PATH.
public func which(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Runs a command and returns its standard output (standard error is dropped).
public func captureOutput(_ tool: String, _ args: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = args
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Where builds and synthesis results are cached: `$EYERISS_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/eyeriss-swift`, else `~/.cache/eyeriss-swift`.
public func eyerissCacheRoot() -> URL {
    let env = ProcessInfo.processInfo.environment
    if let dir = env["EYERISS_CACHE_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
    let base = env["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
    return base.appendingPathComponent("eyeriss-swift")
}
