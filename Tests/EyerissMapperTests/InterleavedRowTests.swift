import EyerissConfig
@testable import EyerissMapper
import XCTest

/// Row chunks interleaved inside the accumulation loop (`Mapping`'s description): every row
/// chunk adds into its own psum tile, and the filter block one of them loads serves the others.
final class InterleavedRowTests: XCTestCase {
    /// 7-row filters cut into 3 + 3 + 1 rows, 3 rows of padding, one output row per chunk: the top
    /// chunk leaves out the filter rows that see only padding above the image, the bottom chunk
    /// those below it, so the row chunks' accumulation groups differ.
    let layer = LayerShape(name: "folded-padding", n: 2, c: 2, h: 9, w: 9, m: 3, r: 7, s: 3, stride: 1, padding: 3)
    let geometry = MainGeometry(q: 1, p: 3, rc: 3, r: 1, rShort: 1, e: 1, t: 1, jobRows: 1, psumBank: 1,
                                imageSlots: 2, rowSlots: 9, psumBanksPerSlot: 1)

    /// The passes step through the accumulation together: step `a` runs accumulation chunk `a`
    /// of every row chunk that keeps it (back and forth over the row chunks, each for both
    /// images); each (row chunk, image) starts its tile at its first pass and stores it at its
    /// last, and every pass the row chunk's own group has appears exactly once.
    func testRowChunksStepThroughTheAccumulationTogether() throws {
        let d = LayerDims(layer, lanes: 4)
        let builder = PassBuilder(d, geometry, lanes: 4, shift: 3)
        XCTAssertEqual(builder.rowChunks.count, 9)
        let drafts = builder.drafts(order: [.filterChunk], interleavedImages: true, interleavedRows: true)

        var expected: [[Int]] = []
        for row in builder.rowChunks.indices {
            let group = builder.accumulationGroup(n: 0, group: 0, filters: builder.filterChunks[0], rowIndex: row)
            expected += group.flatMap { pass in (0..<2).map { [row, pass.accumulationIndex, $0] } }
        }
        let got = drafts.map { [$0.rowIndex, $0.accumulationIndex, $0.n] }
        XCTAssertEqual(got.sorted { $0.lexicographicallyPrecedes($1) }, expected.sorted { $0.lexicographicallyPrecedes($1) })
        // The top and bottom chunks leave out different passes.
        let top = Set(drafts.filter { $0.rowIndex == 0 }.map(\.accumulationIndex))
        let bottom = Set(drafts.filter { $0.rowIndex == 8 }.map(\.accumulationIndex))
        XCTAssertNotEqual(top, bottom)
        XCTAssertLessThan(top.count, builder.accumulationChunks.count)

        // Steps: runs of one accumulation chunk, each visited once; the row chunks go back and forth.
        var steps: [[PassDraft]] = []
        for draft in drafts {
            if steps.last?.last?.accumulationIndex == draft.accumulationIndex { steps[steps.count - 1].append(draft) } else { steps.append([draft]) }
        }
        XCTAssertEqual(steps.count, builder.accumulationChunks.count)
        for (k, step) in steps.enumerated() {
            var rows: [Int] = []
            for draft in step where rows.last != draft.rowIndex { rows.append(draft.rowIndex) }
            XCTAssertEqual(rows, k % 2 == 0 ? rows.sorted() : rows.sorted().reversed(), "step \(k): row chunks in turn, back and forth")
            XCTAssertEqual(Set(rows).count, rows.count, "step \(k): each row chunk's images together")
        }
        for row in builder.rowChunks.indices {
            for image in 0..<2 {
                let own = drafts.filter { $0.rowIndex == row && $0.n == image }
                XCTAssertEqual(own.map(\.accumulate), [false] + Array(repeating: true, count: own.count - 1), "row \(row) image \(image)")
                XCTAssertEqual(own.map(\.store), Array(repeating: false, count: own.count - 1) + [true], "row \(row) image \(image)")
            }
        }
    }

    /// The same geometry made into a plan and executed: bit-exact, every psum tile in its own
    /// banks (`planProblems` checks that no open tile is overwritten), and each filter block read
    /// from DRAM once for all row chunks and images.
    func testInterleavedRowsExecuteBitExactLoadingEachBlockOnce() throws {
        let config = TestConfigs.array3x4
        let d = LayerDims(layer, lanes: 4)
        let builder = PassBuilder(d, geometry, lanes: 4, shift: 3)
        let mapping = Mapping(q: geometry.q, p: geometry.p, rc: geometry.rc, r: geometry.r, e: geometry.e, t: geometry.t,
                              jobRows: geometry.jobRows, psumBank: geometry.psumBank, imageSlots: 2, rowSlots: 9,
                              psumBanksPerSlot: 1, loopOrder: [.filterChunk], filterChunks: builder.filterChunks,
                              rowChunks: builder.rowChunks, accumulationChunks: builder.accumulationChunks, estimatedCycles: 0)
        let drafts = builder.drafts(order: [.filterChunk], interleavedImages: true, interleavedRows: true)
        for io in [LayerIO.raw, LayerIO(ifmapRLC: true, ofmapRLC: true, relu: true)] {
            let plan = try LayerPlan(layer: layer, config: config, shift: 3, io: io, mapping: mapping, drafts: drafts, dims: d, lanes: 4)
            XCTAssertEqual(Set(plan.passes.map(\.psumBank)).count, 18, "one psum tile per row chunk and image")
            let run = try runAndCompare(plan: plan, seed: 77)
            XCTAssertEqual(run.counters.filterLinesRead, plan.layout.filterLines, "each filter block read once")
        }
    }

    /// Without images to spread it over, a block that interleaved row chunks share arrives during
    /// one pass: the cost model must count that burst. At batch 1 AlexNet CONV5 (coded ifmap, as
    /// `run` maps it) once took interleaved rows (`q=2 p=24 e=7 t=2`) on the averaged estimate and
    /// co-simulated in 944,466 cycles against 721,624 for `q=3 p=22 e=13 t=1`.
    func testABlockSharedByRowChunksAloneIsCountedAsOneBurst() throws {
        let io = LayerIO(ifmapRLC: true, ofmapRLC: true, relu: true)
        let conv5 = try Mapper.map(layer: BuiltinLayers.named("alexnet.conv5")!, config: TestConfigs.chip, shift: 8, io: io)
        XCTAssertFalse(conv5.mapping.interleavesRowChunks, conv5.summary())
    }

    /// On the chip, AlexNet CONV3-CONV5 at batch 4 interleave their two row chunks: every weight
    /// is read from DRAM once for the batch.
    func testAlexNetConv3To5ReadEachWeightOnceForTheBatch() throws {
        for var layer in BuiltinLayers.alexnet where layer.r == 3 {
            layer.n = 4
            let plan = try Mapper.map(layer: layer, config: TestConfigs.chip, shift: 8)
            XCTAssertTrue(plan.mapping.interleavesRowChunks && plan.mapping.interleavesImages, plan.summary())
            XCTAssertEqual(plan.statistics.filterWordsRead, layer.m * layer.channelsPerGroup * layer.r * layer.s, layer.name)
            XCTAssert(planProblems(plan).isEmpty, layer.name)
        }
    }
}
