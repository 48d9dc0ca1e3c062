import EyerissConfig
import EyerissGolden
import EyerissMapper
import XCTest

/// Plans executed on the `PlanExecutor` and compared with the golden convolution, bit for bit.
final class ExecutionTests: XCTestCase {
    /// AlexNet CONV1-CONV5 with the real filter sizes, strides, padding and groups, scaled down
    /// (fewer channels and filters, smaller maps) to run quickly in a debug build, on the chip's
    /// 12 x 14 array.
    func testScaledAlexNetOnChip() throws {
        let layers = [
            LayerShape(name: "alexnet.conv1.small", n: 1, c: 3, h: 39, w: 39, m: 12, r: 11, s: 11, stride: 4, padding: 0),
            LayerShape(name: "alexnet.conv2.small", n: 1, c: 6, h: 27, w: 27, m: 10, r: 5, s: 5, stride: 1, padding: 2, groups: 2),
            LayerShape(name: "alexnet.conv3.small", n: 1, c: 20, h: 13, w: 13, m: 12, r: 3, s: 3, stride: 1, padding: 1),
            LayerShape(name: "alexnet.conv4.small", n: 1, c: 24, h: 13, w: 13, m: 16, r: 3, s: 3, stride: 1, padding: 1, groups: 2),
            LayerShape(name: "alexnet.conv5.small", n: 2, c: 20, h: 13, w: 13, m: 12, r: 3, s: 3, stride: 1, padding: 1, groups: 2),
        ]
        for (k, layer) in layers.enumerated() {
            let run = try runAndCompare(layer, config: TestConfigs.chip, shift: 6 + k, seed: 100 + UInt64(k))
            print(run.plan.summary() + "\n")
        }
    }

    /// Shapes at the edges of the contract, on the chip's array and on 3 x 4: an FC layer
    /// (E = F = 1), output rows that see only padding (their passes keep one zero pass),
    /// filters taller than the input, stride above the filter width, one-column inputs,
    /// pointwise filters, stride 3.
    func testEdgeShapes() throws {
        let layers = [
            LayerShape(name: "fc", n: 2, c: 10, h: 5, w: 5, m: 7, r: 5, s: 5, stride: 1, padding: 0),
            LayerShape(name: "padding-only-rows", n: 1, c: 3, h: 3, w: 3, m: 2, r: 1, s: 1, stride: 1, padding: 2),
            LayerShape(name: "filter-taller-than-input", n: 1, c: 2, h: 2, w: 4, m: 3, r: 3, s: 3, stride: 1, padding: 1),
            LayerShape(name: "stride-above-width", n: 1, c: 3, h: 17, w: 17, m: 4, r: 2, s: 2, stride: 4, padding: 1),
            LayerShape(name: "one-column", n: 1, c: 5, h: 9, w: 1, m: 3, r: 3, s: 1, stride: 2, padding: 1),
            LayerShape(name: "pointwise", n: 1, c: 40, h: 6, w: 6, m: 30, r: 1, s: 1, stride: 1, padding: 0),
            LayerShape(name: "stride3", n: 1, c: 3, h: 16, w: 16, m: 5, r: 5, s: 5, stride: 3, padding: 2, groups: 1),
        ]
        for config in [TestConfigs.chip, TestConfigs.array3x4] {
            for (k, layer) in layers.enumerated() {
                let run = try runAndCompare(layer, config: config, shift: k, seed: 500 + UInt64(k))
                print(oneLine(run.plan))
            }
        }
    }

    /// A 5-row filter cut into 3 + 2 rows with 2 rows of padding, on a buffer of one 16-line bank
    /// for ifmaps: the short filter-row chunk of the top row chunk starts lower and so loses fewer
    /// rows to the padding than the full one (5 rows, 20 lines, against 4 rows). The buffer fit
    /// must count it, or its tile runs into the psum bank (`planProblems` checks every tile).
    func testTheShortFilterRowChunksTileFitsTheIfmapRegion() throws {
        let tiny = try TestConfigs.make(["array.rows=3", "array.columns=4", "globalBuffer.bankWords=16",
                                         "globalBuffer.fmapBanks=2"])
        let layer = LayerShape(name: "short-chunk-tile", n: 1, c: 2, h: 6, w: 8, m: 1, r: 5, s: 3, stride: 1, padding: 2)
        let run = try runAndCompare(layer, config: tiny, shift: 3, seed: 43)
        XCTAssertEqual(run.plan.mapping.filterRowChunks, [3, 2], run.plan.summary())
    }

