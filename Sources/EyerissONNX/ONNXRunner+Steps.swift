import EyerissConfig
import EyerissGolden
import Foundation

extension LayerShape {
    /// "N=2 C=3 H=7 W=5 M=4 R=3 S=2 stride 1 pad 0 groups 1"
    var summary: String { "N=\(n) C=\(c) H=\(h) W=\(w) M=\(m) R=\(r) S=\(s) stride \(stride) pad \(padding) groups \(groups)" }
}

extension ONNXRunner {
    /// For each 2-D tensor that is a Flatten or Reshape of an `[N,C,H,W]` tensor (through
    /// Dropout, Identity or Relu), that 4-D shape: a Gemm on it runs as a CONV over the whole
    /// `H x W` window, which uses the array far better than a 1 x 1 CONV over `C*H*W` channels.
    static func flattenViews(_ nodes: [Graph.Node], reference: [String: FloatTensor]) -> [String: [Int]] {
        var views: [String: [Int]] = [:]
        for node in nodes {
            guard let x = node.inputs.first, let out = node.outputs.first, let dims = reference[out]?.dims else { continue }
            switch node.opType {
            case "Flatten", "Reshape":
                if let src = reference[x]?.dims, src.count == 4, dims == [src[0], src[1] * src[2] * src[3]] { views[out] = src }
            case "Dropout", "Identity", "Relu":
                if let v = views[x] { views[out] = v }
            default:
                break
            }
        }
        return views
    }

    /// The CONV shape an accelerated node runs as; throws for what the hardware cannot do.
    static func layerShape(_ node: Graph.Node, reference: [String: FloatTensor], consts: [String: FloatTensor],
                           views: [String: [Int]]) throws -> LayerShape {
        let name = node.name.isEmpty ? node.outputs[0] : node.name
        guard let x = reference[node.inputs[0]], node.inputs.count >= 2, let w = consts[node.inputs[1]] else {
            throw ONNXError.unmappable("\(node.label): the weights must be constant (an initializer or a constant subgraph)")
        }
        switch node.opType {
        case "Conv":
            let window = try FloatOps.Window.of(node, kernel: (w.dims[2], w.dims[3]))
            guard window.dilations == (1, 1) else {
                throw ONNXError.unmappable("\(node.label): dilation \(window.dilations.h)x\(window.dilations.w); the PEs read filters densely, only dilation 1 maps")
            }
            guard window.strides.h == window.strides.w else {
                throw ONNXError.unmappable("\(node.label): strides \(window.strides.h) and \(window.strides.w) differ; the array takes one stride")
            }
            let p = window.pads
            let symmetric = p.t == p.l && p.l == p.b && p.b == p.r
            // Uneven padding: the host pads the input with zeros and the layer runs unpadded.
            let (h, wd, pad) = symmetric ? (x.dims[2], x.dims[3], p.t) : (x.dims[2] + p.t + p.b, x.dims[3] + p.l + p.r, 0)
            return LayerShape(name: name, n: x.dims[0], c: x.dims[1], h: h, w: wd, m: w.dims[0], r: w.dims[2], s: w.dims[3],
                              stride: window.strides.h, padding: pad, groups: try node.int("group", default: 1))
        default:  // Gemm, MatMul: a CONV with a 1 x 1 output
            guard x.dims.count == 2 else { throw ONNXError.unmappable("\(node.label): input \(x.dims) must be 2-D") }
            if node.opType == "Gemm", try node.int("transA", default: 0) != 0 {
                throw ONNXError.unmappable("\(node.label): transA = 1 (a transposed activation matrix) does not map")
            }
            let transB = node.opType == "Gemm" ? try node.int("transB", default: 0) != 0 : false
            let outputs = transB ? w.dims[0] : w.dims[1]
            let v = views[node.inputs[0]] ?? [x.dims[0], x.dims[1], 1, 1]
            return LayerShape(name: name, n: x.dims[0], c: v[1], h: v[2], w: v[3], m: outputs, r: v[2], s: v[3],
                              stride: 1, padding: 0)
        }
    }

    /// Real-valued weights `[M][C/groups][R][S]` and per-output bias of an accelerated node.
    static func convWeights(_ node: Graph.Node, shape: LayerShape, consts: [String: FloatTensor],
                            views: [String: [Int]]) throws -> (FloatTensor, FloatTensor?) {
        let w = consts[node.inputs[1]]!
        let biasInput = node.opType == "MatMul" ? nil : (node.inputs.count > 2 && !node.inputs[2].isEmpty ? node.inputs[2] : nil)
        switch node.opType {
        case "Conv":
            return (w, biasInput.flatMap { consts[$0] })
        default:
            let transB = node.opType == "Gemm" ? try node.int("transB", default: 0) != 0 : false
            let alpha = node.opType == "Gemm" ? try node.float("alpha", default: 1) : 1
            let beta = node.opType == "Gemm" ? try node.float("beta", default: 1) : 1
            var mk = transB ? w : FloatOps.transpose(w, perm: [1, 0])
            if alpha != 1 { mk.values = mk.values.map { $0 * alpha } }
            let weights = mk.reshaped([shape.m, shape.c, shape.r, shape.s])
            guard let name = biasInput, let c = consts[name] else { return (weights, nil) }
            guard c.count == shape.m || c.count == 1 else {
                throw ONNXError.unmappable("\(node.label): bias C \(c.dims) must be one value per output (or one value)")
            }
            let bias = FloatTensor(dims: [shape.m], values: (0..<shape.m).map { beta * c.values[c.count == 1 ? 0 : $0] })
            return (weights, bias)
        }
    }

