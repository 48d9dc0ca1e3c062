import EyerissConfig
import EyerissCosim
import EyerissGolden
import XCTest

/// The accelerator on hand-built programs, before any mapper: an empty program, and one pass
/// of a small padded convolution whose descriptor, DRAM layout and filter block are worked out
/// by hand from docs/architecture.md.
final class TopSmokeTests: XCTestCase {
    static let config = try! ConfigLoader.load(file: nil, overrides: ["array.rows=3", "array.columns=4"]).validated()

    func testEmptyProgramFinishes() throws {
        let sim = try AcceleratorSimulator(config: Self.config, seed: 1, dramLines: 64, dram: .nominal(Self.config))
        try sim.writeDRAM(line: 0, [UInt64](repeating: 0, count: DescriptorField.linesPerDescriptor))
        let stats = try sim.run(programLine: 0)
        XCTAssertEqual(stats.dramLinesRead, 12, "one descriptor fetched")
        XCTAssertEqual(stats.macs, 0)
    }

    /// The hand-built pass's descriptor, whole as the first of a program is (the lines of
    /// docs/architecture.md, section 5): PASS, the next descriptor (END) line 0 alone, load
    /// filters, load ifmaps and store, the psum tile at line 512 (bank 1), the ifmap tile at `ifmapBase`; ifmap at line 52,
    /// ofmap at 68; no later filter block; yStart -1, Ycount 6, Epass 4; e 4, a filter block of
    /// 12 lines at 38; ...; the shift and, in the same 16 bits, a pitch of 4 (= e); ...; step 1, a code a row of 4 in the tile (unused: raw), ifmap and
    /// ofmap rows of 2 lines (raw), the load bringing all 4 rows, the first at ring place 0.
    static func handDescriptor(shift: Int, ifmapBase: Int = 0, loadRows: Int = 4, rowPhase: Int = 0) -> [UInt64] {
        func quad(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> UInt64 {
            [a, b, c, d].enumerated().reduce(UInt64(0)) { $0 | UInt64(UInt16($1.element)) << (16 * UInt64($1.offset)) }
        }
        func pair(_ low: Int, _ high: Int) -> UInt64 { UInt64(UInt32(bitPattern: Int32(low))) | UInt64(UInt32(high)) << 32 }
        let bankLines = config.raw.globalBuffer.bankWords
        return [
            1 | 1 << 4 | UInt64(1 | 2 | 8) << 16 | UInt64(bankLines) << 28 | UInt64(ifmapBase) << 46,
            pair(52, 68),
            0,
            pair(-1, 6 | 4 << 16),
            quad(4, 12, 38, 0),
            quad(0, 4, 2, 2),
            quad(3, 1, 1, 1),
            quad(3, 1, 6, shift | 4 << 8),
            quad(1, 6, 4, 2),
            pair(8, 8),
            quad(2, 1, 1, 4),
            quad(2, 2, loadRows, rowPhase),
        ]
    }

    /// A descriptor whose ifmap tile (2 channels x 4 rows x 2 lines) would end past the ifmap
    /// region (psum bank 1: 512 lines) stops the run with an RTL assertion naming the check.
    func testAnIfmapTileOutsideItsRegionIsCaught() throws {
        let sim = try AcceleratorSimulator(config: Self.config, seed: 3, dramLines: 84, dram: .nominal(Self.config))
        try sim.writeDRAM(line: 0, Self.handDescriptor(shift: 10, ifmapBase: 510) + [UInt64](repeating: 0, count: 19))
        XCTAssertThrowsError(try sim.run(programLine: 0)) { error in
            XCTAssertTrue("\(error)".contains("ifmap_tile_in_region"), "\(error)")
        }
    }

    /// A descriptor that loads more rows than its tile has, or puts its first row at a ring
    /// place outside the tile, stops the run with the assertion that names the check.
    func testALoadOutsideItsTileIsCaught() throws {
        for (loadRows, rowPhase) in [(5, 0), (4, 4)] {
            let sim = try AcceleratorSimulator(config: Self.config, seed: 3, dramLines: 84, dram: .nominal(Self.config))
            try sim.writeDRAM(line: 0, Self.handDescriptor(shift: 10, loadRows: loadRows, rowPhase: rowPhase)
                              + [UInt64](repeating: 0, count: 19))
            XCTAssertThrowsError(try sim.run(programLine: 0), "load rows \(loadRows), phase \(rowPhase)") { error in
                XCTAssertTrue("\(error)".contains("ifmap_load_rows_in_tile"), "\(error)")
            }
        }
    }

    /// C = 2, H = 4, W = 6, M = 2, 3x3 filters, stride 1, pad 1: one pass with Rc = 3, r = 1,
    /// q = 2, p = 2, e = 4, t = 1 on the 3x4 array.
    func testOnePassByHandMatchesTheGoldenModel() throws {
        let layer = LayerShape(name: "hand", n: 1, c: 2, h: 4, w: 6, m: 2, r: 3, s: 3, stride: 1, padding: 1)
        let fp = FixedPoint(Self.config)
        var rng = SplitMix64(seed: 9)
        let input = Tensor4.random(dims: [1, 2, 4, 6], range: fp.dataRange, zeroFraction: 0.4, rng: &rng)
        let weights = Tensor4.random(dims: [2, 2, 3, 3], range: fp.dataRange, zeroFraction: 0.1, rng: &rng)
        let shift = 10
        let expected = ReferenceConv.conv(layer, input: input, weights: weights, shift: shift, fixedPoint: fp)

        func pack(_ words: [Int]) -> [UInt64] {
            stride(from: 0, to: words.count, by: 4).map { i in
                (0..<4).reduce(UInt64(0)) { acc, l in
                    i + l < words.count ? acc | (UInt64(UInt16(truncatingIfNeeded: words[i + l])) << (16 * UInt64(l))) : acc
                }
            }
        }
        let descriptor = Self.handDescriptor(shift: shift)
        // Filter block: tg < 1; 3 PE rows, so 3 words to a line: line w = (s < 3, cq < 2, k < 2)
        // holds word w of PE rows ρ = 0, 1, 2 (filter row i = ρ) in lanes 0-2.
        var filterLines: [UInt64] = []
        for s in 0..<3 { for c in 0..<2 { for k in 0..<2 { filterLines += pack((0..<4).map { rho in rho < 3 ? weights[k, c, rho, s] : 0 }) } } }
        XCTAssertEqual(filterLines.count, 12)
        // Ifmap: [c][y] rows of Wl = 2 lines (W = 6 padded to 8 words).
        var ifmapLines: [UInt64] = []
        for c in 0..<2 { for y in 0..<4 { ifmapLines += pack((0..<8).map { x in x < 6 ? input[0, c, y, x] : 0 }) } }

        let sim = try AcceleratorSimulator(config: Self.config, seed: 3, dramLines: 84, dram: .nominal(Self.config))
        try sim.writeDRAM(line: 0, descriptor + [UInt64](repeating: 0, count: 19))
        try sim.writeDRAM(line: 38, filterLines)
        try sim.writeDRAM(line: 52, ifmapLines)
        let stats = try sim.run(programLine: 0)
        let ofmap = try sim.readDRAM(line: 68, count: 16)
        for m in 0..<2 {
            for e in 0..<4 {
                for f in 0..<6 {
                    let line = ofmap[m * 8 + e * 2 + f / 4]
                    let got = Int(Int16(truncatingIfNeeded: line >> (16 * UInt64(f % 4))))
                    XCTAssertEqual(got, expected[0, m, e, f], "m \(m) e \(e) f \(f)")
                }
            }
        }
        let zeroUses = countZeroUses(layer, input)
        XCTAssertEqual(stats.macs + stats.gated, UInt64(layer.macs), "every MAC done or gated once")
        XCTAssertEqual(stats.gated, UInt64(zeroUses), "gated MACs are the zero activations' (padding included) uses")
        XCTAssertEqual(stats.dramLinesRead, UInt64(12 + 1 + 12 + 16), "the whole first descriptor, END's line 0, the filter block and the ifmap")
        XCTAssertEqual(stats.dramLinesWritten, 16)
    }

    /// MAC slots whose activation is zero, counting zero padding: each such activation use
    /// is gated once for every filter.
    func countZeroUses(_ l: LayerShape, _ input: Tensor4) -> Int {
        var zeros = 0
        for e in 0..<l.e { for f in 0..<l.f { for c in 0..<l.c { for r in 0..<l.r { for s in 0..<l.s {
            let y = e * l.stride - l.padding + r, x = f * l.stride - l.padding + s
            if y < 0 || y >= l.h || x < 0 || x >= l.w || input[0, c, y, x] == 0 { zeros += 1 }
        } } } } }
        return zeros * l.m
    }
}
