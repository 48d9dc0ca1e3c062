import Foundation

/// Evaluates ONNX nodes on real numbers: the float reference of a model, and the constant
/// folding of weight subgraphs (Constant, ConstantOfShape, and any node whose inputs are all
/// constant).
enum FloatReference {
    /// Operators the float reference knows; `ONNXRunner.accelerated` and the host steps are
    /// subsets of these.
    static let operators: Set<String> = [
        "Conv", "Gemm", "MatMul", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LRN",
        "Add", "Sub", "Mul", "Div", "Sum", "Concat", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose",
        "Softmax", "Dropout", "Identity", "BatchNormalization", "Constant", "ConstantOfShape", "Shape", "Clip",
        "LeakyRelu", "Sigmoid", "Cast",
    ]

    static func evaluate(_ node: Graph.Node, _ inputs: [FloatTensor?]) throws -> [FloatTensor] {
        func input(_ k: Int) throws -> FloatTensor {
            guard k < inputs.count, let t = inputs[k] else { throw ONNXError.badModel("\(node.label): input \(k) missing") }
            return t
        }
        func optional(_ k: Int) -> FloatTensor? { k < inputs.count ? inputs[k] : nil }
        func unary(_ f: (Double) -> Double) throws -> [FloatTensor] {
            let x = try input(0)
            return [FloatTensor(dims: x.dims, values: x.values.map(f))]
        }
        switch node.opType {
        case "Conv":
            let (x, w) = (try input(0), try input(1))
            guard x.dims.count == 4, w.dims.count == 4 else {
                throw ONNXError.badModel("\(node.label): only 2-D convolutions ([N,C,H,W]) are supported, input \(x.dims)")
            }
            let groups = try node.int("group", default: 1)
            guard groups >= 1, x.dims[1] == w.dims[1] * groups, w.dims[0] % groups == 0 else {
                throw ONNXError.badModel("\(node.label): input \(x.dims), weights \(w.dims) and group \(groups) do not fit")
            }
            let window = try FloatOps.Window.of(node, kernel: (w.dims[2], w.dims[3]))
            return [FloatOps.conv(x, weights: w, bias: optional(2), window: window, groups: groups)]
        case "Gemm":
            return [try FloatOps.gemm(try input(0), try input(1), optional(2), alpha: try node.float("alpha", default: 1),
                                      beta: try node.float("beta", default: 1), transA: try node.int("transA", default: 0) != 0,
                                      transB: try node.int("transB", default: 0) != 0)]
        case "MatMul":
            return [try FloatOps.gemm(try input(0), try input(1), nil, alpha: 1, beta: 0, transA: false, transB: false)]
        case "Relu": return try unary { max(0, $0) }
        case "LeakyRelu":
            let a = try node.float("alpha", default: 0.01)
            return try unary { $0 >= 0 ? $0 : a * $0 }
        case "Sigmoid": return try unary { 1 / (1 + exp(-$0)) }
        case "Clip":
            let minAttr = try node.float("min", default: -.infinity), maxAttr = try node.float("max", default: .infinity)
            let lo = optional(1)?.values.first ?? minAttr
            let hi = optional(2)?.values.first ?? maxAttr
            return try unary { min(hi, max(lo, $0)) }
        case "MaxPool", "AveragePool":
            let x = try input(0)
            guard x.dims.count == 4 else { throw ONNXError.badModel("\(node.label): only 2-D pooling is supported") }
            let window = try FloatOps.Window.of(node, kernel: nil)
            return [FloatOps.pool(x, window: window, max: node.opType == "MaxPool",
                                  countIncludePad: try node.int("count_include_pad", default: 0) != 0)]
        case "GlobalAveragePool", "GlobalMaxPool":
            let x = try input(0)
            let window = FloatOps.Window(kernel: (x.dims[2], x.dims[3]), strides: (1, 1), pads: (0, 0, 0, 0), dilations: (1, 1))
            return [FloatOps.pool(x, window: window, max: node.opType == "GlobalMaxPool")]
        case "LRN":
            return [FloatOps.lrn(try input(0), size: try node.int("size", default: 1), alpha: try node.float("alpha", default: 1e-4),
                                 beta: try node.float("beta", default: 0.75), bias: try node.float("bias", default: 1))]
        case "Add": return [try FloatOps.elementwise(try input(0), try input(1), +)]
        case "Sub": return [try FloatOps.elementwise(try input(0), try input(1), -)]
        case "Mul": return [try FloatOps.elementwise(try input(0), try input(1), *)]
        case "Div": return [try FloatOps.elementwise(try input(0), try input(1), /)]
        case "Sum":
            var acc = try input(0)
            for k in 1..<inputs.count { acc = try FloatOps.elementwise(acc, try input(k), +) }
            return [acc]
        case "Concat":
            return [try FloatOps.concat(try inputs.indices.map(input), axis: try node.int("axis", default: 1))]
        case "Flatten":
            let x = try input(0)
            return [x.reshaped(FloatOps.flattenDims(x.dims, axis: try node.int("axis", default: 1)))]
        case "Reshape":
            let x = try input(0)
            let spec = try input(1).integers("\(node.label) shape")
            return [x.reshaped(try FloatOps.reshapeDims(x.dims, spec, allowZero: try node.int("allowzero", default: 0) != 0))]
        case "Squeeze":
            let x = try input(0)
            let axes = try optional(1)?.integers("axes") ?? node.ints("axes")
            let drop = Set((axes ?? x.dims.indices.filter { x.dims[$0] == 1 }).map { $0 < 0 ? $0 + x.dims.count : $0 })
            return [x.reshaped(x.dims.enumerated().filter { !drop.contains($0.offset) }.map(\.element))]
        case "Unsqueeze":
            let x = try input(0)
            guard let axes = try optional(1)?.integers("axes") ?? node.ints("axes") else {
                throw ONNXError.badModel("\(node.label): no axes")
            }
            var dims = x.dims
            let rank = dims.count + axes.count
            for a in axes.map({ $0 < 0 ? $0 + rank : $0 }).sorted() { dims.insert(1, at: a) }
            return [x.reshaped(dims)]
        case "Transpose":
            let x = try input(0)
            let perm = try node.ints("perm") ?? Array(x.dims.indices.reversed())
            return [FloatOps.transpose(x, perm: perm)]
        case "Softmax":
            // Before opset 13: the tensor flattened to 2-D at `axis` (default 1); from 13: one axis (default -1).
            let x = try input(0)
            if node.opset < 13 {
                return [FloatOps.softmax(x, fromAxis: try node.int("axis", default: 1))]
            }
            return [FloatOps.softmax(x, axis: try node.int("axis", default: -1))]
        case "Dropout", "Identity", "Cast":
            let x = try input(0)
            return node.outputs.count > 1 ? [x, FloatTensor(dims: x.dims, fill: 1)] : [x]
        case "BatchNormalization":
            let x = try input(0)
            let (scale, bias, mean, variance) = (try input(1), try input(2), try input(3), try input(4))
            let eps = try node.float("epsilon", default: 1e-5)
            let (c, hw) = (x.dims[1], x.dims[2...].reduce(1, *))
            var out = x
            for i in 0..<x.count {
                let ch = (i / hw) % c
                out.values[i] = (x.values[i] - mean.values[ch]) / (variance.values[ch] + eps).squareRoot() * scale.values[ch] + bias.values[ch]
            }
            return [out]
        case "Constant":
            guard case let .tensor(t)? = node.attributes["value"] else {
                if case let .float(v)? = node.attributes["value_float"] { return [FloatTensor(dims: [], values: [v])] }
                if case let .int(v)? = node.attributes["value_int"] { return [FloatTensor(dims: [], values: [Double(v)])] }
                if case let .ints(v)? = node.attributes["value_ints"] { return [FloatTensor(dims: [v.count], values: v.map(Double.init))] }
                throw ONNXError.badModel("\(node.label): no value")
            }
            return [t]
        case "ConstantOfShape":
            let dims = try input(0).integers("\(node.label) shape")
            var fill = 0.0
            if case let .tensor(t)? = node.attributes["value"] { fill = t.values.first ?? 0 }
            return [FloatTensor(dims: dims, fill: fill)]
        case "Shape":
            let x = try input(0)
            return [FloatTensor(dims: [x.dims.count], values: x.dims.map(Double.init))]
        default:
            throw ONNXError.unsupported(["\(node.label)"])
        }
    }
}
