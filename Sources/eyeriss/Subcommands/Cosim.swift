import ArgumentParser
import EyerissConfig
import EyerissCosim
import EyerissMapper
import Foundation

struct Cosim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Co-simulate a CONV layer on the generated accelerator and check every output against the golden model.",
        discussion: """
            Generates (or reuses) the RTL of the configuration, builds it with Verilator (cached), maps \
            the layer, fills DRAM with random 16-bit data (a --sparsity fraction of the activations \
            zero), runs the program cycle by cycle and compares every output word. Exits non-zero \
            on any mismatch, on a hang (watchdog) or on a layer that cannot be mapped.
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var layer: LayerOptions
    @OptionGroup var simulation: SimulationOptions

    @Option(help: "Fraction of zero activations, 0 to 1.")
    var sparsity: Double = 0.5

    @Option(help: "Product shift: which bits of the 32-bit product are kept.")
    var shift: Int = 12

    @Flag(help: "Hostile DRAM: random extra latency and stalls on every transfer (from the seed).")
    var hostileDram = false

    @Option(help: "Stop a run after this many cycles without any transfer.")
    var watchdog: UInt64 = 200_000

    @Flag(help: "Store the ifmap run-length coded in DRAM (the RTL decoder loads it).")
    var ifmapRlc = false

    @Flag(help: "Write the ofmap run-length coded (the RTL encoder stores it).")
    var ofmapRlc = false

    @Flag(help: "ReLU on the ofmap on its way to DRAM.")
    var relu = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard (0...1).contains(sparsity) else { throw ValidationError("--sparsity must be between 0 and 1, got \(sparsity)") }
    }

    func run() throws {
        let config = try options.load()
        let shape = try layer.load()
        var opts = LayerRunOptions(seed: simulation.seed, sparsity: sparsity, shift: shift, trace: simulation.trace,
                                   watchdogCycles: watchdog, io: LayerIO(ifmapRLC: ifmapRlc, ofmapRLC: ofmapRlc, relu: relu))
        if hostileDram { opts.dram = .hostile(config) }
        let result = try SimulationOutcome.run { try LayerRunner.run(shape, config: config, options: opts) }
        try SimulationOutcome.report(result, json: json, passed: result.passed) { LayerReport.text(result, config: config) }
    }
}

/// The terminal report of one co-simulated layer.
enum LayerReport {
    static func text(_ r: LayerResult, config: ValidConfig) -> String {
        let l = r.layer
        func row(_ name: String, _ value: String) -> String { "  " + name.padding(toLength: 30, withPad: " ", startingAt: 0) + value }
        var lines = [
            "\(l.name): N=\(l.n) C=\(l.c) H=\(l.h) W=\(l.w) M=\(l.m) R=\(l.r) S=\(l.s) stride=\(l.stride) pad=\(l.padding) groups=\(l.groups)"
                + " on \(config.raw.array.rows)x\(config.raw.array.columns) PEs, seed \(r.seed)",
            row("mapping", "\(r.mapping), \(r.passes) passes"),
            row("cycles", "\(r.cycles)"),
            row("ideal cycles (MACs / PEs)", String(format: "%.0f", r.idealCycles)),
            row("PE utilization (measured)", String(format: "%.1f %%", 100 * r.utilization)),
            row("PE utilization (mapping)", String(format: "%.1f %%", 100 * r.mappedUtilization)),
            row("MACs done / gated", "\(r.stats.macs) / \(r.stats.gated)"),
            row("DRAM bytes read / written", "\(r.dramBytesRead) / \(r.dramBytesWritten)"),
            row("DRAM bytes with raw fmaps", "\(r.rawDRAMBytes) (planned)"),
            row("fmaps in DRAM", "ifmap \(r.io.ifmapRLC ? "run-length coded" : "raw"), ofmap \(r.io.ofmapRLC ? "run-length coded" : "raw")\(r.io.relu ? ", ReLU" : "")"),
            row("zeros in ifmap / ofmap", String(format: "%.1f %% / %.1f %%", 100 * r.ifmapZeroFraction, 100 * r.ofmapZeroFraction)),
            row("outputs checked", "\(r.outputs), \(r.mismatches) mismatching"),
        ]
        lines += r.firstMismatches.map { "  MISMATCH \($0)" }
        lines.append(r.verdict)
        return lines.joined(separator: "\n")
    }
}