    /// The input as the layer takes it: padded with zeros on the host when the model's padding
    /// is uneven, and a Gemm's `[N, K]` seen as `[N, C, H, W]`.
    static func hostPadded(_ x: QTensor, shape: LayerShape, node: Graph.Node) throws -> (QTensor, LayerShape) {
        guard node.opType == "Conv", x.dims.count == 4, x.dims[2] != shape.h || x.dims[3] != shape.w else {
            return (QTensor(dims: [shape.n, shape.c, shape.h, shape.w], values: x.values, frac: x.frac), shape)
        }
        let window = try FloatOps.Window.of(node, kernel: (shape.r, shape.s))
        let (n, c, h, w) = (x.dims[0], x.dims[1], x.dims[2], x.dims[3])
        var out = [Int](repeating: 0, count: n * c * shape.h * shape.w)
        for plane in 0..<(n * c) {
            for y in 0..<h {
                for xx in 0..<w {
                    out[(plane * shape.h + y + window.pads.t) * shape.w + xx + window.pads.l] = x.values[(plane * h + y) * w + xx]
                }
            }
        }
        return (QTensor(dims: [n, c, shape.h, shape.w], values: out, frac: x.frac), shape)
    }

    /// Steps that only move, pick or compare values: exact on the integers.
    static let exactSteps: Set<String> = ["Relu", "MaxPool", "GlobalMaxPool", "Flatten", "Reshape", "Squeeze", "Unsqueeze",
                                          "Transpose", "Dropout", "Identity"]

    static func hostStep(_ node: Graph.Node, values: [String: QTensor], consts: [String: FloatTensor],
                         reference: [String: FloatTensor], headroomFrac: (Double) -> Int,
                         quantize: (FloatTensor, Int) -> QTensor) throws -> ([QTensor], String) {
        let runtimeInputs = node.inputs.filter { values[$0] != nil }
        let fracs = Set(runtimeInputs.map { values[$0]!.frac })
        let exact = exactSteps.contains(node.opType) || (node.opType == "Concat" && fracs.count == 1)
        if exact, let frac = fracs.first, fracs.count == 1 {
            let ins = node.inputs.map { name -> FloatTensor? in values[name]?.exact ?? consts[name] }
            let outs = try FloatReference.evaluate(node, ins)
            return (outs.map { QTensor(dims: $0.dims, values: $0.values.map { Int($0) }, frac: frac) }, "exact")
        }
        let ins = node.inputs.map { name -> FloatTensor? in values[name]?.real ?? consts[name] }
        let outs = try FloatReference.evaluate(node, ins)
        var notes: [String] = []
        let q = zip(node.outputs, outs).map { name, t -> QTensor in
            let frac = headroomFrac(reference[name]?.peak ?? t.peak)
            notes.append("2^\(-frac)")
            return quantize(t, frac)
        }
        return (q, "float, re-quantized to \(notes.joined(separator: ", "))")
    }

    /// Folds each BatchNormalization that alone reads a Conv's output into that Conv's
    /// weights and bias (all constant initializers); others stay host steps.
    static func foldBatchNorms(_ graph: Graph) throws -> Graph {
        var g = graph
        var uses: [String: Int] = [:]
        for n in g.nodes { for i in n.inputs { uses[i, default: 0] += 1 } }
        var removed: Set<Int> = []
        for (k, bn) in g.nodes.enumerated() where bn.opType == "BatchNormalization" {
            guard let convIndex = g.nodes.firstIndex(where: { $0.opType == "Conv" && $0.outputs.first == bn.inputs[0] }),
                  uses[bn.inputs[0]] == 1, bn.inputs.count >= 5,
                  let w = g.initializers[g.nodes[convIndex].inputs[1]],
                  let scale = g.initializers[bn.inputs[1]], let beta = g.initializers[bn.inputs[2]],
                  let mean = g.initializers[bn.inputs[3]], let variance = g.initializers[bn.inputs[4]] else { continue }
            let conv = g.nodes[convIndex]
            let bias = conv.inputs.count > 2 && !conv.inputs[2].isEmpty ? g.initializers[conv.inputs[2]] : nil
            if conv.inputs.count > 2 && !conv.inputs[2].isEmpty && bias == nil { continue }
            let eps = try bn.float("epsilon", default: 1e-5)
            let m = w.dims[0]
            let per = w.count / m
            var fw = w
            var fb = FloatTensor(dims: [m])
            for f in 0..<m {
                let a = scale.values[f] / (variance.values[f] + eps).squareRoot()
                for i in 0..<per { fw.values[f * per + i] *= a }
                fb.values[f] = ((bias?.values[f] ?? 0) - mean.values[f]) * a + beta.values[f]
            }
            let (wName, bName) = (conv.outputs[0] + "/bn_folded_w", conv.outputs[0] + "/bn_folded_b")
            g.initializers[wName] = fw
            g.initializers[bName] = fb
            g.nodes[convIndex].inputs = [conv.inputs[0], wName, bName]
            g.nodes[convIndex].outputs = [bn.outputs[0]]
            removed.insert(k)
        }
        g.nodes = g.nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        return g
    }
}
