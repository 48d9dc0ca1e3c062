import ArgumentParser
import EyerissConfig
import EyerissCosim
import EyerissMapper
import EyerissTensorIO
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a whole network's CONV layers on the generated accelerator through run-length coded DRAM.",
        discussion: """
            The first layer reads the raw image; every layer's output goes through ReLU and the RTL \
            encoder into DRAM, and the next layer's RTL decoder reads those bytes (where the network \
            pools in between, the host decodes, pools and re-codes). Every layer is checked value for \
            value and code word for code word against the golden model. Data: 8-bit image pixels and \
            weights drawn so each layer's output has a realistic share of zeros (see NetworkData). \
            Exits non-zero when a layer does not match. With --jobs above 1 (the default: one per \
            core) the layers run at once on their own threads, each reading the golden model's output \
            of the layer before: the same bytes whenever that layer passes its check.
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var simulation: SimulationOptions
    @OptionGroup var reportOptions: ReportOptions

    @Option(help: "Network: \(Network.names.joined(separator: ", ")).")
    var network: String?

    @OptionGroup var onnx: ONNXOptions

    @Option(help: "Images in the batch.")
    var batch: Int = 1

    @Flag(help: "Hostile DRAM: random extra latency and stalls on every transfer (from the seed).")
    var hostileDram = false

    @Option(help: ArgumentHelp("--network: layers co-simulated at once, each on its own thread (default: the machine's cores).",
                               discussion: "With more than one, a layer reads the golden model's output of the layer before (pooled and coded by the host) instead of the bytes the RTL wrote: the same bytes whenever that layer passes, since its check compares every value and code word with that golden output. --jobs 1 runs the layers in order on the RTL's own bytes."))
    var jobs: Int?

    @Option(help: ArgumentHelp("What the mapper's ranking minimizes for every layer among the geometries within 5 % of the fewest estimated cycles.",
                               discussion: "balanced: the estimated cycles plus one per DRAM line loaded; dram: the fewest estimated DRAM lines, then the fewest cycles (as `bench --accelerator`)."))
    var objective: MappingObjective = .balanced

    @Option(help: "Stop a run after this many cycles without any transfer.")
    var watchdog: UInt64 = 200_000

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard (network == nil) != (onnx.model == nil) else { throw ValidationError("give either --network or --onnx") }
        if let network, !Network.names.contains(network) {
            throw ValidationError("unknown network \(network); known: \(Network.names.joined(separator: ", "))")
        }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if let jobs {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
            guard network != nil else { throw ValidationError("--jobs applies to --network only") }
        }
        if network != nil {
            for (flag, given) in [("--expected", onnx.expected != nil), ("--golden-only", onnx.goldenOnly),
                                  ("--cosim-layers", onnx.cosimLayers != nil)] where given {
                throw ValidationError("\(flag) applies to --onnx only")
            }
        } else if onnx.goldenOnly && onnx.cosimLayers != nil {
            throw ValidationError("--cosim-layers and --golden-only contradict each other")
        } else if onnx.inputFractionBits != nil {
            throw ValidationError("--input-fraction-bits applies to --network only (an ONNX input is quantized with the model)")
        }
    }

    func run() throws {
        let config = try options.load()
        if let model = onnx.model {
            var layerOptions = LayerRunOptions(seed: simulation.seed, watchdogCycles: watchdog, objective: objective)
            if hostileDram { layerOptions.dram = .hostile(config) }
            return try onnx.run(model: model, config: config, layerOptions: layerOptions, report: reportOptions, json: json)
        }
        let net = Network.named(network!, batch: batch)!
        var opts = NetworkRunOptions(seed: simulation.seed, watchdogCycles: watchdog,
                                     jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, objective: objective)
        if hostileDram { opts.dram = .hostile(config) }
        var notes: [String] = []
        if let path = onnx.input, let first = net.stages.first?.layer {
            let dims = [first.n, first.c, first.h, first.w]
            let image = try TensorFile.quantized(path, as: dims, dataBits: config.raw.fixedPoint.dataBits,
                                                 fractionBits: onnx.inputFractionBits)
            opts.image = image.tensor
            notes.append("image \(path): \(image.fractionBits) fraction bits, max quantization error \(image.maxError)")
        }
        let (result, output) = try SimulationOutcome.run { try NetworkRunner.runDetailed(net, config: config, options: opts) }
        try reportOptions.write(command: "run --network \(network!)", config: config, results: result.layers.map(\.result))
        if let path = onnx.output, let output {
            try AtomicFile.write(NPY.int16File(shape: output.dims, values: output.values), to: path)
            notes.append("output \(output.dims) written to \(path)")
        }
        try SimulationOutcome.report(result, json: json, passed: result.passed) { NetworkReport.text(result, config: config, notes: notes) }
    }
}

/// The terminal table of a network run.
enum NetworkReport {
    static func text(_ r: NetworkResult, config: ValidConfig, notes: [String] = []) -> String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        func kb(_ b: UInt64) -> String { String(format: "%.1f", Double(b) / 1000) }
        let header = ["layer", "cycles", "ifmap 0s", "ofmap 0s", "fmap kB RLC", "fmap kB raw", "ratio",
                      "DRAM kB RLC", "DRAM kB raw", "ratio", "MACs done", "MACs gated", "gated", "check"]
        var rows = r.layers.map { l -> [String] in
            let s = l.result.stats
            return [l.result.layer.name, "\(l.result.cycles)", pct(l.result.ifmapZeroFraction), pct(l.result.ofmapZeroFraction),
                    kb(l.fmapBytesCoded), kb(l.fmapBytesRaw), String(format: "%.2fx", l.fmapCompression),
                    kb(l.dramBytesCoded), kb(l.dramBytesRaw), String(format: "%.2fx", l.dramCompression),
                    "\(s.macs)", "\(s.gated)", pct(l.gatedFraction), l.result.verdict]
        }
        let sum = { (f: (NetworkLayerResult) -> UInt64) in r.layers.map(f).reduce(0, +) }
        let (fc, fr, dc, dr) = (sum(\.fmapBytesCoded), sum(\.fmapBytesRaw), sum(\.dramBytesCoded), sum(\.dramBytesRaw))
        let (macs, gated) = (sum { $0.result.stats.macs }, sum { $0.result.stats.gated })
        rows.append(["total", "\(sum { $0.result.cycles })", "", "", kb(fc), kb(fr), String(format: "%.2fx", Double(fr) / Double(max(1, fc))),
                     kb(dc), kb(dr), String(format: "%.2fx", Double(dr) / Double(max(1, dc))), "\(macs)", "\(gated)",
                     pct(Double(gated) / Double(max(1, macs + gated))), r.passed ? "PASS" : "FAIL"])
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, text in
                c == 0 ? text.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - text.count) + text
            }.joined(separator: "  ")
        }
        var out = ["\(r.network) on \(config.raw.array.rows)x\(config.raw.array.columns) PEs, seed \(r.seed): fmaps run-length coded in DRAM, ReLU on every output",
                   line(header)]
        out += rows.map(line)
        out += r.layers.map { "  \($0.result.layer.name): ifmap from \($0.ifmapSource)" }
        out += r.layers.flatMap { $0.result.firstMismatches.map { "  MISMATCH \($0)" } }
        if !r.notRun.isEmpty { out.append("not run after the failure: \(r.notRun.joined(separator: ", "))") }
        out += notes
        out.append(r.passed ? "PASS" : "FAIL")
        return out.joined(separator: "\n")
    }
}
