import Foundation
import EyerissGolden

/// A tensor in the accelerator's fixed-point format: integers, and the binary point that says
/// what they stand for (`value = integer / 2^fractionBits`).
public struct QuantizedTensor: Equatable, Sendable {
    public var tensor: Tensor4
    /// Fraction bits: 0 for integer data taken as it is.
    public var fractionBits: Int
    /// Largest |float - integer / 2^fractionBits| over the elements (0 for integer data).
    public var maxError: Double

    public init(tensor: Tensor4, fractionBits: Int, maxError: Double) {
        self.tensor = tensor
        self.fractionBits = fractionBits
        self.maxError = maxError
    }
}

/// Turns `.npy` arrays into the data format and back.
///
/// - Integer arrays are taken as fixed-point values as they are (`fractionBits` 0); a value
///   outside the `dataBits` range is an error, never clipped.
/// - Float arrays are scaled by a power of two and rounded to the nearest integer: `2^k` with
///   the largest `k` whose scaled maximum still fits `dataBits` (so the scale is chosen per
///   tensor), or the `k` a user gives; `k` may be negative for large values.
public enum Quantizer {
    public static func quantize(_ array: NPYArray, as dims: [Int], dataBits: Int, fractionBits: Int? = nil,
                                name: String) throws -> QuantizedTensor {
        let shape = array.shape
        guard shape.reduce(1, *) == dims.reduce(1, *), shape.count <= 4,
              Array(repeating: 1, count: 4 - shape.count) + shape == dims || shape == dims else {
            throw NPYError(name, "shape \(shape) does not match the layer's \(dims)")
        }
        let limit = 1 << (dataBits - 1)
        switch array.elements {
        case let .integers(values):
            if let fractionBits, fractionBits != 0 {
                throw NPYError(name, "integer data is taken as it is: a fraction bits option (\(fractionBits)) applies to float data only")
            }
            if let bad = values.firstIndex(where: { $0 < -limit || $0 >= limit }) {
                throw NPYError(name, "element \(bad) = \(values[bad]) is outside the \(dataBits)-bit data range \(-limit)...\(limit - 1)")
            }
            return QuantizedTensor(tensor: Tensor4(dims: dims, values: values), fractionBits: 0, maxError: 0)
        case let .floats(values):
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw NPYError(name, "element \(bad) is \(values[bad]): not a finite number")
            }
            let peak = values.map(abs).max() ?? 0
            let k: Int
            if let fractionBits {
                k = fractionBits
            } else {
                k = Quantizer.fractionBits(peak: peak, dataBits: dataBits)
            }
            let scale = pow2(k)
            let ints = values.map { Int(($0 * scale).rounded()) }
            if let bad = ints.firstIndex(where: { $0 < -limit || $0 >= limit }) {
                throw NPYError(name, "element \(bad) = \(values[bad]) x 2^\(k) = \(ints[bad]) is outside the \(dataBits)-bit data range: use fewer fraction bits")
            }
            let error = zip(values, ints).map { abs($0 - Double($1) / scale) }.max() ?? 0
            return QuantizedTensor(tensor: Tensor4(dims: dims, values: ints), fractionBits: k, maxError: error)
        }
    }

    /// The per-tensor scale: the largest `k` with `round(peak * 2^k) <= 2^(dataBits-1) - 1`
    /// (0 for an all-zero tensor; negative for large values).
    public static func fractionBits(peak: Double, dataBits: Int) -> Int {
        let top = Double((1 << (dataBits - 1)) - 1)
        guard peak > 0, peak.isFinite else { return 0 }
        // The log gives the answer to within one; the loops settle the rounding at the edge.
        // pow2 is exact over Double's whole exponent range, so huge and tiny peaks need no
        // special case (light_vgg19's constant weights grow its activations to 1e31: -91
        // fraction bits).
        var guess = Int((top / peak).log2Floor)
        while (peak * pow2(guess + 1)).rounded() <= top { guess += 1 }
        while (peak * pow2(guess)).rounded() > top { guess -= 1 }
        return guess
    }

    /// `2^k`, exact for every `k` a Double can scale by (`scalbn`).
    public static func pow2(_ k: Int) -> Double { scalbn(1.0, k) }
}

private extension Double {
    var log2Floor: Double { self > 0 ? (log2(self)).rounded(.down) : 0 }
}
