import Foundation

/// A dense tensor of real numbers, row-major, any rank: what the float reference computes
/// with, and how ONNX constants (weights, shapes, attributes) are held once read.
public struct FloatTensor: Equatable, Sendable {
    public var dims: [Int]
    public var values: [Double]

    public init(dims: [Int], values: [Double]) {
        precondition(dims.allSatisfy { $0 >= 0 } && dims.reduce(1, *) == values.count,
                     "FloatTensor: \(values.count) values for dims \(dims)")
        self.dims = dims
        self.values = values
    }

    public init(dims: [Int], fill: Double = 0) {
        self.init(dims: dims, values: Array(repeating: fill, count: dims.reduce(1, *)))
    }

    public var count: Int { values.count }

    /// The values as integers (shapes, axes): an error names `what` if one is not whole.
    func integers(_ what: String) throws -> [Int] {
        try values.map { v in
            guard v.rounded() == v, abs(v) < 9.0e15 else { throw ONNXError.badModel("\(what): \(v) is not an integer") }
            return Int(v)
        }
    }

    /// The same values under other dims (same count).
    func reshaped(_ newDims: [Int]) -> FloatTensor { FloatTensor(dims: newDims, values: values) }

    /// Largest |value| (0 for an empty tensor).
    var peak: Double { values.reduce(0) { max($0, abs($1)) } }
}

/// What an import or a run of an ONNX model can fail with; each names the node or file.
public enum ONNXError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case badModel(String)
    /// Operators the accelerator and the host cannot run, each with its node name.
    case unsupported([String])
    /// A layer the hardware cannot take (dilation, a shape the mapper rejects...).
    case unmappable(String)

    public var description: String {
        switch self {
        case let .unreadable(m): return "cannot read the model: \(m)"
        case let .badModel(m): return "malformed model: \(m)"
        case let .unsupported(ops):
            return "the model uses operators this tool cannot run (nothing was simulated):\n  " + ops.joined(separator: "\n  ")
        case let .unmappable(m): return "cannot map onto the accelerator: \(m)"
        }
    }
}
