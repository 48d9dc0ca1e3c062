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
                                imageSlots: 2, rowSlots: 9,
                                psumSlotLines: Array(repeating: TestConfigs.array3x4.raw.globalBuffer.bankWords, count: 9))

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
            // Row chunks all as wide: back and forth (of several widths with one filter group,
            // the widest first: `testANarrowerRowChunkKeepsTheFiltersBitExact`).
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
                              psumSlotLines: geometry.psumSlotLines, sharesRowTiles: false, loopOrder: [.filterChunk], filterChunks: builder.filterChunks,
                              rowChunks: builder.rowChunks, accumulationChunks: builder.accumulationChunks, estimatedCycles: 0)
        let drafts = builder.drafts(order: [.filterChunk], interleavedImages: true, interleavedRows: true)
        for io in [LayerIO.raw, LayerIO(ifmapRLC: true, ofmapRLC: true, relu: true)] {
            let plan = try LayerPlan(layer: layer, config: config, shift: 3, io: io, mapping: mapping, drafts: drafts, dims: d, lanes: 4)
            XCTAssertEqual(Set(plan.passes.map(\.psumLine)).count, 18, "one psum tile per row chunk and image")
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
    /// is read from DRAM once for the batch, and the two row chunks read one ifmap tile (rows 0-12
    /// of its channels) per image and accumulation chunk, so each filter chunk loads each tile at
    /// most once. The row chunks of 7 and 6 output rows take psum tiles of 3 and 2 banks (1,092
    /// and 936 lines, p = 24), which leaves CONV3 and CONV4 5 ifmap banks: 6 tiles of 416 lines.
    func testAlexNetConv3To5ReadEachWeightOnceForTheBatch() throws {
        for var layer in BuiltinLayers.alexnet where layer.r == 3 {
            layer.n = 4
            let plan = try Mapper.map(layer: layer, config: TestConfigs.chip, shift: 8, io: .hidden)
            let m = plan.mapping
            XCTAssertTrue(m.interleavesRowChunks && m.interleavesImages && m.sharesRowTiles, plan.summary())
            XCTAssertEqual(plan.statistics.filterWordsRead, layer.m * layer.channelsPerGroup * layer.r * layer.s, layer.name)
            XCTAssert(planProblems(plan).isEmpty, layer.name)
            let loads = plan.passes.filter { $0.flags.contains(.loadIfmaps) }
            XCTAssertTrue(loads.allSatisfy { $0.yLo == 0 && $0.nRows == layer.h }, "\(layer.name): every tile holds all rows")
            let groups = m.filterChunks.count * layer.groups
            XCTAssertLessThanOrEqual(loads.count, groups * m.accumulationChunks.count * layer.n, layer.name)
            let bankLines = TestConfigs.chip.raw.globalBuffer.bankWords
            if m.p == 24 {
                // Packed: 4 x (1,092 + 936) lines take 16 banks, not the 20 of tiles in banks of
                // their own (3 + 2), so the ifmaps keep 9 banks instead of 5.
                XCTAssertEqual(m.psumSlotLines, [1092, 936], layer.name)
                XCTAssertEqual(m.psumBank, 9, layer.name)
            }
            let tiles = m.rowChunks.indices.flatMap { k in (0..<layer.n).map { (line: m.psumTileLine(rowIndex: k, image: $0, bankLines: bankLines), lines: m.psumSlotLines[k]) } }
            XCTAssertEqual(Set(tiles.map(\.line)).count, 8, layer.name)
            XCTAssertLessThanOrEqual(tiles.map { $0.line + $0.lines }.max()!, TestConfigs.chip.raw.globalBuffer.fmapBanks * bankLines)
            // A pass whose tile shares a bank with the tile the pass before stores waits for that
            // store (one read port a bank): the layout keeps consecutive passes' tiles apart.
            func banks(_ pass: Pass) -> ClosedRange<Int> { pass.psumTileBanks(lanes: plan.lanes, bankLines: bankLines) }
            let waits = zip(plan.passes, plan.passes.dropFirst()).filter { $0.flags.contains(.store) && banks($0).overlaps(banks($1)) }
            XCTAssertEqual(waits.count, 0, "\(layer.name): passes that wait for the store of the tile before")
        }
    }

    /// Psum tiles are packed only where the passes that run one after the other keep their tiles
    /// in banks apart (a pass whose tile shares a bank with the tile being stored waits for the
    /// store): AlexNet CONV3's four images of two row chunks (1,092 and 936 lines on 512-line
    /// banks) are; one image of two row chunks (CONV2 one image at a time: 1,512 and 1,404
    /// lines) is not, its two tiles running in turn side by side, nor two images when the turn
    /// from one row chunk to the other puts an image's tile beside the next image's.
    func testPsumTilesPackOnlyWhereConsecutivePassesStayInBanksApart() {
        XCTAssertTrue(GeometrySearch.packedTilesApart([1092, 936], imageSlots: 4, bankLines: 512))
        XCTAssertFalse(GeometrySearch.packedTilesApart([1512, 1404], imageSlots: 1, bankLines: 512))
        XCTAssertFalse(GeometrySearch.packedTilesApart([2086, 1937], imageSlots: 2, bankLines: 512))
        XCTAssertFalse(GeometrySearch.packedTilesApart([1092, 400], imageSlots: 4, bankLines: 512),
                       "a row chunk's tile shorter than a bank leaves the images' tiles side by side")
    }

    /// A shared tile against a tile per row chunk, on one geometry (3 x 4 array, a batch of 3,
    /// 9 output rows in chunks of 3): the row chunks of an accumulation chunk and image name one
    /// tile, the union of their rows, which the first of them loads and the others read where
    /// it is (9 rows of each channel per filter chunk instead of 4 + 5 + 4: each chunk's span
    /// overlaps the next's in 2 rows). Bit-exact on the plan executor, raw and coded, with fewer
    /// ifmap words loaded than the same geometry with a tile per row chunk.
    func testInterleavedRowChunksShareOneIfmapTile() throws {
        let layer = LayerShape(name: "shared-rows", n: 3, c: 8, h: 9, w: 9, m: 6, r: 3, s: 3, stride: 1, padding: 1)
        let d = LayerDims(layer, lanes: 4)
        var geometry = MainGeometry(q: 2, p: 3, rc: 3, r: 1, rShort: 1, e: 3, t: 1, jobRows: 1, psumBank: 16,
                                    imageSlots: 3, rowSlots: 3,
                                    psumSlotLines: Array(repeating: TestConfigs.array3x4.raw.globalBuffer.bankWords, count: 3))
        func plan(shared: Bool, io: LayerIO) throws -> LayerPlan {
            geometry.sharedRowTiles = shared
            let builder = PassBuilder(d, geometry, lanes: 4, shift: 5)
            let mapping = Mapping(q: geometry.q, p: geometry.p, rc: geometry.rc, r: geometry.r, e: geometry.e, t: geometry.t,
                                  jobRows: 1, psumBank: geometry.psumBank, imageSlots: 3, rowSlots: 3, psumSlotLines: geometry.psumSlotLines,
                                  sharesRowTiles: shared, loopOrder: [.filterChunk], filterChunks: builder.filterChunks,
                                  rowChunks: builder.rowChunks, accumulationChunks: builder.accumulationChunks, estimatedCycles: 0)
            let drafts = builder.drafts(order: [.filterChunk], interleavedImages: true, interleavedRows: true)
            return try LayerPlan(layer: layer, config: TestConfigs.array3x4, shift: 5, io: io, mapping: mapping, drafts: drafts,
                                 dims: d, lanes: 4)
        }
        for io in [LayerIO.raw, LayerIO.hidden] {
            let shared = try plan(shared: true, io: io), own = try plan(shared: false, io: io)
            XCTAssertEqual(shared.mapping.rowChunks.count, 3)
            for pass in shared.passes {
                XCTAssertEqual([pass.yLo, pass.nRows], [0, 9], "every tile holds the image's rows")
                let siblings = shared.passes.filter { $0.n == pass.n && $0.c0 == pass.c0 && $0.m0 == pass.m0 }
                XCTAssertEqual(Set(siblings.map(\.ifmapBase)).count, 1, "one tile for the row chunks of (n, c0, m0)")
                XCTAssertEqual(Set(siblings.map(\.e0)).count, 3)
            }
            let tiles = Set(shared.passes.map { [$0.n, $0.c0] })
            let loads = shared.passes.filter { $0.flags.contains(.loadIfmaps) }
            // Once per filter chunk at most (the boustrophedon may keep one across the turn).
            XCTAssertLessThanOrEqual(loads.count, tiles.count * shared.mapping.filterChunks.count)
            XCTAssertGreaterThanOrEqual(loads.count, tiles.count)
            XCTAssertLessThan(shared.statistics.ifmapWordsRead, own.statistics.ifmapWordsRead)
            let run = try runAndCompare(plan: shared, seed: 41)
            XCTAssertEqual(run.counters.filterLinesRead, shared.layout.filterLines, "each filter block read once")
        }
    }

    /// The search offers shared row tiles as a choice of its own and takes it where it loads less:
    /// on the chip, AlexNet CONV3 at batch 4 ranks the same geometry with a tile per row chunk
    /// below it.
    func testTheSearchWeighsSharedRowTilesAgainstATilePerRowChunk() throws {
        let layer = LayerShape(name: "conv3", n: 4, c: 256, h: 13, w: 13, m: 384, r: 3, s: 3, stride: 1, padding: 1)
        let ranked = try Mapper.candidates(layer: layer, config: TestConfigs.chip, shift: 8, io: .hidden, limit: 20)
        let shared = try XCTUnwrap(ranked.first { $0.sharesRowTiles }), own = try XCTUnwrap(ranked.first { !$0.sharesRowTiles && $0.rowSlots > 1 })
        XCTAssertTrue(ranked[0].sharesRowTiles)
        XCTAssertEqual([shared.q, shared.p, shared.e, shared.t], [own.q, own.p, own.e, own.t])
        XCTAssertLessThan(shared.estimatedDRAMLines, own.estimatedDRAMLines)
    }

    /// Which passes may keep the PEs' filters: the same words per PE in the same PE rows and
    /// groups, and a column layout the feed filled (no wider, its groups at the same pitch, or
    /// with one group any pitch). Job rows and stride do not matter.
    func testWhichGeometriesHoldAFeedsFilters() {
        let wide = PassGeometry(s: 3, stride: 1, f: 9, q: 2, p: 4, rc: 3, r: 1, e: 4, t: 1, jobRows: 2, shift: 5, pad: 1)
        XCTAssertEqual(wide.pitch, 4, "the pitch is e unless given")
        var narrow = PassGeometry(s: 3, stride: 1, f: 9, q: 2, p: 4, rc: 3, r: 1, e: 3, t: 1, jobRows: 1, shift: 5, pad: 1)
        XCTAssertTrue(wide.holdsFilters(of: narrow))
        XCTAssertFalse(narrow.holdsFilters(of: wide), "column 3 was not fed")
        var grouped = wide, groupedNarrow = narrow
        grouped.t = 2
        groupedNarrow.t = 2
        XCTAssertFalse(grouped.holdsFilters(of: groupedNarrow), "packed, column 3 holds group 0 for e = 4, group 1 for e = 3")
        groupedNarrow.pitch = 4
        XCTAssertTrue(grouped.holdsFilters(of: groupedNarrow), "at the wide set's pitch, group 1 starts at column 4 in both")
        XCTAssertFalse(groupedNarrow.holdsFilters(of: grouped), "columns 3 and 7 were not fed")
        narrow.pitch = 4
        for change in [\PassGeometry.q, \PassGeometry.p, \PassGeometry.rc, \PassGeometry.r, \PassGeometry.s] {
            var other = narrow
            other[keyPath: change] += 1
            XCTAssertFalse(wide.holdsFilters(of: other), "\(change)")
        }
    }

    /// A narrower row chunk after a wider one keeps the filters on the plan executor too, whose PEs'
    /// spads hold what the last feed gave each physical PE: bit-exact, every block fed once.
    func testANarrowerRowChunkKeepsTheFiltersBitExact() throws {
        let layer = LayerShape(name: "narrower", n: 2, c: 8, h: 11, w: 11, m: 4, r: 3, s: 3, stride: 1, padding: 1)
        for io in [LayerIO.raw, LayerIO.hidden] {
            let run = try runAndCompare(layer, config: TestConfigs.array3x4, shift: 9, seed: 5, io: io)
            let passes = run.plan.passes
            XCTAssertEqual(Set(passes.map(\.geometry.e)).count, 2, run.plan.summary())
            XCTAssertEqual(passes.filter { !$0.flags.contains(.keepFilters) }.count, Set(passes.map(\.filterAddress)).count)
            // Every step runs the wider row chunk first.
            for (prev, pass) in zip(passes, passes.dropFirst()) where pass.filterAddress != prev.filterAddress {
                XCTAssertEqual(pass.geometry.e, run.plan.mapping.e, "a new block starts with the widest PE set")
            }
        }
    }
}
