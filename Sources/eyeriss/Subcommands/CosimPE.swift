import ArgumentParser
import EyerissConfig
import EyerissCosim
import EyerissGolden
import EyerissRTL
import Foundation

/// Co-simulates one generated PE running the row convolutions of a real layer.
struct CosimPE: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cosim-pe",
        abstract: "Co-simulate one PE on the 1-D row convolutions of a layer and check it against the golden model.",
        discussion: """
            The PE gets as many filters (p) and channels (q) of the layer as its scratchpads hold, \
            random 16-bit data with the given fraction of zero activations, and runs --rows rows. \
            Every psum is compared with the golden model and every activity counter with what the \
            job implies. Exits non-zero on any mismatch.
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var simulation: SimulationOptions

    @Option(help: "Built-in layer (e.g. alexnet.conv3, vgg16.conv1_1).")
    var layer: String = "alexnet.conv3"

    @Option(help: "Ifmap rows the PE convolves with the same filter rows.")
    var rows: Int = 4

    @Option(help: "Fraction of zero activations, 0 to 1.")
    var sparsity: Double = 0.5

    @Option(help: "Product shift: which bits of the 32-bit product are kept.")
    var shift: Int = 12

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard BuiltinLayers.named(layer) != nil else {
            throw ValidationError("unknown layer \(layer); built in: \(BuiltinLayers.all.map(\.name).joined(separator: ", "))")
        }
        guard (0...1).contains(sparsity) else { throw ValidationError("--sparsity must be between 0 and 1, got \(sparsity)") }
        guard rows >= 1 else { throw ValidationError("--rows must be at least 1") }
    }

    struct Report: Codable {
        var layer: String
        var p: Int, q: Int, s: Int, stride: Int, outputs: Int, rows: Int
        var seed: UInt64
        var stats: PEStats
        var macsPerCycle: Double
        var mismatches: [String]
        var verdict: String
    }

    func run() throws {
        let config = try options.load()
        let shape = BuiltinLayers.named(layer)!
        let sim = try PESimulator(config: config, seed: simulation.seed, trace: simulation.trace)
        var rng = SplitMix64(seed: simulation.seed)
        let job = try PEJob.forLayer(shape, params: sim.params, rows: rows, sparsity: sparsity, shift: shift,
                                     withPsumIn: true, rng: &rng)
        let (psums, stats) = try sim.run(job, stallPercent: simulation.stall)
        let problems = PECheck.discrepancies(job: job, psums: psums, stats: stats, fixedPoint: FixedPoint(config))
        let report = Report(layer: layer, p: job.p, q: job.q, s: job.s, stride: job.stride, outputs: job.outputs,
                            rows: job.rows, seed: simulation.seed, stats: stats,
                            macsPerCycle: Double(stats.macs + stats.gated) / Double(max(1, stats.cycles)),
                            mismatches: problems, verdict: problems.isEmpty ? "PASS" : "FAIL")
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("PE co-simulation: \(layer), p=\(job.p) filters x q=\(job.q) channels, S=\(job.s), stride \(job.stride), "
                  + "\(job.outputs) outputs x \(job.rows) rows, seed \(simulation.seed)")
            let rowsOut: [(String, UInt64)] = [
                ("cycles", stats.cycles), ("MACs done", stats.macs), ("MACs gated (zero activations)", stats.gated),
                ("filter spad reads", stats.filterReads), ("filter spad writes", stats.filterWrites),
                ("ifmap spad reads", stats.ifmapReads), ("ifmap spad writes", stats.ifmapWrites),
                ("psum spad reads", stats.psumReads), ("psum spad writes", stats.psumWrites),
            ]
            for (name, value) in rowsOut { print("  \(name.padding(toLength: 32, withPad: " ", startingAt: 0)) \(value)") }
            print(String(format: "  %@ %.3f", "MAC slots per cycle".padding(toLength: 32, withPad: " ", startingAt: 0), report.macsPerCycle))
            for line in problems { print("  MISMATCH \(line)") }
            if let trace = simulation.trace { print("  waveform: \(trace)") }
            print(report.verdict)
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}
