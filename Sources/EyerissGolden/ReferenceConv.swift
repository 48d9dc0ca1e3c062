import EyerissConfig

/// The golden convolution: what a layer's psums must be, from the definition with the
/// `FixedPoint` rules and no notion of PEs, passes or mapping. The RTL and the mapper are
/// checked against it; it is checked against a plain integer loop and hand-worked cases, and
/// its fast form (`conv`) against the product-by-product definition (`convByDefinition`).
///
/// Because products saturate one by one and psums wrap, the result does not depend on the
/// order of accumulation, so any loop order is as good as the hardware's.
public enum ReferenceConv {
    /// A whole CONV layer: `out[n][m][e][f]` is the wrapping sum over the group's channels
    /// `c` and filter positions `r`, `s` of `product(weights[m][c][r][s], in[n][g*C + c][y][x])`
    /// with `y = e*stride + r - padding`, `x = f*stride + s - padding`, `C = layer.c / groups`,
    /// `g` the group of filter `m`. Positions in the zero padding read activation 0 and so add
    /// exactly nothing.
    ///
    /// - Parameters:
    ///   - layer: a shape that passed `validated()`.
    ///   - input: ifmaps `[n][c][h][w]`, valid data.
    ///   - weights: filters `[m][c/groups][r][s]`, valid data.
    ///   - shift: the layer's product shift, in `fixedPoint.shiftRange`.
    /// - Returns: psums `[n][m][e][f]` (before ReLU).
    public static func conv(_ layer: LayerShape, input: Tensor4, weights: Tensor4, shift: Int,
                            fixedPoint: FixedPoint, relu: Bool) -> Tensor4 {
        let out = conv(layer, input: input, weights: weights, shift: shift, fixedPoint: fixedPoint)
        return relu ? Self.relu(out, fixedPoint: fixedPoint) : out
    }

    /// The psums of a layer, as `convByDefinition` defines them, computed fast enough for whole
    /// networks: each weight is applied to a row of outputs at a time, zero weights are skipped
    /// (their products are 0), and the psums are summed in `Int` with wrapping additions and
    /// wrapped to `psumBits` once at the end, which gives the same bits because wrapping
    /// addition is modular. Every operand is checked against the data range first.
    public static func conv(_ layer: LayerShape, input: Tensor4, weights: Tensor4, shift: Int,
                            fixedPoint: FixedPoint) -> Tensor4 {
        checkShapes(layer, input: input, weights: weights, shift: shift, fixedPoint: fixedPoint)
        for (what, tensor) in [("input", input), ("weight", weights)] {
            if let bad = tensor.values.first(where: { !fixedPoint.isValidData($0) }) {
                preconditionFailure("ReferenceConv.conv(\(layer.name)): \(what) \(bad) is outside the \(fixedPoint.dataBits)-bit data range \(fixedPoint.dataRange)")
            }
        }
        let (cPerGroup, mPerGroup) = (layer.channelsPerGroup, layer.filtersPerGroup)
        let (h, w, e, f, r, s) = (layer.h, layer.w, layer.e, layer.f, layer.r, layer.s)
        let (stride, pad) = (layer.stride, layer.padding)
        let (low, high) = (fixedPoint.psumRange.lowerBound, fixedPoint.psumRange.upperBound)
        var out = [Int](repeating: 0, count: layer.n * layer.m * e * f)
        input.values.withUnsafeBufferPointer { x in
            weights.values.withUnsafeBufferPointer { wt in
                out.withUnsafeMutableBufferPointer { o in
                    for image in 0..<layer.n {
                        for filter in 0..<layer.m {
                            let firstChannel = (filter / mPerGroup) * cPerGroup
                            let plane = (image * layer.m + filter) * e * f
                            for channel in 0..<cPerGroup {
                                let inPlane = (image * layer.c + firstChannel + channel) * h * w
                                for fy in 0..<r {
                                    for fx in 0..<s {
                                        let weight = wt[((filter * cPerGroup + channel) * r + fy) * s + fx]
                                        guard weight != 0 else { continue }
                                        // Outputs whose column x = ox*stride + fx - pad lies in the image.
                                        let first = pad > fx ? (pad - fx + stride - 1) / stride : 0
                                        guard w - 1 + pad - fx >= 0 else { continue }
                                        let last = min(f - 1, (w - 1 + pad - fx) / stride)
                                        guard first <= last else { continue }
                                        for oy in 0..<e {
                                            let y = oy * stride + fy - pad
                                            guard y >= 0 && y < h else { continue }
                                            let row = inPlane + y * w + fx - pad
                                            let outRow = plane + oy * f
                                            for ox in first...last {
                                                let product = (weight * x[row + ox * stride]) >> shift
                                                o[outRow + ox] &+= min(max(product, low), high)
                                            }
                                        }
                                    }
                                }
                            }
                            for i in plane..<(plane + e * f) { o[i] = fixedPoint.wrapPsum(o[i]) }
                        }
                    }
                }
            }
        }
        return Tensor4(dims: [layer.n, layer.m, e, f], values: out)
    }

