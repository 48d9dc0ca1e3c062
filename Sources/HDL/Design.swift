import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A set of module definitions keyed by name, in the order they were added. Adding a second,
/// different body under a name already taken is an error; adding the same body again is a no-op,
/// so generators can ask for a shared submodule (a FIFO of one shape) as often as they like.
public struct Design: Sendable {
    public private(set) var modules: [Module] = []
    private var texts: [String: String] = [:]

    public init() {}

    public mutating func add(_ module: Module) throws {
        let text = VerilogPrinter.render(module)
        if let existing = texts[module.name] {
            guard existing == text else {
                throw HDLError(message: "two different modules are both named '\(module.name)'")
            }
            return
        }
        texts[module.name] = text
        modules.append(module)
    }

    public func module(named name: String) -> Module? { modules.first { $0.name == name } }

    /// File name to Verilog text, one module per file, in insertion order.
    public func render() -> [(file: String, text: String)] {
        modules.map { ("\($0.name).sv", texts[$0.name]!) }
    }

    /// Writes every module to `directory`, all or nothing: every file is first written in full
    /// beside its target (a hidden temporary), and only when all of them are there are they
    /// renamed into place, so a failed run leaves the folder as it was and a reader never sees
    /// half a file or half a design. Stale `.sv` files from an earlier run are then removed, so
    /// the folder holds exactly this design.
    public func write(to directory: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = render()
        let keep = Set(files.map(\.file))
        var staged: [(tmp: URL, target: URL)] = []
        defer { for s in staged { try? fm.removeItem(at: s.tmp) } }
        for (file, text) in files {
            let target = directory.appendingPathComponent(file)
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: target.path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw HDLError(message: "cannot write \(target.path): it is a directory (nothing was written)")
            }
            let tmp = directory.appendingPathComponent(".\(file).tmp-\(ProcessInfo.processInfo.processIdentifier)")
            staged.append((tmp, target))
            do { try Data(text.utf8).write(to: tmp) } catch {
                throw HDLError(message: "cannot write \(tmp.path): \(error.localizedDescription) (nothing was written)")
            }
        }
        for s in staged {
            // rename(2) replaces each target atomically.
            guard rename(s.tmp.path, s.target.path) == 0 else {
                throw HDLError(message: "cannot write \(s.target.path): \(String(cString: strerror(errno)))")
            }
        }
        staged = []
        for old in try fm.contentsOfDirectory(atPath: directory.path)
        where old.hasSuffix(".sv") && !keep.contains(old) {
            try fm.removeItem(at: directory.appendingPathComponent(old))
        }
    }
}

/// Writes `text` to a temporary file beside `url`, then renames it over `url`.
public func writeAtomically(_ text: String, to url: URL) throws {
    let tmp = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    try Data(text.utf8).write(to: tmp)
    // rename(2) replaces the target atomically.
    guard rename(tmp.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: tmp)
        throw HDLError(message: "cannot write \(url.path): \(reason)")
    }
}
