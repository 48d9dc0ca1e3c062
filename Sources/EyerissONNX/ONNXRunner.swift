import EyerissConfig
import EyerissCosim
import EyerissGolden
import EyerissMapper
import EyerissTensorIO
import Foundation
import Logging

/// A tensor on the quantized path: integers and their binary point (`real = value / 2^frac`).
struct QTensor {
    var dims: [Int]
    var values: [Int]
    var frac: Int

    var real: FloatTensor { FloatTensor(dims: dims, values: values.map { Double($0) / Quantizer.pow2(frac) }) }
    /// The integers as exact doubles, for host steps that only move, pick or compare values.
    var exact: FloatTensor { FloatTensor(dims: dims, values: values.map(Double.init)) }
}

/// How the accelerated layers run: on the Verilated accelerator (checked against the golden
/// model, bit for bit) or on the golden model alone.
public enum ConvBackend: Sendable {
    /// Co-simulates the accelerated layers named in `only` (as `ONNXLayerResult.node` names
    /// them), or all when it is nil; the others run on the golden model, which gives the same
    /// integers, so a long network can be spread over several runs or machines.
    case cosim(LayerRunOptions, only: Set<String>? = nil)
    case golden

    /// The options to co-simulate the layer named `name` with, or nil: golden model.
    func cosimOptions(for name: String) -> LayerRunOptions? {
        guard case let .cosim(options, only) = self, only?.contains(name) ?? true else { return nil }
        return options
    }

    var summary: String {
        switch self {
        case .golden: return "golden"
        case .cosim(_, nil): return "cosim"
        case let .cosim(_, only?): return "cosim of \(only.sorted().joined(separator: ", ")), golden elsewhere"
        }
    }
}

/// One accelerated layer of an ONNX run.
public struct ONNXLayerResult: Codable, Sendable {
    public var node: String
    public var op: String
    public var layer: LayerShape
    /// Fraction bits of input, weights and output, and the product shift `in + w - out`.
    public var inputFrac: Int
    public var weightFrac: Int
    public var outputFrac: Int
    public var shift: Int
    public var reluOnChip: Bool
    /// Present when co-simulated: cycles, counters, the bit-exact check.
    public var cosim: LayerResult?
    /// Largest |quantized - float reference| of the layer's output, in real units, and the
    /// float output's largest magnitude.
    public var maxAbsError: Double
    public var referencePeak: Double
    /// The most this layer's own rounding can add to an output, for an input that is exactly
    /// its quantized value: `K` products each off by the input's rounding times the largest
    /// weight, the weights' rounding times the largest input, and the floor of the product
    /// shift (`K` = channels per group x R x S), plus half a step for the rounded bias. For
    /// the first layer, the whole error against the float reference.
    public var quantizationBound: Double
}

/// The outcome of running an ONNX model.
public struct ONNXRunResult: Codable, Sendable {
    public var model: String
    public var backend: String
    public var layers: [ONNXLayerResult]
    /// Host steps, in order: "MaxPool 'pool1' (exact)", "LRN 'norm1' (float, re-quantized to 2^-9)".
    public var hostSteps: [String]
    /// The first graph output: dims, and the error of the quantized run against the float
    /// reference computed here and, when given, against the expected output stored with the model.
    public var outputDims: [Int]
    public var maxAbsError: Double?
    public var meanAbsError: Double?
    /// For outputs shaped `[N, classes]` (or `[N, classes, 1, 1]`): rows whose arg-max agrees with the float reference.
    public var top1Agreement: Double?
    public var expected: ExpectedComparison?
    /// Accelerated layers that did not match the golden model (co-simulation only).
    public var mismatchedLayers: [String]
    public var passed: Bool { mismatchedLayers.isEmpty }

    public struct ExpectedComparison: Codable, Sendable {
        /// The float reference here against the stored output: the import's own error.
        public var referenceMaxAbsError: Double
        /// The quantized run against the stored output.
        public var maxAbsError: Double
        public var meanAbsError: Double
        public var top1Agreement: Double?
    }
}