    /// The definition, product by product through `FixedPoint`: what `conv` computes, kept
    /// to check it (tests compare the two on random layers and formats).
    public static func convByDefinition(_ layer: LayerShape, input: Tensor4, weights: Tensor4, shift: Int,
                                        fixedPoint: FixedPoint) -> Tensor4 {
        checkShapes(layer, input: input, weights: weights, shift: shift, fixedPoint: fixedPoint)

        let (cPerGroup, mPerGroup) = (layer.channelsPerGroup, layer.filtersPerGroup)
        var out = Tensor4(dims: [layer.n, layer.m, layer.e, layer.f], fill: 0)
        for image in 0..<layer.n {
            for filter in 0..<layer.m {
                let firstChannel = (filter / mPerGroup) * cPerGroup
                for oy in 0..<layer.e {
                    for ox in 0..<layer.f {
                        var psum = 0
                        for channel in 0..<cPerGroup {
                            for fy in 0..<layer.r {
                                let y = oy * layer.stride + fy - layer.padding
                                guard (0..<layer.h).contains(y) else { continue }  // padding: adds 0
                                for fx in 0..<layer.s {
                                    let x = ox * layer.stride + fx - layer.padding
                                    guard (0..<layer.w).contains(x) else { continue }
                                    let p = fixedPoint.product(weight: weights[filter, channel, fy, fx],
                                                               activation: input[image, firstChannel + channel, y, x],
                                                               shift: shift)
                                    psum = fixedPoint.accumulate(psum, p)
                                }
                            }
                        }
                        out[image, filter, oy, ox] = psum
                    }
                }
            }
        }
        return out
    }

    /// The shapes and the shift a convolution needs; anything else is a programming error.
    private static func checkShapes(_ layer: LayerShape, input: Tensor4, weights: Tensor4, shift: Int, fixedPoint: FixedPoint) {
        precondition((try? layer.validated()) != nil, "ReferenceConv.conv: layer \(layer.name) is not a valid shape: \(layer)")
        let inDims = [layer.n, layer.c, layer.h, layer.w]
        let wDims = [layer.m, layer.channelsPerGroup, layer.r, layer.s]
        precondition(input.dims == inDims,
                     "ReferenceConv.conv(\(layer.name)): input dims \(input.dims) must be [n, c, h, w] = \(inDims)")
        precondition(weights.dims == wDims,
                     "ReferenceConv.conv(\(layer.name)): weights dims \(weights.dims) must be [m, c/groups, r, s] = \(wDims)")
        precondition(fixedPoint.shiftRange.contains(shift),
                     "ReferenceConv.conv(\(layer.name)): shift \(shift) must be in \(fixedPoint.shiftRange)")
    }

