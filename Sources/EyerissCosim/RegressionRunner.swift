import Foundation

/// How long a case may run before it is killed and failed.
public enum TimeoutPolicy: Sendable, Equatable {
    /// The same limit, in seconds, for every case.
    case fixed(Double)
    /// From the case's size (see `RegressionRunner.timeout(for:pioneer:)`), plus
    /// `buildAllowance` seconds for the first case of each configuration, which may build it.
    case estimated(buildAllowance: Double)

    /// 900 s for a build: a cold 12 x 14 build took 525-920 s on 2 cores shared with other
    /// work (70 s on an idle machine before the RTL had assertions).
    public static let standard = TimeoutPolicy.estimated(buildAllowance: 900)
}

/// How a case ended.
public enum CaseOutcome: String, Codable, Sendable {
    /// Exit status 0 and a JSON result with every output matching.
    case passed
    /// Outputs differ from the golden model.
    case mismatch
    /// A non-zero exit without mismatches (watchdog, mapping or build error), a missing
    /// result, or a command that could not be started.
    case error
    /// Killed by a signal it did not ask for (a crash).
    case crash
    /// Ran past its time limit and was killed, with every process it started.
    case timeout
}

/// The outcome of one case.
public struct CaseResult: Codable, Sendable {
    /// The case.
    public var regressionCase: RegressionCase
    /// The command that ran, executable first.
    public var command: [String]
    /// `command` as one shell line: paste it to re-run the case alone.
    public var commandLine: String
    public var outcome: CaseOutcome
    /// Empty when passed; else why, e.g. the mismatches or the watchdog's message.
    public var message: String
    /// Wall-clock seconds.
    public var seconds: Double
    /// The limit it ran under, seconds.
    public var timeoutSeconds: Double
    /// Exit status, when it exited.
    public var exitStatus: Int32?
    /// The signal that ended it, when one did.
    public var signal: Int32?
    /// The co-simulation's own report (`eyeriss cosim --json`), when it printed one.
    public var result: LayerResult?

    public init(regressionCase: RegressionCase, command: [String], commandLine: String, outcome: CaseOutcome,
                message: String, seconds: Double, timeoutSeconds: Double, exitStatus: Int32? = nil, signal: Int32? = nil,
                result: LayerResult? = nil) {
        self.regressionCase = regressionCase
        self.command = command
        self.commandLine = commandLine
        self.outcome = outcome
        self.message = message
        self.seconds = seconds
        self.timeoutSeconds = timeoutSeconds
        self.exitStatus = exitStatus
        self.signal = signal
        self.result = result
    }

    public var passed: Bool { outcome == .passed }

    enum CodingKeys: String, CodingKey {
        case regressionCase = "case"
        case command, commandLine, outcome, message, seconds, timeoutSeconds, exitStatus, signal, result
    }
}

/// The processes of the cases that are running, so that an interrupted runner can stop them.
public final class ChildRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var pids: Set<Int32> = []

    public init() {}

    func add(_ pid: Int32) { lock.lock(); pids.insert(pid); lock.unlock() }
    func remove(_ pid: Int32) { lock.lock(); pids.remove(pid); lock.unlock() }

    /// Kills every running case and everything it started; returns how many cases there were.
    @discardableResult
    public func killAll() -> Int {
        lock.lock()
        let all = pids
        lock.unlock()
        for pid in all { ProcessTree.killTree(pid) }
        return all.count
    }
}

/// Runs cases, each in its own child process, at most `jobs` at once. A crash, a hang or a
/// runaway allocation in one case cannot take the runner or the other cases down; a case past
/// its time limit is killed with all its descendants (a Verilator build included).
///
/// Cases of one configuration share a Verilator build: the first of them to start (the
/// cheapest) runs alone for that configuration, and the others wait until it has finished
/// and so built the model, while cases of other configurations run beside it. Then the rest
/// start most expensive first, so a long case does not start last.
public struct RegressionRunner {
    public var jobs: Int
    public var timeout: TimeoutPolicy
    /// The command of a case, executable first (absolute path). Injectable for tests.
    public var command: (RegressionCase) -> [String]
    /// The running children, for a signal handler to kill.
    public var children: ChildRegistry
    /// Seconds between looks at the running children.
    public var pollInterval: Double = 0.05

    public init(jobs: Int, timeout: TimeoutPolicy = .standard, children: ChildRegistry = ChildRegistry(),
                command: @escaping (RegressionCase) -> [String]) {
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.children = children
        self.command = command
    }

    /// Runs `eyeriss cosim` from `executable` (an absolute path).
    public init(jobs: Int, timeout: TimeoutPolicy = .standard, children: ChildRegistry = ChildRegistry(),
                executable: String) {
        self.init(jobs: jobs, timeout: timeout, children: children) { $0.command(executable: executable) }
    }

