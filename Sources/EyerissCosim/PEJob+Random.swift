import EyerissConfig
import EyerissGolden
import EyerissRTL

extension PEJob {
    /// The row convolutions one PE runs for `layer` under the row-stationary dataflow, with as
    /// many filters (p) and channels (q) as its scratchpads allow, on random data: weights and
    /// activations span the whole data range, `sparsity` of the activations are zero, and the
    /// padding columns are zero as in the layer.
    public static func forLayer(_ layer: LayerShape, params: PEParams, rows: Int, sparsity: Double, shift: Int,
                                withPsumIn: Bool, rng: inout SplitMix64) throws -> PEJob {
        let s = layer.s
        guard s <= params.ifmapSpadWords else {
            throw CosimError.badArgument("\(layer.name): filter width \(s) exceeds the ifmap spad (\(params.ifmapSpadWords) words)")
        }
        let q = max(1, min(layer.channelsPerGroup, params.ifmapSpadWords / s))
        let p = max(1, min(layer.filtersPerGroup, params.psumSpadWords, params.filterSpadWords / (q * s)))
        guard p * q * s <= params.filterSpadWords else {
            throw CosimError.badArgument("\(layer.name): one filter row of width \(s) does not fit the filter spad")
        }
        return random(p: p, q: q, s: s, stride: layer.stride, outputs: layer.f, padding: layer.padding, rows: rows,
                      sparsity: sparsity, shift: shift, withPsumIn: withPsumIn, params: params, rng: &rng)
    }

    /// A random job of the given shape; see `forLayer`.
    public static func random(p: Int, q: Int, s: Int, stride: Int, outputs: Int, padding: Int = 0, rows: Int,
                              sparsity: Double, shift: Int, withPsumIn: Bool, params: PEParams,
                              rng: inout SplitMix64) -> PEJob {
        let fp = FixedPoint(dataBits: params.dataBits, psumBits: params.psumBits)
        // One value in five is a corner (the extremes, +-1, +-2), the rest uniform: uniform
        // 16-bit data alone almost never hits the cases where saturation and gating go wrong.
        func value(_ range: ClosedRange<Int>) -> Int {
            if Int.random(in: 0..<5, using: &rng) == 0 {
                return [range.lowerBound, range.upperBound, -1, 1, -2, 2].randomElement(using: &rng)!
            }
            return Int.random(in: range, using: &rng)
        }
        func nonZero(_ range: ClosedRange<Int>) -> Int {
            while true { let v = value(range); if v != 0 { return v } }
        }
        let width = (outputs - 1) * stride + s
        let filters = (0..<p).map { _ in (0..<q).map { _ in (0..<s).map { _ in value(fp.dataRange) } } }
        let ifmapRows = (0..<rows).map { _ in
            (0..<q).map { _ in
                (0..<width).map { x -> Int in
                    if x < padding || x >= width - padding { return 0 }
                    return Double.random(in: 0..<1, using: &rng) < sparsity ? 0 : nonZero(fp.dataRange)
                }
            }
        }
        let psumIn = withPsumIn
            ? (0..<rows).map { _ in (0..<p).map { _ in (0..<outputs).map { _ in value(fp.psumRange) } } }
            : nil
        return PEJob(filters: filters, ifmapRows: ifmapRows, psumIn: psumIn, stride: stride, outputs: outputs, shift: shift)
    }
}
