import ArgumentParser
import EyerissConfig
import EyerissCosim
import EyerissONNX
import EyerissTensorIO
import Foundation

/// `eyeriss run --onnx`: a model's CONV and fully connected layers on the accelerator, the
/// rest on the host, against the float reference of the same graph.
struct ONNXOptions: ParsableArguments {
    @Option(name: .customLong("onnx"), help: "An ONNX model: Conv, Gemm and MatMul run on the accelerator, other operators on the host.")
    var model: String?

    @Option(help: ArgumentHelp("The network's input: .npy or a serialized ONNX TensorProto (.pb).",
                               discussion: "With --onnx, the model's input; default: test_data_set_0/input_0.pb beside the model if there is one, else the ONNX backend tests' dummy input (arange(n)/n in the input's shape). With --network, the first layer's image [n][c][h][w]: integers as they are, floats quantized (--input-fraction-bits, default the most that fit); default: random 8-bit pixels from the seed."))
    var input: String?

    @Option(help: "Fraction bits of a float --input with --network (default: the most that fit).")
    var inputFractionBits: Int?

    @Option(help: "The expected output (.pb or .npy). Default, when --input is not given: test_data_set_0/output_0.pb or MODEL_output_0.pb beside the model.")
    var expected: String?

    @Option(help: "Write the network's output to this .npy file: with --onnx as the quantized run computed it (float32), with --network the last stage's output as the hardware wrote it (int16).")
    var output: String?

    @Flag(help: "Run the accelerated layers on the golden model only (no Verilator): checks the import and the quantization quickly.")
    var goldenOnly = false

    @Option(help: ArgumentHelp("Co-simulate only these accelerated layers (names as the report gives them, comma-separated); the others run on the golden model, which gives the same integers.",
                               valueName: "names"))
    var cosimLayers: String?

    func run(model: String, config: ValidConfig, layerOptions: LayerRunOptions, report: ReportOptions, json: Bool) throws {
        let graph = try load { try ONNXFile.loadModel(path: model) }
        let dir = URL(fileURLWithPath: model).deletingLastPathComponent()
        let base = URL(fileURLWithPath: model).deletingPathExtension().path
        func existing(_ paths: [String]) -> String? { paths.first { FileManager.default.fileExists(atPath: $0) } }
        let inputPath = input ?? existing([dir.appendingPathComponent("test_data_set_0/input_0.pb").path])
        let expectedPath = expected ?? (input != nil ? nil : existing([dir.appendingPathComponent("test_data_set_0/output_0.pb").path, base + "_output_0.pb"]))
        let x: FloatTensor
        if let inputPath {
            x = try TensorFile.floats(inputPath)
        } else {
            guard let first = graph.inputs.first, first.dims.allSatisfy({ $0 != nil }) else {
                throw CLIError("the model's input has symbolic extents: give --input")
            }
            let dims = first.dims.map { $0! }
            let n = dims.reduce(1, *)
            x = FloatTensor(dims: dims, values: (0..<n).map { Double(Float(Double($0) / Double(n))) })
        }
        let y = try expectedPath.map(TensorFile.floats)
        let only = cosimLayers.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
        let backend: ConvBackend = goldenOnly ? .golden : .cosim(layerOptions, only: only)
        let (result, out) = try load { try SimulationOutcome.run { try ONNXRunner.run(graph, input: x, expected: y, config: config, backend: backend) } }
        try report.write(command: "run --onnx \(model)", config: config, results: result.layers.compactMap(\.cosim))
        if let output, let out {
            let data = NPY.float32File(shape: out.dims, values: out.values)
            try AtomicFile.write(data, to: output)
        }
        try SimulationOutcome.report(result, json: json, passed: result.passed) {
            ONNXReport.text(result, config: config, input: inputPath ?? "dummy arange(n)/n", expected: expectedPath)
        }
    }

    private func load<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as ONNXError {
            throw CLIError(e.description)
        } catch let e as NPYError {
            throw CLIError(e.description)
        }
    }
}

/// Writes a file whole or not at all: a later run never trusts half a file.
enum AtomicFile {
    static func write(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}

/// The terminal report of an ONNX run.
enum ONNXReport {
    static func text(_ r: ONNXRunResult, config: ValidConfig, input: String, expected: String?) -> String {
        func g(_ x: Double?) -> String { x.map { String(format: "%.4g", $0) } ?? "-" }
        let header = ["layer", "op", "shape", "frac in/w/out", "shift", "ReLU", "cycles", "MACs", "util", "max |err|", "bound", "peak", "check"]
        let rows = r.layers.map { l -> [String] in
            [l.node, l.op, "\(l.layer.c)x\(l.layer.h)x\(l.layer.w) -> \(l.layer.m)x\(l.layer.e)x\(l.layer.f) (\(l.layer.r)x\(l.layer.s)/\(l.layer.stride) g\(l.layer.groups))",
             "\(l.inputFrac)/\(l.weightFrac)/\(l.outputFrac)", "\(l.shift)", l.reluOnChip ? "chip" : "host",
             l.cosim.map { "\($0.cycles)" } ?? "-", "\(l.layer.macs)", l.cosim.map { String(format: "%.2f", $0.utilization) } ?? "-",
             g(l.maxAbsError), g(l.quantizationBound), g(l.referencePeak), l.cosim?.verdict ?? "golden"]
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, t in c <= 2 ? t.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[c] - t.count) + t }.joined(separator: "  ")
        }
        var out = ["\(r.model) on \(config.raw.array.rows)x\(config.raw.array.columns) PEs (\(r.backend)), input \(input)", line(header)]
        out += rows.map(line)
        out.append("host steps: " + r.hostSteps.joined(separator: ", "))
        if !r.mismatchedLayers.isEmpty {
            out += r.layers.compactMap(\.cosim).flatMap { $0.firstMismatches.map { "  MISMATCH \($0)" } }
            out.append("FAIL: \(r.mismatchedLayers.joined(separator: ", ")) did not match the golden model")
            return out.joined(separator: "\n")
        }
        out.append("output \(r.outputDims): quantized vs float reference: max |err| \(g(r.maxAbsError)), mean |err| \(g(r.meanAbsError))"
                   + (r.top1Agreement.map { String(format: ", top-1 agreement %.1f%%", 100 * $0) } ?? ""))
        if let e = r.expected, let expected {
            out.append("vs \(expected): float reference max |err| \(g(e.referenceMaxAbsError)); quantized max |err| \(g(e.maxAbsError)), mean \(g(e.meanAbsError))"
                       + (e.top1Agreement.map { String(format: ", top-1 agreement %.1f%%", 100 * $0) } ?? ""))
        }
        out.append(r.backend == "golden" ? "golden model only: nothing simulated"
            : r.backend == "cosim" ? "PASS: every accelerated layer bit-exact against the golden model"
            : "PASS: every co-simulated layer bit-exact against the golden model")
        return out.joined(separator: "\n")
    }
}
