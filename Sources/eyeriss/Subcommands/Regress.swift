import ArgumentParser
import EyerissCosim
import EyerissRTL
import Foundation

extension RegressionSuite: ExpressibleByArgument {}

struct Regress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a regression suite: many co-simulated layers, each in its own process, with a summary and reports.",
        discussion: """
            Generates the suite's cases from --seed (the same seed gives the same list), then runs \
            each as `eyeriss cosim ... --json` in a child process of this same executable, --jobs \
            at a time. A case passes when the child exits 0 with every output matching the golden \
            model; a crash, a watchdog stop or a mapping error fails it, and a case past its time \
            limit is killed with everything it started. A failed case prints the command that \
            re-runs it alone. The last line is always `N passed, N failed`; the exit status is \
            non-zero if any case failed. quick: 56 cases on 3x4 and 6x7 arrays, under a minute on \
            2 cores with an empty build cache. full: 183 cases on six configurations, including the \
            12x14 chip with reduced AlexNet and VGG-16 layers and the full-size AlexNet CONV layers.
            """)

    @Option(help: "Which suite: quick or full.")
    var suite: RegressionSuite

    @Option(help: "Seed the cases are generated from.")
    var seed: UInt64 = 1

    @Option(help: "Cases at once, each a process (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Run every N-th case starting at the I-th (I from 1), to spread a suite over N machines.",
                               valueName: "I/N"))
    var shard: String = "1/1"

    @Option(help: ArgumentHelp("Run only the cases whose name contains this text (repeat for several), e.g. --match chip/ or --match alexnet.conv3.",
                               valueName: "text"))
    var match: [String] = []

    @Option(help: "Kill and fail a case after this many seconds (default: from the case's size at 2,500 cycles/s, plus 900 s for the first case of each configuration, which may build it).")
    var timeout: Double?

    @Option(help: ArgumentHelp("Write a JUnit XML report here.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a JSON report here.", valueName: "file"))
    var json: String?

    @Flag(help: "Print the cases and their command lines without running them.")
    var list = false

    @Option(help: ArgumentHelp("Build every case's design with this deliberate bug (see `eyeriss cosim --fault`): the suite must fail.",
                               valueName: "name"))
    var fault: Fault?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be positive, got \(timeout)") }
        _ = try parsedShard()
    }

    func parsedShard() throws -> Shard {
        do { return try Shard(parsing: shard) } catch let e as RegressionError { throw ValidationError("--\(e.description)") }
    }

    /// This executable, as an absolute path: the children run it.
    static func executable() -> String {
        if let url = Bundle.main.executableURL { return url.path }
        let arg0 = ProcessInfo.processInfo.arguments[0]
        return arg0.hasPrefix("/") ? arg0 : FileManager.default.currentDirectoryPath + "/" + arg0
    }

    func run() throws {
        let shard = try parsedShard()
        let all: [RegressionCase]
        do { all = try suite.cases(seed: seed) } catch { throw CLIError("\(error)") }
        let chosen = match.isEmpty ? all : all.filter { c in match.contains { c.name.contains($0) } }
        guard !chosen.isEmpty else { throw CLIError("no case of suite \(suite.rawValue) matches \(match.joined(separator: ", "))") }
        let cases = shard.select(chosen).map { c in
            var c = c
            c.fault = fault
            return c
        }
        let executable = Self.executable()
        if list {
            for c in cases {
                print("\(c.index) \(c.summary)")
                print("  \(shellLine(c.command(executable: executable)))")
            }
            print("\(cases.count) case\(cases.count == 1 ? "" : "s") (suite \(suite.rawValue), seed \(seed), shard \(shard))")
            return
        }

        // An interrupt stops the running cases too: they are in process groups of their own.
        let children = ChildRegistry()
        let signals = [Int32(SIGINT), Int32(SIGTERM)].map { (number: Int32) -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let stopped = children.killAll()
                FileHandle.standardError.write(Data("regress: interrupted, stopped \(stopped) running case(s)\n".utf8))
                Foundation.exit(128 + number)
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }

        let planted = fault.map { " with the planted fault \($0.rawValue)" } ?? ""
        FileHandle.standardError.write(Data("regress: \(cases.count) cases of suite \(suite.rawValue) (seed \(seed), shard \(shard))\(planted), \(jobs) at a time\n".utf8))
        let runner = RegressionRunner(jobs: jobs, timeout: timeout.map { .fixed($0) } ?? .standard, children: children,
                                      executable: executable)
        let start = DispatchTime.now()
        let results = runner.run(cases) { result, finished, total in
            print(RegressionReport.progressLine(result, finished: finished, total: total))
            fflush(stdout)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let report = RegressionReport(suite: suite.rawValue, seed: seed, shard: shard, jobs: jobs, seconds: seconds,
                                      cases: results)
        do {
            if let junit { try RegressionReport.write(report.junitXML(), to: junit) }
            if let json { try RegressionReport.write(try report.json(), to: json) }
        } catch {
            print(report.summary())
            throw CLIError("cannot write the report: \(error)")
        }
        print(report.summary())
        if report.failed > 0 { throw ExitCode(1) }
    }
}
