import EyerissConfig
import EyerissGolden
import XCTest

final class ReferenceConvTests: XCTestCase {
    let chip = FixedPoint(dataBits: 16, psumBits: 16)

    /// Small layers covering stride 1, 2, 3, padding, groups, batches and non-square shapes.
    let smallLayers: [LayerShape] = [
        LayerShape(name: "t.basic", n: 1, c: 1, h: 5, w: 5, m: 1, r: 3, s: 3, stride: 1, padding: 0),
        LayerShape(name: "t.pad", n: 1, c: 2, h: 4, w: 6, m: 3, r: 3, s: 3, stride: 1, padding: 1),
        LayerShape(name: "t.stride2", n: 2, c: 3, h: 9, w: 7, m: 2, r: 3, s: 2, stride: 2, padding: 1),
        LayerShape(name: "t.stride3", n: 1, c: 2, h: 11, w: 13, m: 4, r: 5, s: 4, stride: 3, padding: 2),
        LayerShape(name: "t.groups", n: 2, c: 4, h: 6, w: 5, m: 6, r: 3, s: 3, stride: 1, padding: 1, groups: 2),
        LayerShape(name: "t.groupsStride", n: 1, c: 6, h: 8, w: 10, m: 4, r: 2, s: 3, stride: 2, padding: 0, groups: 2),
        LayerShape(name: "t.fc", n: 3, c: 5, h: 3, w: 2, m: 4, r: 3, s: 2, stride: 1, padding: 0),
        LayerShape(name: "t.bigPad", n: 1, c: 1, h: 2, w: 3, m: 2, r: 3, s: 5, stride: 1, padding: 2),
    ]

    // MARK: - Against a plain integer convolution

    /// An independent convolution in plain integers, with no FixedPoint call: pads the input
    /// explicitly, then sums exact products. Equal to the reference whenever nothing
    /// saturates or wraps.
    func plainConv(_ l: LayerShape, input: Tensor4, weights: Tensor4) -> [[[[Int]]]] {
        let ph = l.h + 2 * l.padding, pw = l.w + 2 * l.padding
        let eh = (ph - l.r) / l.stride + 1, fw = (pw - l.s) / l.stride + 1
        // padded[n][c][y][x]
        var padded = Array(repeating: Array(repeating: Array(repeating: Array(repeating: 0, count: pw), count: ph),
                                            count: l.c), count: l.n)
        for n in 0..<l.n { for c in 0..<l.c { for y in 0..<l.h { for x in 0..<l.w {
            padded[n][c][y + l.padding][x + l.padding] = input[n, c, y, x]
        } } } }
        let cg = l.c / l.groups, mg = l.m / l.groups
        var out = Array(repeating: Array(repeating: Array(repeating: Array(repeating: 0, count: fw), count: eh),
                                         count: l.m), count: l.n)
        for n in 0..<l.n { for m in 0..<l.m { for oy in 0..<eh { for ox in 0..<fw {
            var sum = 0
            for k in 0..<cg { for dy in 0..<l.r { for dx in 0..<l.s {
                sum += weights[m, k, dy, dx] * padded[n][(m / mg) * cg + k][oy * l.stride + dy][ox * l.stride + dx]
            } } }
            out[n][m][oy][ox] = sum
        } } } }
        return out
    }

    func nested(_ t: Tensor4) -> [[[[Int]]]] {
        (0..<t.dims[0]).map { a in (0..<t.dims[1]).map { b in (0..<t.dims[2]).map { c in
            (0..<t.dims[3]).map { d in t[a, b, c, d] } } } }
    }

    /// Random data for a layer: small values with some zeros.
    func data(_ l: LayerShape, range: ClosedRange<Int>, rng: inout SplitMix64) -> (Tensor4, Tensor4) {
        let input = Tensor4.random(dims: [l.n, l.c, l.h, l.w], range: range, zeroFraction: 0.3, rng: &rng)
        let weights = Tensor4.random(dims: [l.m, l.channelsPerGroup, l.r, l.s], range: range, zeroFraction: 0.2, rng: &rng)
        return (input, weights)
    }