    /// What one row-stationary PE computes (Chen et al., ISCA 2016): a 1-D convolution of
    /// `p` filter rows (interleaved filters) over `q` channels against `q` ifmap rows, added
    /// to the psum row that came in (from the PE below or the psum GIN).
    ///
    /// `out[k][f] = psumIn[k][f] + sum over c < q, s < S of
    ///  product(filters[k][c][s], ifmapRows[c][f*stride + s])`, every `+` wrapping.
    ///
    /// - Parameters:
    ///   - filters: `[p][q][S]` weights, valid data; every filter row has the same width `S`.
    ///   - ifmapRows: `[q][W]` activations, already zero padded, with `W >= (F-1)*stride + S`.
    ///   - stride: horizontal stride, at least 1.
    ///   - outputs: `F`, psums per row, at least 1.
    ///   - psumIn: `[p][F]` incoming psums (valid psums), or nil for zeros.
    ///   - shift: the layer's product shift.
    /// - Returns: `[p][F]` psums.
    public static func rowConvolution(filters: [[[Int]]], ifmapRows: [[Int]], stride: Int, outputs: Int,
                                      psumIn: [[Int]]?, shift: Int, fixedPoint: FixedPoint) -> [[Int]] {
        let p = filters.count
        let q = ifmapRows.count
        precondition(p >= 1, "ReferenceConv.rowConvolution: no filters given (p = 0)")
        precondition(q >= 1, "ReferenceConv.rowConvolution: no ifmap rows given (q = 0)")
        precondition(stride >= 1, "ReferenceConv.rowConvolution: stride \(stride) must be at least 1")
        precondition(outputs >= 1, "ReferenceConv.rowConvolution: outputs \(outputs) must be at least 1")
        precondition(fixedPoint.shiftRange.contains(shift),
                     "ReferenceConv.rowConvolution: shift \(shift) must be in \(fixedPoint.shiftRange)")
        let width = filters[0].first?.count ?? 0
        precondition(width >= 1, "ReferenceConv.rowConvolution: filter rows are empty (S = 0)")
        for (k, filter) in filters.enumerated() {
            precondition(filter.count == q,
                         "ReferenceConv.rowConvolution: filter \(k) has \(filter.count) channel rows, ifmapRows has q = \(q)")
            for (c, row) in filter.enumerated() {
                precondition(row.count == width,
                             "ReferenceConv.rowConvolution: filters[\(k)][\(c)] has \(row.count) taps, expected S = \(width)")
            }
        }
        let needed = (outputs - 1) * stride + width
        for (c, row) in ifmapRows.enumerated() {
            precondition(row.count >= needed,
                         "ReferenceConv.rowConvolution: ifmapRows[\(c)] has \(row.count) values, needs (F-1)*stride + S = \(needed)")
        }
        if let psumIn {
            precondition(psumIn.count == p && psumIn.allSatisfy { $0.count == outputs },
                         "ReferenceConv.rowConvolution: psumIn must be [p = \(p)][F = \(outputs)], got \(psumIn.count) rows of \(psumIn.map(\.count))")
            precondition(psumIn.allSatisfy { $0.allSatisfy(fixedPoint.isValidPsum) },
                         "ReferenceConv.rowConvolution: psumIn holds a value outside the psum range \(fixedPoint.psumRange)")
        }

        var out = psumIn ?? Array(repeating: Array(repeating: 0, count: outputs), count: p)
        for k in 0..<p {
            for f in 0..<outputs {
                var psum = out[k][f]
                for c in 0..<q {
                    for s in 0..<width {
                        let product = fixedPoint.product(weight: filters[k][c][s],
                                                         activation: ifmapRows[c][f * stride + s], shift: shift)
                        psum = fixedPoint.accumulate(psum, product)
                    }
                }
                out[k][f] = psum
            }
        }
        return out
    }

    /// ReLU applied to every element: `max(0, x)`, as the chip does to ofmaps on their way to
    /// DRAM.
    public static func relu(_ t: Tensor4, fixedPoint: FixedPoint) -> Tensor4 {
        Tensor4(dims: t.dims, values: t.values.map(fixedPoint.relu))
    }
}
