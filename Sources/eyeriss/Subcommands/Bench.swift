import ArgumentParser
import EyerissConfig
import EyerissCosim
import EyerissMapper
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: the modelled accelerator against the published chip, or the simulator's own speed.",
        discussion: """
            --accelerator co-simulates a network's CONV layers (default AlexNet CONV1-CONV5 at batch 4, \
            run-length coded fmaps, every output checked) and prints per layer and in total the \
            cycles, the ideal cycles (MACs / PEs), utilization and DRAM bytes beside the chip's \
            23.06 M cycles and 15.4 MB, with a verdict; it exits non-zero when an output mismatches, \
            never for a missed target. --sim prints RTL generation and Verilator build times and \
            simulated cycles per second of one layer: the Swift testbench, a bare C++ loop on the \
            same model (the testbench's overhead), --threads and FST tracing.
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Benchmark the modelled accelerator against the published chip.")
    var accelerator = false

    @Flag(help: "Benchmark the simulator: build times and simulated cycles per second.")
    var sim = false

    @Option(help: "--accelerator: network (\(Network.names.joined(separator: ", "))).")
    var network = "alexnet"

    @Option(help: "--accelerator: images in the batch.")
    var batch = 4

    @Option(help: "--accelerator: run only the first K CONV layers (each takes the previous one's output).")
    var layers: Int?

    @Option(help: ArgumentHelp("--accelerator: layers co-simulated at once, each on its own thread (default: the machine's cores).",
                               discussion: "With more than one, a layer reads the golden model's output of the layer before, which its check holds equal to what the RTL wrote."))
    var jobs: Int?

    @Option(help: "--sim: the layer (built in, e.g. alexnet.conv5).")
    var layer = "alexnet.conv5"

    @Option(help: ArgumentHelp("--sim: any layer instead, N,C,H,W,M,R,S,stride,padding[,groups].", valueName: "shape"))
    var shape: String?

    @Option(help: "--sim: Verilator --threads of the threaded build.")
    var threads = 2

    @Option(help: "--sim: the --threads and traced runs stop after this many cycles.")
    var cycles: UInt64 = 50_000

    @Option(help: ArgumentHelp("--accelerator: what the mapper's ranking minimizes for every layer (default: dram).",
                               discussion: "dram: the fewest estimated DRAM lines among the geometries within 5 % of the fewest estimated cycles, then the fewest cycles (the targets make the chip's time a budget); balanced: the estimated cycles plus one per DRAM line loaded, as `map` and `run` rank by default."))
    var objective: MappingObjective?

    @Option(help: "Seed of the data and of the random initial state.")
    var seed: UInt64 = 1

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard accelerator != sim else { throw ValidationError("give exactly one of --accelerator or --sim") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        guard threads >= 2 else { throw ValidationError("--threads must be at least 2 (the single-threaded build is always measured)") }
        guard cycles >= 1 else { throw ValidationError("--cycles must be at least 1") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if sim && objective != nil { throw ValidationError("--objective applies to --accelerator only") }
    }

    func run() throws {
        let config = try options.load()
        if accelerator {
            let report = try SimulationOutcome.run {
                try AcceleratorBench.run(network: network, batch: batch, layers: layers, config: config, seed: seed,
                                         jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                                         objective: objective ?? .dram)
            }
            try SimulationOutcome.report(report, json: json, passed: report.passed) { BenchReport.accelerator(report) }
        } else {
            let shape = try simLayer()
            let report = try SimulationOutcome.run {
                try SimulatorBench.run(layer: shape, config: config, seed: seed, threads: threads, boundCycles: cycles)
            }
            try SimulationOutcome.report(report, json: json, passed: report.passed) { BenchReport.simulator(report) }
        }
    }
}

extension Bench {
    /// The --sim layer: --shape when given, else the built-in --layer.
    func simLayer() throws -> LayerShape {
        guard let text = shape else {
            guard let found = BuiltinLayers.named(layer) else {
                throw CLIError("unknown layer \(layer); built in: \(BuiltinLayers.all.map(\.name).joined(separator: ", "))")
            }
            return found
        }
        let v = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (9...10).contains(v.count), v.count == text.split(separator: ",").count else {
            throw CLIError("--shape \(text): expected 9 or 10 integers N,C,H,W,M,R,S,stride,padding[,groups]")
        }
        return LayerShape(name: "shape(\(text))", n: v[0], c: v[1], h: v[2], w: v[3], m: v[4], r: v[5], s: v[6],
                          stride: v[7], padding: v[8], groups: v.count == 10 ? v[9] : 1)
    }
}

/// The terminal tables of `eyeriss bench`.
enum BenchReport {

    static func accelerator(_ r: AcceleratorBenchReport) -> String {
        let mb = { (b: UInt64) in String(format: "%.2f", Double(b) / 1e6) }
        let pct = { (f: Double?) in f.map { String(format: "%.1f%%", 100 * $0) } ?? "" }
        let header = ["layer", "MACs", "cycles", "ideal cycles", "utilization", "DRAM MB read", "(descriptors", "filters",
                      "ifmaps)", "DRAM MB written", "DRAM MB", "zeros in ifmap", "ofmap", "check"]
        let rows = (r.rows + [r.total]).map { row in
            [row.layer, "\(row.macs)", "\(row.cycles)", String(format: "%.0f", row.idealCycles),
             String(format: "%.1f%%", 100 * row.utilization), mb(row.dramBytesRead), mb(row.dramBytesReadProgram),
             mb(row.dramBytesReadFilters), mb(row.dramBytesReadIfmaps), mb(row.dramBytesWritten), mb(row.dramBytes),
             pct(row.ifmapZeroFraction), pct(row.ofmapZeroFraction), row.passed ? "PASS" : "FAIL"]
        }
        let mapped = r.objective == .dram ? "each layer mapped for the fewest DRAM lines within 5 % of its fewest cycles"
            : "each layer mapped for its estimated cycles plus one per DRAM line"
        var out = ["\(r.network) CONV layers at batch \(r.batch) on \(r.array) PEs (\(r.peCount)), seed \(r.seed): run-length coded fmaps, ReLU, every output checked; \(mapped) (--objective \(r.objective.rawValue))"]
        out += TextTable.lines(header, rows)
        let t = r.targets
        let scope = r.comparable ? "" : " (the targets are for alexnet CONV1-5 at batch \(t.batch) on the default configuration: not judged)"
        func verdict(_ met: Bool) -> String { r.comparable ? (met ? "MET" : "MISSED") : "n/a" }
        out.append("target" + scope + ":")
        out += TextTable.lines(["", "measured", "chip (JSSC 2017)", "measured / chip", "verdict"], [
            ["cycles", "\(r.total.cycles)", "\(t.cycles)", String(format: "%.2fx", Double(r.total.cycles) / Double(t.cycles)), verdict(r.cyclesMet)],
            ["DRAM bytes", "\(r.total.dramBytes)", "\(t.dramBytes)", String(format: "%.2fx", Double(r.total.dramBytes) / Double(t.dramBytes)), verdict(r.dramMet)],
        ]).map { "  " + $0 }
        // The chip's figure is for its own data: coded traffic falls as the zeros grow.
        if r.network == t.network { out.append("  the chip's DRAM traffic was measured on real images, with about 40 % zeros in CONV2's ifmap growing to about 75 % in CONV5's (the reference); this run's zeros are in the table") }
        if !r.notRun.isEmpty { out.append("not run after the failure: \(r.notRun.joined(separator: ", "))") }
        out.append(String(format: "wall time %.0f s", r.wallSeconds))
        out.append(r.passed ? "PASS (bit-exact)" : "FAIL (outputs mismatch)")
        return out.joined(separator: "\n")
    }

    static func simulator(_ r: SimBenchReport) -> String {
        var out = ["simulator benchmark: \(r.layer) on \(r.array) PEs"]
        out.append(String(format: "RTL generation: %.2f s (%d modules)", r.rtlGenerationSeconds, r.modules))
        for b in r.builds {
            out.append("Verilator build \(b.variant): " + (b.cached ? String(format: "cached (%.1f s to find)", b.seconds) : String(format: "%.1f s", b.seconds)))
        }
        let rows = [r.swift, r.bare, r.threaded, r.traced].map { run in
            [run.name, "\(run.cycles)", String(format: "%.1f", run.seconds), String(format: "%.1f", run.cpuSeconds),
             String(format: "%.0f", run.cyclesPerSecond), String(format: "%.0f", run.cyclesPerCPUSecond),
             run.bounded ? "first \(run.cycles) cycles" : "whole layer",
             run.passed.map { $0 ? "PASS" : "FAIL" } ?? "-"]
        }
        out += TextTable.lines(["run", "cycles", "wall s", "CPU s", "cycles/s (wall)", "cycles/CPU s", "span", "check"], rows)
        out.append(String(format: "Swift testbench overhead over the bare C++ loop, in CPU time: %.1f%% (ratio %.3f; the testbench's time includes random data, the golden model, the DRAM image and the check)",
                          100 * r.testbenchOverhead, 1 + r.testbenchOverhead))
        out.append("FST trace: \(r.traceBytes) bytes for \(r.traced.cycles) cycles; --threads \(r.threads) and traced runs bounded to \(r.boundCycles) cycles (--cycles)")
        if r.swift.cycles != r.bare.cycles {
            out.append("the bare loop took \(r.bare.cycles) cycles, the testbench \(r.swift.cycles): they must agree")
        }
        out.append(r.passed ? "PASS" : "FAIL")
        return out.joined(separator: "\n")
    }
}