/// Runs an ONNX graph: CONV and fully connected layers on the accelerator, everything else on
/// the host, and compares the result with a float reference of the same graph.
///
/// Quantization (per tensor, powers of two, chosen from the float reference of the same input):
/// - the input and every weight tensor get the most fraction bits that fit `dataBits`;
/// - an accelerated layer's output gets the most fraction bits that leave one bit of headroom
///   over the float output's peak (and over its peak before the bias); the product shift is
///   `inputFrac + weightFrac - outputFrac`, kept in `0..<2*dataBits` by giving the output
///   fewer fraction bits or the weights fewer;
/// - a bias is added on the host, rounded to the output's scale, and the sum saturated to the
///   data range; ReLU runs on the chip when it follows a layer with no bias, else on the host;
/// - host steps that only move or compare values (ReLU, max pooling, Flatten, Reshape,
///   Dropout, Concat of equal scales, Transpose) are exact on the integers; the others (LRN,
///   Softmax, averaging, Add...) take the real values, compute in `Double` and re-quantize
///   with the scale the float reference's peak gives, one bit of headroom.
/// Everything here is deterministic, so the golden model and the hardware see the same
/// integers at every accelerated layer and each layer is checked bit for bit.
public enum ONNXRunner {
    /// Operators that run on the accelerator.
    public static let accelerated: Set<String> = ["Conv", "Gemm", "MatMul"]

    /// How results and `--cosim-layers` name an accelerated node: its name, else its first output.
    static func layerName(_ node: Graph.Node) -> String { node.name.isEmpty ? node.outputs[0] : node.name }

    /// Everything the graph's nodes need that this tool does not have, one line per node.
    public static func unsupported(_ graph: Graph) -> [String] {
        graph.nodes.filter { !FloatReference.operators.contains($0.opType) }.map { "\($0.label): operator \($0.opType)" }
    }