    /// The time limit of a case, in seconds. Estimated: a minute of slack, the golden model at
    /// 2 us per MAC (a debug build runs it at about 0.4 us), the simulation at 10,000 cycles a
    /// second (the 12 x 14 model runs about 38,000) from the mapper's estimate, four times
    /// that with hostile DRAM, and the build allowance for the first case of a configuration.
    public func timeout(for c: RegressionCase, pioneer: Bool) -> Double {
        switch timeout {
        case let .fixed(seconds):
            return seconds
        case let .estimated(buildAllowance):
            // A backstop for hangs outside the simulator (its watchdog catches stuck designs), so
            // it must not fire on a busy machine: 2,500 cycles/s is a fifth of what one 12 x 14
            // simulation got with two cases and a build sharing 2 cores (12 k per CPU second).
            let cycles = Double(c.estimatedCycles) * (c.hostileDRAM ? 4 : 1)
            return 120 + Double(c.layer.macs) * 4e-6 + cycles / 2_500 + (pioneer ? buildAllowance : 0)
        }
    }

    /// Cases in the order they are offered to start: per configuration the cheapest first
    /// (in order of first appearance), then every other case, most expensive first.
    public static func startOrder(_ cases: [RegressionCase]) -> [RegressionCase] {
        func cost(_ c: RegressionCase) -> Double {
            // A debug golden model costs about one cycle of a small model's simulation per 60 MACs.
            Double(c.estimatedCycles) * (c.hostileDRAM ? 4 : 1) + Double(c.layer.macs) / 60
        }
        var pioneers: [RegressionCase] = []
        for c in cases {
            if let k = pioneers.firstIndex(where: { $0.configHash == c.configHash }) {
                if cost(c) < cost(pioneers[k]) { pioneers[k] = c }
            } else {
                pioneers.append(c)
            }
        }
        let chosen = Set(pioneers.map(\.index))
        let rest = cases.filter { !chosen.contains($0.index) }
            .sorted { cost($0) != cost($1) ? cost($0) > cost($1) : $0.index < $1.index }
        return pioneers + rest
    }

    /// Runs every case; `progress` is called as each finishes with how many have. Returns the
    /// results in case order.
    public func run(_ cases: [RegressionCase],
                    progress: (CaseResult, _ finished: Int, _ total: Int) -> Void = { _, _, _ in }) -> [CaseResult] {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory
            .appendingPathComponent("eyeriss-regress-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try? fm.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: scratch) }

        var waiting = Self.startOrder(cases)
        var running: [Child] = []
        var built: Set<String> = []     // configurations whose first case has finished
        var building: Set<String> = []  // configurations whose first case is running
        var results: [CaseResult] = []

        func finish(_ result: CaseResult) {
            results.append(result)
            progress(result, results.count, cases.count)
        }

        while !waiting.isEmpty || !running.isEmpty {
            while running.count < jobs,
                  let k = waiting.firstIndex(where: { built.contains($0.configHash) || !building.contains($0.configHash) }) {
                let c = waiting.remove(at: k)
                let pioneer = !built.contains(c.configHash)
                if pioneer { building.insert(c.configHash) }
                switch Child.start(c, command: command(c), timeout: timeout(for: c, pioneer: pioneer), pioneer: pioneer,
                                   scratch: scratch, registry: children) {
                case let .started(child):
                    running.append(child)
                case let .failed(result):
                    if pioneer { building.remove(c.configHash); built.insert(c.configHash) }
                    finish(result)
                }
            }
            var stillRunning: [Child] = []
            for child in running {
                if let result = child.poll() {
                    if child.pioneer { building.remove(child.item.configHash); built.insert(child.item.configHash) }
                    finish(result)
                } else {
                    stillRunning.append(child)
                }
            }
            running = stillRunning
            if !running.isEmpty { Thread.sleep(forTimeInterval: pollInterval) }
        }
        return results.sorted { $0.regressionCase.index < $1.regressionCase.index }
    }
}

/// One running case: its process, where its output goes, its clock.
private final class Child {
    let item: RegressionCase
    let command: [String]
    let process: Process
    let timeout: Double
    let pioneer: Bool
    let stdoutURL: URL
    let stderrURL: URL
    let registry: ChildRegistry
    let started = DispatchTime.now()

    private init(item: RegressionCase, command: [String], process: Process, timeout: Double, pioneer: Bool,
                 stdoutURL: URL, stderrURL: URL, registry: ChildRegistry) {
        self.item = item
        self.command = command
        self.process = process
        self.timeout = timeout
        self.pioneer = pioneer
        self.stdoutURL = stdoutURL
        self.stderrURL = stderrURL
        self.registry = registry
    }

    enum Start {
        case started(Child)
        case failed(CaseResult)
    }

    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }

    /// Starts the case's command with its output in files (no pipe to fill and block on).
    static func start(_ item: RegressionCase, command: [String], timeout: Double, pioneer: Bool, scratch: URL,
                      registry: ChildRegistry) -> Start {
        func failed(_ why: String) -> Start {
            .failed(CaseResult(regressionCase: item, command: command, commandLine: shellLine(command), outcome: .error,
                                message: why, seconds: 0, timeoutSeconds: timeout))
        }
        guard let executable = command.first else { return failed("empty command") }
        let fm = FileManager.default
        let out = scratch.appendingPathComponent("case\(item.index).out")
        let err = scratch.appendingPathComponent("case\(item.index).err")
        guard fm.createFile(atPath: out.path, contents: nil), fm.createFile(atPath: err.path, contents: nil),
              let outHandle = try? FileHandle(forWritingTo: out), let errHandle = try? FileHandle(forWritingTo: err) else {
            return failed("cannot create output files in \(scratch.path)")
        }
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        do {
            try process.run()
        } catch {
            return failed("cannot start \(executable): \(error.localizedDescription)")
        }
        registry.add(process.processIdentifier)
        return .started(Child(item: item, command: command, process: process, timeout: timeout, pioneer: pioneer,
                              stdoutURL: out, stderrURL: err, registry: registry))
    }

