import ArgumentParser
import EyerissConfig
import EyerissCosim
import EyerissRTL
import EyerissMapper
import EyerissGolden
import EyerissTensorIO
import Foundation
import Logging

extension Fault: ExpressibleByArgument {}

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
    @OptionGroup var data: LayerDataOptions
    @OptionGroup var simulation: SimulationOptions
    @OptionGroup var reportOptions: ReportOptions

    @Flag(help: "Hostile DRAM: random extra latency and stalls on every transfer (from the seed).")
    var hostileDram = false

    @Option(help: "Stop a run after this many cycles without any transfer.")
    var watchdog: UInt64 = 200_000

    @Option(help: "Ifmap [n][c][h][w] (or [c][h][w]) as a NumPy .npy or ONNX TensorProto .pb file instead of random data: integers as they are, floats quantized.")
    var input: String?

    @Option(help: "Weights [m][c/groups][r][s] as a .npy or .pb file instead of random data.")
    var weights: String?

    @Option(help: "Fraction bits of a float --input (default: the most that fit, per tensor).")
    var inputFractionBits: Int?

    @Option(help: "Fraction bits of float --weights (default: the most that fit, per tensor).")
    var weightFractionBits: Int?

    @Option(help: "Write the ofmap [n][m][e][f] the accelerator computed to this .npy file (int16; rows pooled with --row-pool).")
    var output: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Build the design with this deliberate bug, to prove the checks catch it (\(Fault.allCases.map(\.rawValue).joined(separator: ", "))).",
                               valueName: "name"))
    var fault: Fault?

    func run() throws {
        let config = try options.load()
        let shape = try layer.load()
        var opts = LayerRunOptions(seed: simulation.seed, sparsity: data.sparsity, shift: data.shift, trace: simulation.trace,
                                   watchdogCycles: watchdog, io: data.io)
        if hostileDram { opts.dram = .hostile(config) }
        let tensors = try TensorInputs(input: input, weights: weights, inputFractionBits: inputFractionBits,
                                    weightFractionBits: weightFractionBits, layer: shape, config: config, seed: simulation.seed,
                                    sparsity: data.sparsity)
        let (result, outputs) = try SimulationOutcome.run { () throws -> (LayerResult, [Int]) in
            // A planted fault builds its own model; everything else is what LayerRunner does.
            let faulty = fault.map { fault in { (lines: Int) in
                try AcceleratorSimulator(config: config, seed: opts.seed, dramLines: lines, dram: opts.dram ?? .nominal(config),
                                         trace: opts.trace, options: GeneratorOptions(faults: [fault]))
            } }
            let run = try LayerRunner.runDetailed(shape, config: config, options: opts, input: tensors.input.tensor,
                                                  weights: tensors.weights.tensor, simulator: faulty,
                                                  logger: Logger(label: "eyeriss.cosim"))
            return (run.result, try run.plan.readOfmap(lines: run.ofmapLines))
        }
        if let output {
            let width = data.io.rowPool?.outputs(width: shape.f) ?? shape.f
            try AtomicFile.write(NPY.int16File(shape: [shape.n, shape.m, shape.e, width], values: outputs), to: output)
        }
        try reportOptions.write(command: "cosim", config: config, results: [result])
        try SimulationOutcome.report(result, json: json, passed: result.passed) {
            LayerReport.text(result, config: config) + tensors.notes(shift: data.shift, output: output)
        }
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
            row("fmaps in DRAM", "ifmap \(r.io.ifmapRLC ? "run-length coded" : "raw")\(r.io.ifmapCodeRows > 1 ? " (a code per \(r.io.ifmapCodeRows) rows)" : ""), ofmap \(r.io.ofmapRLC ? "run-length coded" : "raw")\(r.io.ofmapCodeByRowChunk ? " (a code per row chunk)" : "")\(r.io.relu ? ", ReLU" : "")\(r.io.rowPool.map { ", rows pooled \($0.size)/\(RowPool.stride)" } ?? "")"),
            row("zeros in ifmap / ofmap", String(format: "%.1f %% / %.1f %%", 100 * r.ifmapZeroFraction, 100 * r.ofmapZeroFraction)),
            row("outputs checked", "\(r.outputs), \(r.mismatches) mismatching"),
        ]
        lines += r.firstMismatches.map { "  MISMATCH \($0)" }
        lines.append(r.verdict)
        return lines.joined(separator: "\n")
    }
}

/// The layer's data: from .npy files where given (quantized to the data format), else random
/// from the seed exactly as `LayerRunner` draws it.
struct TensorInputs {
    var input: QuantizedTensor
    var weights: QuantizedTensor
    var fromFiles: [String] = []

    init(input inputPath: String?, weights weightsPath: String?, inputFractionBits: Int?, weightFractionBits: Int?,
         layer: LayerShape, config: ValidConfig, seed: UInt64, sparsity: Double) throws {
        let fp = FixedPoint(config)
        var rng = SplitMix64(seed: seed)
        let inDims = [layer.n, layer.c, layer.h, layer.w], wDims = [layer.m, layer.channelsPerGroup, layer.r, layer.s]
        let randomInput = Tensor4.random(dims: inDims, range: fp.dataRange, zeroFraction: sparsity, rng: &rng)
        let randomWeights = Tensor4.random(dims: wDims, range: fp.dataRange, zeroFraction: 0.1, rng: &rng)
        func load(_ path: String?, dims: [Int], bits: Int?, random: Tensor4) throws -> QuantizedTensor {
            guard let path else { return QuantizedTensor(tensor: random, fractionBits: 0, maxError: 0) }
            return try TensorFile.quantized(path, as: dims, dataBits: fp.dataBits, fractionBits: bits)
        }
        input = try load(inputPath, dims: inDims, bits: inputFractionBits, random: randomInput)
        weights = try load(weightsPath, dims: wDims, bits: weightFractionBits, random: randomWeights)
        fromFiles = [inputPath, weightsPath].compactMap { $0 }
    }

    /// What the report adds about the files: scales, quantization error, the output's binary point.
    func notes(shift: Int, output: String?) -> String {
        guard !fromFiles.isEmpty || output != nil else { return "" }
        var lines = [""]
        lines.append("  input: \(input.fractionBits) fraction bits, max quantization error \(input.maxError)")
        lines.append("  weights: \(weights.fractionBits) fraction bits, max quantization error \(weights.maxError)")
        let outBits = input.fractionBits + weights.fractionBits - shift
        lines.append("  ofmap: integers with \(outBits) fraction bits (input + weights - shift)" + (output.map { ", written to \($0)" } ?? ""))
        return lines.joined(separator: "\n")
    }
}