    func testMatchesPlainIntegerConvolution() throws {
        let seed: UInt64 = 2024
        var rng = SplitMix64(seed: seed)
        var layers = smallLayers
        // Plus random shapes, drawn from the same seed.
        for i in 0..<12 {
            func draw(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }
            let groups = draw(1...3)
            let (r, s) = (draw(1...4), draw(1...4))
            layers.append(LayerShape(name: "t.random\(i)", n: draw(1...2), c: groups * draw(1...3),
                                     h: r + draw(0...6), w: s + draw(0...6), m: groups * draw(1...3),
                                     r: r, s: s, stride: draw(1...3), padding: draw(0...2), groups: groups))
        }
        for layer in layers {
            let l = try layer.validated()
            let (input, weights) = data(l, range: -8...8, rng: &rng)
            let expected = plainConv(l, input: input, weights: weights)
            // The test is only meaningful if nothing saturated or wrapped in 16 bits.
            let magnitude = expected.joined().joined().joined().map(abs).max() ?? 0
            XCTAssertLessThan(magnitude, 32768, "\(l.name): test data too large (seed \(seed))")
            let got = ReferenceConv.conv(l, input: input, weights: weights, shift: 0, fixedPoint: chip)
            XCTAssertEqual(got.dims, [l.n, l.m, l.e, l.f], "\(l.name)")
            XCTAssertEqual(nested(got), expected, "\(l.name) (seed \(seed))")
        }
    }