    /// The result if the case has ended (or has just been killed for running too long).
    func poll() -> CaseResult? {
        var timedOut = false
        if process.isRunning {
            guard elapsed > timeout else { return nil }
            ProcessTree.killTree(process.processIdentifier)
            timedOut = true
        }
        process.waitUntilExit()
        registry.remove(process.processIdentifier)
        let seconds = elapsed
        let stdout = (try? Data(contentsOf: stdoutURL)) ?? Data()
        let stderr = String(decoding: (try? Data(contentsOf: stderrURL)) ?? Data(), as: UTF8.self)
        let signalled = process.terminationReason == .uncaughtSignal
        let status = process.terminationStatus
        let decoded = try? JSONDecoder().decode(LayerResult.self, from: stdout)

        let outcome: CaseOutcome
        let message: String
        if timedOut {
            outcome = .timeout
            message = "timed out after \(formatSeconds(timeout)) s: killed it and every process it started"
                + lastLines(stderr, 3, heading: "last output")
        } else if signalled {
            outcome = .crash
            message = "killed by signal \(status)\(signalName(status).map { " (\($0))" } ?? "")"
                + lastLines(stderr, 10, heading: "last output")
        } else if let decoded, decoded.mismatches > 0 {
            outcome = .mismatch
            message = "\(decoded.mismatches) of \(decoded.outputs) outputs differ from the golden model:\n"
                + decoded.firstMismatches.prefix(5).map { "  \($0)" }.joined(separator: "\n")
        } else if status != 0 {
            outcome = .error
            message = "exit status \(status): " + errorText(stderr)
        } else if decoded == nil {
            outcome = .error
            message = "exit status 0 but no JSON result on standard output" + lastLines(stderr, 5, heading: "last output")
        } else {
            outcome = .passed
            message = ""
        }
        return CaseResult(regressionCase: item, command: command, commandLine: shellLine(command), outcome: outcome,
                          message: message, seconds: seconds, timeoutSeconds: timeout,
                          exitStatus: signalled || timedOut ? nil : status, signal: signalled ? status : nil, result: decoded)
    }
}

/// The error a command printed: from its first "Error:" line (at most 20 lines), else its
/// last lines.
func errorText(_ stderr: String) -> String {
    let lines = stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    if let first = lines.firstIndex(where: { $0.hasPrefix("Error:") }) {
        return lines[first...].prefix(20).joined(separator: "\n")
    }
    let tail = lines.suffix(10)
    return tail.isEmpty ? "(no output)" : tail.joined(separator: "\n")
}

private func lastLines(_ text: String, _ count: Int, heading: String) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(count)
    return lines.isEmpty ? "" : "\n\(heading):\n" + lines.map { "  \($0)" }.joined(separator: "\n")
}

func formatSeconds(_ s: Double) -> String {
    s >= 10 || s == s.rounded() ? String(Int(s.rounded())) : String(format: "%g", s)
}

private func signalName(_ signal: Int32) -> String? {
    [SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGILL: "SIGILL", SIGKILL: "SIGKILL",
     SIGSEGV: "SIGSEGV", SIGTERM: "SIGTERM", SIGTRAP: "SIGTRAP", SIGINT: "SIGINT"][signal]
}

/// A process and its descendants. Foundation starts each child in a process group of its
/// own, and so does the child for the tools it runs (Verilator, make, the compiler), so
/// killing one group is not enough: the descendants are found in /proc (Linux).
enum ProcessTree {
    /// `root` and every process descended from it.
    static func members(of root: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let parent = parentPID(pid) else { continue }
            children[parent, default: []].append(pid)
        }
        var out: [Int32] = [root]
        var i = 0
        while i < out.count {
            out += children[out[i]] ?? []
            i += 1
        }
        return out
    }

    /// The parent from /proc/PID/stat: "pid (comm) state ppid ...", comm may hold spaces.
    static func parentPID(_ pid: Int32) -> Int32? {
        guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/stat") else { return nil }
        defer { try? handle.close() }
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// Stops the tree (so nothing in it starts more), then kills it: each member and its group.
    static func killTree(_ root: Int32) {
        var seen = Set<Int32>()
        for _ in 0..<3 {
            let found = members(of: root).filter { !seen.contains($0) }
            if found.isEmpty { break }
            for pid in found { _ = kill(pid, SIGSTOP) }
            seen.formUnion(found)
        }
        for pid in seen {
            _ = kill(-pid, SIGKILL)
            _ = kill(pid, SIGKILL)
        }
    }
}