    /// Runs `graph` on `input`; the result and the network's output as the quantized path
    /// computed it (nil when a layer did not match).
    public static func run(_ graph: Graph, input: FloatTensor, expected: FloatTensor? = nil, config: ValidConfig,
                           backend: ConvBackend,
                           logger: Logger = Logger(label: "eyeriss.onnx")) throws -> (result: ONNXRunResult, output: FloatTensor?) {
        let missing = unsupported(graph)
        guard missing.isEmpty else { throw ONNXError.unsupported(missing) }
        guard graph.inputs.count == 1, let inputName = graph.inputs.first?.name else {
            throw ONNXError.badModel("the graph takes \(graph.inputs.count) inputs (\(graph.inputs.map(\.name))); one is supported")
        }
        let graph = try foldBatchNorms(graph)
        if case let .cosim(_, only?) = backend {
            let names = graph.nodes.filter { accelerated.contains($0.opType) }.map(layerName)
            let unknown = only.subtracting(names)
            guard unknown.isEmpty else {
                throw ONNXError.badModel("no accelerated layer named \(unknown.sorted().joined(separator: ", ")); the model's are \(names.joined(separator: ", "))")
            }
        }
        let fp = FixedPoint(config)

        // 1. Constants, then the float reference of every tensor.
        var consts = graph.initializers
        var runtime: [Graph.Node] = []
        for node in graph.nodes {
            let ins = node.inputs.filter { !$0.isEmpty }
            if ins.allSatisfy({ consts[$0] != nil }) {
                let outs = try FloatReference.evaluate(node, node.inputs.map { $0.isEmpty ? nil : consts[$0] })
                for (name, t) in zip(node.outputs, outs) { consts[name] = t }
            } else {
                runtime.append(node)
            }
        }
        var reference = consts
        reference[inputName] = input
        for node in runtime {
            let outs = try FloatReference.evaluate(node, node.inputs.map { $0.isEmpty ? nil : reference[$0] })
            for (name, t) in zip(node.outputs, outs) { reference[name] = t }
        }
        guard let outputName = graph.outputs.first, let refOut = reference[outputName] else {
            throw ONNXError.badModel("the graph's output is never computed")
        }

        // 2. Every accelerated layer must map before anything is simulated.
        var consumers: [String: [Graph.Node]] = [:]
        for node in runtime { for i in node.inputs { consumers[i, default: []].append(node) } }
        let views = flattenViews(runtime, reference: reference)
        var shapes: [String: LayerShape] = [:]
        for node in runtime where accelerated.contains(node.opType) {
            let shape = try layerShape(node, reference: reference, consts: consts, views: views)
            do {
                _ = try Mapper.map(layer: try shape.validated(), config: config, shift: 0)
            } catch {
                throw ONNXError.unmappable("\(node.label) as \(shape.summary): \(error)")
            }
            shapes[node.name + "|" + node.outputs[0]] = shape
        }

        // 3. The quantized run.
        let bits = fp.dataBits
        let top = (1 << (bits - 1)) - 1
        func quantize(_ t: FloatTensor, frac: Int) -> QTensor {
            QTensor(dims: t.dims, values: t.values.map { min(top, max(-top - 1, Int(($0 * Quantizer.pow2(frac)).rounded()))) }, frac: frac)
        }
        func headroomFrac(_ peak: Double) -> Int { Quantizer.fractionBits(peak: peak, dataBits: bits) - 1 }

        var values: [String: QTensor] = [:]
        values[inputName] = quantize(input, frac: Quantizer.fractionBits(peak: input.peak, dataBits: bits))
        var layers: [ONNXLayerResult] = []
        var hostSteps: [String] = []
        var skip: Set<String> = []
        var mismatched: [String] = []
        for node in runtime {
            guard !skip.contains(node.outputs[0]) else { continue }
            if accelerated.contains(node.opType) {
                let shape = shapes[node.name + "|" + node.outputs[0]]!
                guard let x = values[node.inputs[0]] else { throw ONNXError.badModel("\(node.label): input not computed") }
                let next = consumers[node.outputs[0]] ?? []
                let (weights, bias) = try convWeights(node, shape: shape, consts: consts, views: views)
                let refY = reference[node.outputs[0]]!
                var preBiasPeak = refY.peak
                if let bias {
                    let perChannel = refY.count / max(1, bias.count * shape.n)
                    preBiasPeak = refY.values.enumerated().reduce(0) { acc, e in
                        max(acc, abs(e.element - bias.values[(e.offset / max(1, perChannel)) % bias.count]))
                    }
                }
                var outFrac = headroomFrac(max(refY.peak, preBiasPeak))
                var wFrac = Quantizer.fractionBits(peak: weights.peak, dataBits: bits)
                if x.frac + wFrac - outFrac < 0 { outFrac = x.frac + wFrac }
                if x.frac + wFrac - outFrac > fp.shiftRange.upperBound - 1 { wFrac = outFrac + fp.shiftRange.upperBound - 1 - x.frac }
                let shift = x.frac + wFrac - outFrac
                let qw = quantize(weights, frac: wFrac)
                let biasIsZero = bias?.values.allSatisfy { $0 == 0 } ?? true
                let fuseRelu = biasIsZero && next.count == 1 && next[0].opType == "Relu"
                let (qx, layer) = try hostPadded(x, shape: shape, node: node)
                let inputT = Tensor4(dims: [layer.n, layer.c, layer.h, layer.w], values: qx.values)
                let weightT = Tensor4(dims: [layer.m, layer.channelsPerGroup, layer.r, layer.s], values: qw.values)
                logger.info("\(node.label): \(layer.summary), shift \(shift)")
                var out: Tensor4
                var cosim: LayerResult?
                if var options = backend.cosimOptions(for: layerName(node)) {
                    options.shift = shift
                    options.io = LayerIO(relu: fuseRelu)
                    options.sparsity = 0
                    let run = try LayerRunner.runDetailed(layer, config: config, options: options, input: inputT, weights: weightT,
                                                          logger: logger)
                    cosim = run.result
                    if !run.result.passed { mismatched.append(node.label) }
                    out = Tensor4(dims: run.expected.dims, values: try run.plan.readOfmap(lines: run.ofmapLines))
                } else {
                    out = ReferenceConv.conv(layer, input: inputT, weights: weightT, shift: shift, fixedPoint: fp, relu: fuseRelu)
                }
                var y = QTensor(dims: refY.dims, values: out.values, frac: outFrac)
                if let bias {
                    let perChannel = y.values.count / max(1, shape.n * shape.m)
                    let qb = bias.values.map { Int(($0 * Quantizer.pow2(outFrac)).rounded()) }
                    for i in y.values.indices {
                        y.values[i] = min(top, max(-top - 1, y.values[i] + qb[(i / perChannel) % shape.m]))
                    }
                }
                if fuseRelu {
                    skip.insert(next[0].outputs[0])
                    values[next[0].outputs[0]] = y
                }
                values[node.outputs[0]] = y
                let step = { (k: Int) in 1 / Quantizer.pow2(k) }
                let k = Double(layer.channelsPerGroup * layer.r * layer.s)
                let bound = k * (step(outFrac) + weights.peak * step(x.frac + 1) + x.real.peak * step(wFrac + 1)
                                 + step(x.frac + wFrac + 2)) + (bias == nil ? 0 : step(outFrac + 1))
                let err = zip(y.real.values, (fuseRelu ? reference[next[0].outputs[0]]! : refY).values).map { abs($0 - $1) }.max() ?? 0
                layers.append(ONNXLayerResult(node: layerName(node), op: node.opType, layer: layer,
                                              inputFrac: x.frac, weightFrac: wFrac, outputFrac: outFrac, shift: shift,
                                              reluOnChip: fuseRelu, cosim: cosim, maxAbsError: err, referencePeak: refY.peak,
                                              quantizationBound: bound))
                if !mismatched.isEmpty { break }
            } else {
                let (outs, note) = try hostStep(node, values: values, consts: consts, reference: reference, headroomFrac: headroomFrac,
                                                quantize: quantize)
                for (name, t) in zip(node.outputs, outs) { values[name] = t }
                hostSteps.append("\(node.label) (\(note))")
            }
        }

        var result = ONNXRunResult(model: graph.name, backend: backend.summary,
                                   layers: layers, hostSteps: hostSteps, outputDims: refOut.dims, maxAbsError: nil,
                                   meanAbsError: nil, top1Agreement: nil, expected: nil, mismatchedLayers: mismatched)
        guard mismatched.isEmpty, let finalQ = values[outputName] else { return (result, nil) }
        let got = finalQ.real
        (result.maxAbsError, result.meanAbsError) = errors(got, refOut)
        result.top1Agreement = top1(got, refOut)
        if let expected {
            guard expected.count == refOut.count else {
                throw ONNXError.badModel("the expected output has \(expected.count) values, the model's output \(refOut.count)")
            }
            let (m, mean) = errors(got, expected)
            result.expected = .init(referenceMaxAbsError: errors(refOut, expected).max, maxAbsError: m, meanAbsError: mean,
                                    top1Agreement: top1(got, expected))
        }
        return (result, got)
    }

    static func errors(_ a: FloatTensor, _ b: FloatTensor) -> (max: Double, mean: Double) {
        let d = zip(a.values, b.values).map { abs($0 - $1) }
        return (d.max() ?? 0, d.reduce(0, +) / Double(max(1, d.count)))
    }

    static func top1(_ a: FloatTensor, _ b: FloatTensor) -> Double? {
        // [N, classes] or [N, classes, 1, 1]
        guard a.dims.count >= 2, a.dims[1] > 1, a.dims[2...].allSatisfy({ $0 == 1 }) else { return nil }
        let (rows, cols) = (a.dims[0], a.dims[1])
        func argmax(_ t: FloatTensor, _ r: Int) -> Int {
            (0..<cols).max { t.values[r * cols + $0] < t.values[r * cols + $1] }!
        }
        let agree = (0..<rows).filter { argmax(a, $0) == argmax(b, $0) }.count
        return Double(agree) / Double(rows)
    }
}