    /// Passes whose ifmap rows all lie in the padding: left out of an accumulation group when
    /// another pass of it sees the image, kept (as the pass that writes zeros) when none does.
    func testPassesThatSeeOnlyPadding() throws {
        // One output row per pass (a psum row fills the psum region); rows 0, 1, 5, 6 see only padding.
        let tiny = try TestConfigs.make(["array.rows=3", "array.columns=4", "globalBuffer.bankWords=16",
                                         "globalBuffer.fmapBanks=2"])
        let zeros = LayerShape(name: "padding-rows", n: 1, c: 2, h: 3, w: 60, m: 1, r: 1, s: 1, stride: 1, padding: 2)
        let run = try runAndCompare(zeros, config: tiny, shift: 3, seed: 41)
        XCTAssertEqual(run.plan.passes.filter { $0.nRows == 0 }.map(\.e0), [0, 1, 5, 6])
        // 7-row filters in 3-row chunks with 3 rows of padding: the first chunk of the top
        // output rows sees only padding and is left out.
        let folded = LayerShape(name: "folded-padding", n: 1, c: 2, h: 9, w: 9, m: 3, r: 7, s: 3, stride: 1, padding: 3)
        let plan = try runAndCompare(folded, config: tiny, shift: 3, seed: 42).plan
        XCTAssertLessThan(plan.statistics.macs, folded.macs)
        XCTAssertFalse(plan.passes.contains { $0.nRows == 0 })
        print(oneLine(plan))
    }

    /// Random layers on a 3 x 4 array: filters up to 11 x 11 (folded into 3-row chunks),
    /// strides 1, 2 and 4, padding, groups, batches.
    /// Coded ifmaps and ofmaps with ReLU, and raw ones with ReLU: the executor decodes and
    /// encodes with the golden codec at the addresses the descriptors give.
    func testCodedAndReluFmapsOn3x4() throws {
        var rng = SplitMix64(seed: 0xC0DE)
        for k in 0..<12 {
            let layer = randomLayer("coded\(k)", rng: &rng)
            let io = [LayerIO.hidden, .first, LayerIO(ifmapRLC: true), LayerIO(relu: true)][k % 4]
            try runAndCompare(layer, config: TestConfigs.array3x4, shift: 6, seed: 300 + UInt64(k), io: io)
        }
    }

    /// Ifmaps coded by channel (`LayerIO.ifmapCodeRows`) on random layers whose tiles hold
    /// whole channels, and ofmaps coded by row chunk: the executor decodes each channel's code
    /// into the tile's rows and codes each store's rows of a filter as one, at the addresses the
    /// descriptors give, and moves fewer lines than with a code per row.
    func testIfmapsCodedByChannelOn3x4() throws {
        var rng = SplitMix64(seed: 0xB7C4)
        var ran = 0, storedByChunk = 0
        for k in 0..<40 where ran < 8 {
            let layer = randomLayer("by-channel\(k)", rng: &rng, maxFilter: 5)
            let byRow = try Mapper.map(layer: layer, config: TestConfigs.array3x4, shift: 6, io: .hidden)
            guard byRow.tilesHoldWholeCodes(of: layer.h) else { continue }
            let io = LayerIO(ifmapRLC: true, ofmapRLC: true, relu: true, ifmapCodeRows: LayerIO.codePerChannel, ofmapCodeByRowChunk: true)
            let run = try runAndCompare(layer, config: TestConfigs.array3x4, shift: 6, seed: 500 + UInt64(k), io: io)
            XCTAssertEqual(run.plan.passes.map(\.geometry), byRow.passes.map(\.geometry), "\(layer.name): the same mapping")
            let rowRun = try runAndCompare(plan: byRow, seed: 500 + UInt64(k))
            if layer.h > 1 {
                XCTAssertLessThan(run.counters.ifmapLinesRead, rowRun.counters.ifmapLinesRead, "\(layer.name): channel codes are shorter")
            }
            if run.plan.layout.ofmapRowsPerSlot > 1 {
                XCTAssertLessThan(run.counters.ofmapLinesWritten, rowRun.counters.ofmapLinesWritten, "\(layer.name): row chunk codes are shorter")
                storedByChunk += 1
            }
            ran += 1
        }
        XCTAssertEqual(ran, 8, "enough random layers have tiles of whole channels")
        XCTAssertGreaterThan(storedByChunk, 2, "enough random layers store row chunks of several rows")
    }

    func testRandomLayersOn3x4() throws {
        try runRandomLayers(config: TestConfigs.array3x4, count: 24, seed: 0x3A4)
    }

    /// Random layers on the chip's 12 x 14 array with many channels and filters, so that
    /// channel sets, filter groups and their remainders all vary.
    func testRandomLayersOnChip() throws {
        try runRandomLayers(config: TestConfigs.chip, count: 8, seed: 0xC814, maxChannels: 60, maxFilters: 40,
                            maxOutputs: 6, macBudget: 300_000)
    }

    /// Random layers on a 6 x 7 array.
    func testRandomLayersOn6x7() throws {
        try runRandomLayers(config: TestConfigs.array6x7, count: 24, seed: 0x6A7)
    }
}