    /// The fast convolution gives exactly the definition's bits: random shapes (strides,
    /// padding wider than the filter, groups, batches), full-range data that saturates products
    /// and wraps sums, every shift, and other fixed-point formats.
    func testFastConvolutionEqualsTheDefinition() throws {
        let seed: UInt64 = 77
        var rng = SplitMix64(seed: seed)
        func draw(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }
        let formats = [chip, FixedPoint(dataBits: 8, psumBits: 12), FixedPoint(dataBits: 4, psumBits: 8),
                       FixedPoint(dataBits: 16, psumBits: 32), FixedPoint(dataBits: 32, psumBits: 64)]
        var layers = smallLayers
        for i in 0..<20 {
            let groups = draw(1...3)
            let (r, s) = (draw(1...5), draw(1...5))
            layers.append(LayerShape(name: "t.fast\(i)", n: draw(1...2), c: groups * draw(1...4),
                                     h: draw(1...9), w: draw(1...9), m: groups * draw(1...3),
                                     r: r, s: s, stride: draw(1...4), padding: draw(0...4), groups: groups))
        }
        var compared = 0
        for (i, layer) in layers.enumerated() {
            guard let l = try? layer.validated() else { continue }
            let fp = formats[i % formats.count]
            let range = fp.dataRange
            let input = Tensor4.random(dims: [l.n, l.c, l.h, l.w], range: range, zeroFraction: 0.3, rng: &rng)
            let weights = Tensor4.random(dims: [l.m, l.channelsPerGroup, l.r, l.s], range: range, zeroFraction: 0.2, rng: &rng)
            for shift in [0, fp.dataBits - 1, draw(0...(2 * fp.dataBits - 1))] {
                let fast = ReferenceConv.conv(l, input: input, weights: weights, shift: shift, fixedPoint: fp)
                let definition = ReferenceConv.convByDefinition(l, input: input, weights: weights, shift: shift, fixedPoint: fp)
                XCTAssertEqual(fast, definition, "\(l) shift \(shift) \(fp) (seed \(seed))")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 60)
    }

    func testHandWorkedConvolution() throws {
        // 1 channel, 3 x 3 input, 2 x 2 filter, stride 1, pad 0:
        //  1 2 3     1  0
        //  4 5 6    -1  2
        //  7 8 9
        // out[0][0] = 1 - 4 + 10 = 7; out[0][1] = 2 - 5 + 12 = 9;
        // out[1][0] = 4 - 7 + 16 = 13; out[1][1] = 5 - 8 + 18 = 15.
        let l = try LayerShape(name: "t.hand", n: 1, c: 1, h: 3, w: 3, m: 1, r: 2, s: 2, stride: 1, padding: 0).validated()
        let input = Tensor4(dims: [1, 1, 3, 3], values: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let weights = Tensor4(dims: [1, 1, 2, 2], values: [1, 0, -1, 2])
        let out = ReferenceConv.conv(l, input: input, weights: weights, shift: 0, fixedPoint: chip)
        XCTAssertEqual(out, Tensor4(dims: [1, 1, 2, 2], values: [7, 9, 13, 15]))
        // With shift 1 each product is halved with floor before the sum:
        // out[0][0] = (1 >> 1) + (-4 >> 1) + (10 >> 1) = 0 - 2 + 5 = 3
        // out[0][1] = (2 >> 1) + (-5 >> 1) + (12 >> 1) = 1 - 3 + 6 = 4
        // out[1][0] = (4 >> 1) + (-7 >> 1) + (16 >> 1) = 2 - 4 + 8 = 6
        // out[1][1] = (5 >> 1) + (-8 >> 1) + (18 >> 1) = 2 - 4 + 9 = 7
        let halved = ReferenceConv.conv(l, input: input, weights: weights, shift: 1, fixedPoint: chip)
        XCTAssertEqual(halved, Tensor4(dims: [1, 1, 2, 2], values: [3, 4, 6, 7]))
    }

    // MARK: - Row-stationary PE

    func testRowConvolutionHandWorked() {
        // Two filters, one channel, S = 2, stride 2, F = 2, with incoming psums.
        // row = [1, 2, 3, 4, 5]; filter 0 = [1, 1], filter 1 = [2, -1].
        // f0: taps row[0..1] = 1,2; f1: taps row[2..3] = 3,4.
        // filter 0: 10 + 3 = 13, 20 + 7 = 27; filter 1: -1 + 0 = -1, 0 + 2 = 2.
        let out = ReferenceConv.rowConvolution(filters: [[[1, 1]], [[2, -1]]], ifmapRows: [[1, 2, 3, 4, 5]], stride: 2,
                                               outputs: 2, psumIn: [[10, 20], [-1, 0]], shift: 0, fixedPoint: chip)
        XCTAssertEqual(out, [[13, 27], [-1, 2]])
        let noPsum = ReferenceConv.rowConvolution(filters: [[[1, 1]]], ifmapRows: [[1, 2, 3, 4, 5]], stride: 1,
                                                  outputs: 4, psumIn: nil, shift: 0, fixedPoint: chip)
        XCTAssertEqual(noPsum, [[3, 5, 7, 9]])
    }

    func testRowConvolutionAgreesWithConvOnASingleRow() throws {
        // h == r == 1: every output is one PE's 1-D convolution, p = m filters, q = c channels.
        var rng = SplitMix64(seed: 11)
        for stride in 1...3 {
            let l = try LayerShape(name: "t.row", n: 1, c: 3, h: 1, w: 14, m: 4, r: 1, s: 3, stride: stride, padding: 0)
                .validated()
            let (input, weights) = data(l, range: -300...300, rng: &rng)
            let conv = ReferenceConv.conv(l, input: input, weights: weights, shift: 3, fixedPoint: chip)
            let filters = (0..<l.m).map { k in (0..<l.c).map { c in (0..<l.s).map { s in weights[k, c, 0, s] } } }
            let rows = (0..<l.c).map { c in (0..<l.w).map { x in input[0, c, 0, x] } }
            let pe = ReferenceConv.rowConvolution(filters: filters, ifmapRows: rows, stride: stride, outputs: l.f,
                                                  psumIn: nil, shift: 3, fixedPoint: chip)
            XCTAssertEqual(pe, (0..<l.m).map { k in (0..<l.f).map { f in conv[0, k, 0, f] } }, "stride \(stride)")
        }
    }

    func testPESetColumnOfRowConvolutionsAgreesWithConv() throws {
        // A 2-D convolution as the RS dataflow does it: output row e is the psum passed up a
        // column of R PEs, PE r convolving filter row r with padded ifmap row e*stride + r.
        // Large values and a small shift make products saturate and psums wrap, and the rows
        // are chained top-down (the reverse of the sum order in `conv`), so this also shows
        // that the order does not matter.
        var rng = SplitMix64(seed: 5)
        let l = try LayerShape(name: "t.peset", n: 1, c: 3, h: 9, w: 8, m: 2, r: 3, s: 3, stride: 2, padding: 1,
                               groups: 1).validated()
        let (input, weights) = data(l, range: -32768...32767, rng: &rng)
        let conv = ReferenceConv.conv(l, input: input, weights: weights, shift: 12, fixedPoint: chip)
        func paddedRow(_ c: Int, _ y: Int) -> [Int] {
            (0..<l.paddedW).map { x in
                let (iy, ix) = (y - l.padding, x - l.padding)
                return (0..<l.h).contains(iy) && (0..<l.w).contains(ix) ? input[0, c, iy, ix] : 0
            }
        }
        for oy in 0..<l.e {
            var psum: [[Int]]? = nil
            for fy in (0..<l.r).reversed() {
                let filters = (0..<l.m).map { k in (0..<l.c).map { c in (0..<l.s).map { s in weights[k, c, fy, s] } } }
                let rows = (0..<l.c).map { c in paddedRow(c, oy * l.stride + fy) }
                psum = ReferenceConv.rowConvolution(filters: filters, ifmapRows: rows, stride: l.stride, outputs: l.f,
                                                    psumIn: psum, shift: 12, fixedPoint: chip)
            }
            XCTAssertEqual(psum, (0..<l.m).map { k in (0..<l.f).map { f in conv[0, k, oy, f] } }, "output row \(oy)")
        }
    }

    // MARK: - Order independence

    func testConvIsIndependentOfAccumulationOrder() throws {
        // Full-range data and a small shift: products saturate and sums wrap. Summing each
        // output's products with the channel order reversed (and rows and columns too) must
        // give the same bits.
        var rng = SplitMix64(seed: 31337)
        let l = try LayerShape(name: "t.order", n: 2, c: 6, h: 7, w: 6, m: 4, r: 3, s: 2, stride: 1, padding: 1,
                               groups: 2).validated()
        let (input, weights) = data(l, range: -32768...32767, rng: &rng)
        let shift = 10
        let conv = ReferenceConv.conv(l, input: input, weights: weights, shift: shift, fixedPoint: chip)
        var wrapped = 0
        for n in 0..<l.n { for m in 0..<l.m { for oy in 0..<l.e { for ox in 0..<l.f {
            var reversed = 0
            var exact = 0
            let first = (m / l.filtersPerGroup) * l.channelsPerGroup
            for c in (0..<l.channelsPerGroup).reversed() { for dy in (0..<l.r).reversed() { for dx in (0..<l.s).reversed() {
                let (y, x) = (oy + dy - l.padding, ox + dx - l.padding)
                let a = (0..<l.h).contains(y) && (0..<l.w).contains(x) ? input[n, first + c, y, x] : 0
                let p = chip.product(weight: weights[m, c, dy, dx], activation: a, shift: shift)
                reversed = chip.accumulate(reversed, p)
                exact += p
            } } }
            if !chip.psumRange.contains(exact) { wrapped += 1 }
            XCTAssertEqual(conv[n, m, oy, ox], reversed, "[\(n)][\(m)][\(oy)][\(ox)]")
        } } } }
        XCTAssertGreaterThan(wrapped, 0, "the data should make some sums wrap")
    }

    func testRelu() {
        let t = Tensor4(dims: [1, 1, 1, 5], values: [-32768, -1, 0, 1, 32767])
        XCTAssertEqual(ReferenceConv.relu(t, fixedPoint: chip), Tensor4(dims: [1, 1, 1, 5], values: [0, 0, 0, 1, 32767]))
    }
}
