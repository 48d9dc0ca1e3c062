import EyerissConfig
import EyerissCosim
import EyerissGolden
import EyerissMapper
import EyerissReport
import EyerissRTL
import XCTest

/// Whole layers on the Verilated accelerator, every output checked against the golden model.
/// Most run on small arrays; one runs on the published 12 x 14.
final class AcceleratorCosimTests: XCTestCase {
    static func config(_ rows: Int, _ columns: Int) throws -> ValidConfig {
        try ConfigLoader.load(file: nil, overrides: ["array.rows=\(rows)", "array.columns=\(columns)"]).validated()
    }

    func check(_ layers: [LayerShape], on config: ValidConfig, seed: UInt64, dram: DRAMBehaviour? = nil,
               file: StaticString = #filePath, line: UInt = #line) throws -> [LayerResult] {
        var results: [LayerResult] = []
        for (i, layer) in layers.enumerated() {
            let options = LayerRunOptions(seed: seed &+ UInt64(i), sparsity: 0.5, shift: Int(seed % 13) + 2, dram: dram)
            do {
                let result = try LayerRunner.run(layer, config: config, options: options)
                XCTAssertEqual(result.mismatches, 0, "\(layer) seed \(options.seed): \(result.firstMismatches)", file: file, line: line)
                XCTAssertEqual(result.stats.macs + result.stats.gated, UInt64(result.plannedMACs),
                               "\(layer): every planned MAC slot once", file: file, line: line)
                XCTAssertLessThanOrEqual(result.plannedMACs, layer.macs, file: file, line: line)
                XCTAssertGreaterThan(result.stats.gated, 0, "\(layer): zeros are gated", file: file, line: line)
                results.append(result)
            } catch let error as MappingError {
                XCTFail("\(layer) did not map: \(error)", file: file, line: line)
            }
        }
        return results
    }

    func testRandomLayersOn3x4() throws {
        let config = try Self.config(3, 4)
        let layers = try RandomCases.layers(count: 12, seed: 0x3_4, config: config)
        XCTAssertTrue(layers.contains { $0.r > 3 }, "some layer must need folding")
        XCTAssertTrue(Set(layers.map(\.stride)).isSuperset(of: [1, 2, 4]))
        _ = try check(layers, on: config, seed: 11)
    }

    func testRandomLayersOn6x7() throws {
        let config = try Self.config(6, 7)
        _ = try check(RandomCases.layers(count: 8, seed: 0x6_7, config: config), on: config, seed: 21)
    }

    /// Hand-picked shapes: replication (several channel sets and filter groups), 1x1 filters with
    /// a stride wider than the filter, an FC layer as a CONV, and AlexNet's CONV1 and CONV2 shapes
    /// with fewer channels.
    func testStructuredLayersOn6x7() throws {
        let layers = [
            LayerShape(name: "replicated", n: 1, c: 9, h: 7, w: 7, m: 10, r: 1, s: 3, stride: 1, padding: 1),
            LayerShape(name: "1x1-stride2", n: 1, c: 5, h: 9, w: 9, m: 6, r: 1, s: 1, stride: 2, padding: 0),
            LayerShape(name: "fc", n: 2, c: 4, h: 5, w: 5, m: 9, r: 5, s: 5, stride: 1, padding: 0),
            LayerShape(name: "conv1-like", n: 1, c: 3, h: 31, w: 31, m: 4, r: 11, s: 11, stride: 4, padding: 0),
            LayerShape(name: "conv2-like", n: 1, c: 4, h: 9, w: 9, m: 6, r: 5, s: 5, stride: 1, padding: 2, groups: 2),
        ]
        let results = try check(layers, on: Self.config(6, 7), seed: 5)
        XCTAssertEqual(results.count, layers.count)
    }

    /// Random latency and stalls on every DRAM transfer change the cycles, never the outputs or
    /// the activity counts.
    func testHostileDRAMChangesOnlyTiming() throws {
        let config = try Self.config(3, 4)
        let layers = try RandomCases.layers(count: 3, seed: 0xD1A, config: config)
        let calm = try check(layers, on: config, seed: 77)
        let hostile = try check(layers, on: config, seed: 77, dram: .hostile(config))
        for (a, b) in zip(calm, hostile) {
            XCTAssertGreaterThan(b.cycles, a.cycles, "\(a.layer.name): the hostile DRAM must slow the run down")
            XCTAssertEqual(a.stats.macs, b.stats.macs)
            XCTAssertEqual(a.stats.gated, b.stats.gated)
            XCTAssertEqual(a.stats.filterSpadReads, b.stats.filterSpadReads)
            XCTAssertEqual(a.stats.ifmapSpadWrites, b.stats.ifmapSpadWrites)
            XCTAssertEqual(a.stats.psumSpadWrites, b.stats.psumSpadWrites)
            XCTAssertEqual(a.dramBytesRead, b.dramBytesRead)
            XCTAssertEqual(a.dramBytesWritten, b.dramBytesWritten)
        }
    }

    /// The next pass's ifmap tile loads into another slot of the ifmap region while the pass
    /// computes (docs/architecture.md, sections 3 and 5): every tile is loaded into another slot
    /// than the pass before reads, the run stays bit-exact raw and run-length coded, with the nominal and the hostile DRAM,
    /// and with the nominal DRAM the loads do not all show as waiting.
    func testNextTileLoadsWhileThePassComputes() throws {
        let config = try Self.config(3, 4)
        let layer = LayerShape(name: "tiles", n: 1, c: 24, h: 12, w: 12, m: 4, r: 3, s: 3, stride: 1, padding: 1)
        for io in [LayerIO(), LayerIO.hidden] {
            let plan = try Mapper.map(layer: layer, config: config, shift: 9, io: io)
            let loads = plan.passes.filter { $0.flags.contains(.loadIfmaps) }
            XCTAssertGreaterThan(loads.count, 2)
            XCTAssertGreaterThanOrEqual(Set(loads.map(\.ifmapBase)).count, 2)
            XCTAssertTrue(zip(plan.passes, plan.passes.dropFirst()).allSatisfy { prev, pass in
                !pass.flags.contains(.loadIfmaps) || pass.ifmapBase != prev.ifmapBase
            }, "every tile loads into another slot than the pass before reads")
            for dram in [nil, DRAMBehaviour.hostile(config)] {
                let result = try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 5, shift: 9, dram: dram, io: io))
                XCTAssertEqual(result.mismatches, 0, "\(io), hostile DRAM: \(dram != nil): \(result.firstMismatches)")
                if dram == nil {
                    let bytesPerLine = Double(config.raw.dram.busBits / 8)
                    let ifmapLoadCycles = Double(result.stats.perf(.dramIfmapLinesRead)) * bytesPerLine / config.raw.dram.bytesPerCycle
                    let waited = Double(result.stats.perf(.cyclesDRAMStall))
                    print("tiles \(io): waited \(waited) cycles on DRAM; the ifmap loads alone take \(ifmapLoadCycles)")
                    XCTAssertLessThan(waited, ifmapLoadCycles, "\(io): the tile loads must overlap the runs")
                }
            }
        }
    }

    /// Filter lines a plan loads from DRAM: whole blocks, and the parts that keep passes load.
    static func loadedFilterLines(_ plan: LayerPlan) -> Int {
        plan.passes.filter { $0.flags.contains(.loadFilters) }.map(\.filterLines).reduce(0, +)
            + plan.passes.map(\.nextFilterLines).reduce(0, +)
    }

    /// Runs `layer` with nominal and with hostile DRAM: every output bit-exact and every count of
    /// the access model equal to the RTL's; `check` sees each result.
    func runNominalAndHostile(_ layer: LayerShape, config: ValidConfig, seed: UInt64, io: LayerIO,
                              file: StaticString = #filePath, line: UInt = #line,
                              _ check: (LayerResult) throws -> Void) throws {
        for dram in [nil, DRAMBehaviour.hostile(config)] {
            let result = try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: seed, shift: 9, dram: dram, io: io))
            XCTAssertEqual(result.mismatches, 0, "\(io), hostile DRAM: \(dram != nil): \(result.firstMismatches)", file: file, line: line)
            XCTAssertEqual(try XCTUnwrap(result.report).agreement.mismatches, [], "the access model agrees", file: file, line: line)
            try check(result)
        }
    }

    /// `runNominalAndHostile` on the plan's layer; a raw ifmap is read at the DRAM port exactly as
    /// the plan's loading passes load it (a coded one's length depends on the data).
    func runReadingThePlansIfmapLines(_ plan: LayerPlan, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) throws {
        let loads = plan.passes.filter { $0.flags.contains(.loadIfmaps) }
        let lines = loads.map { $0.geometry.channels * $0.ifmapLoadRows * plan.layout.wl }.reduce(0, +)
        try runNominalAndHostile(plan.layer, config: plan.config, seed: seed, io: plan.io, file: file, line: line) { result in
            if !plan.io.ifmapRLC { XCTAssertEqual(result.stats.perf(.dramIfmapLinesRead), UInt64(lines), file: file, line: line) }
        }
    }

    /// A batch whose images and row chunks interleave inside the accumulation loop
    /// (docs/architecture.md, section 2): every (row chunk, image) adds into its own psum tile,
    /// in its own psum banks, and the passes of the other images and row chunks reuse the filter
    /// block the first one loaded. Bit-exact raw and run-length coded, with the nominal and the
    /// hostile DRAM, and the RTL reads from DRAM exactly the filter lines the plan loads: each
    /// block once, not per image or row chunk; the other images' passes keep the filters in the
    /// PEs' spads instead of feeding them again. The access model agrees with every RTL counter.
    func testImagesOfABatchShareEachFilterBlock() throws {
        let config = try Self.config(3, 4)
        let layer = LayerShape(name: "batch", n: 3, c: 8, h: 9, w: 9, m: 6, r: 3, s: 3, stride: 1, padding: 1)
        for io in [LayerIO(), LayerIO.hidden] {
            let plan = try Mapper.map(layer: layer, config: config, shift: 9, io: io)
            XCTAssertTrue(plan.mapping.interleavesImages && plan.mapping.interleavesRowChunks, plan.summary())
            XCTAssertEqual(Set(plan.passes.map(\.psumLine)).count, layer.n * plan.mapping.rowSlots,
                           "one psum tile per row chunk and image")
            XCTAssertFalse(plan.passes.contains { $0.n > 0 && $0.flags.contains(.loadFilters) },
                           "only the first image's pass loads a filter block")
            XCTAssertTrue(plan.passes.allSatisfy { $0.n == 0 || $0.flags.contains(.keepFilters) },
                          "the other images' passes keep the filters in the spads")
            // The passes that keep their filters load the next block a part each.
            XCTAssertTrue(plan.passes.contains { $0.nextFilterLines > 0 }, "keep passes load the next block in parts")
            XCTAssertTrue(plan.passes.allSatisfy { $0.nextFilterLines == 0 || $0.flags.contains(.keepFilters) })
            let loadedFilterLines = Self.loadedFilterLines(plan)
            XCTAssertEqual(loadedFilterLines, plan.layout.filterLines, "each filter block loaded once")
            // Only image 0's passes write the filter spads.
            let fedPasses = plan.passes.filter { !$0.flags.contains(.keepFilters) }
            let spadWrites = fedPasses.map { UInt64($0.geometry.activePEs * $0.geometry.p * $0.geometry.q * $0.geometry.s) }.reduce(0, +)
            try runNominalAndHostile(layer, config: config, seed: 8, io: io) { result in
                XCTAssertEqual(result.stats.perf(.dramFilterLinesRead), UInt64(loadedFilterLines))
                XCTAssertEqual(result.stats.filterSpadWrites, spadWrites, "passes that keep the filters feed none")
            }
        }
    }

    /// Interleaved row chunks that share their ifmap tiles (`Mapping.sharesRowTiles`): the same
    /// batch, 9 output rows in 3 row chunks. A pass reads its rows out of a tile that starts
    /// above them (`yLo` 0, all 9 rows), which the row chunk that comes first in the step loaded:
    /// the other row chunks' passes load nothing. Bit-exact raw and coded, nominal and hostile
    /// DRAM; the raw ifmap lines read at the port are the plan's.
    func testInterleavedRowChunksReadOneSharedIfmapTile() throws {
        let config = try Self.config(3, 4)
        let layer = LayerShape(name: "batch", n: 3, c: 8, h: 9, w: 9, m: 6, r: 3, s: 3, stride: 1, padding: 1)
        for io in [LayerIO(), LayerIO.hidden] {
            let plan = try Mapper.map(layer: layer, config: config, shift: 9, io: io)
            XCTAssertTrue(plan.mapping.interleavesRowChunks && plan.mapping.sharesRowTiles, plan.summary())
            XCTAssertGreaterThan(plan.mapping.rowChunks.count, 1)
            XCTAssertTrue(plan.passes.allSatisfy { $0.yLo == 0 && $0.nRows == layer.h }, "one tile holds every row chunk's rows")
            XCTAssertTrue(plan.passes.contains { $0.e0 > 0 && !$0.flags.contains(.loadIfmaps) },
                          "a later row chunk reads the tile an earlier one loaded")
            let loads = plan.passes.filter { $0.flags.contains(.loadIfmaps) }
            XCTAssertEqual(Set(loads.map { [$0.n, $0.c0, $0.m0] }).count, loads.count,
                           "a filter chunk loads each image's tile of an accumulation chunk once, not per row chunk")
            try runReadingThePlansIfmapLines(plan, seed: 15)
        }
    }

    /// With one filter group every column's PEs hold the same filter words, so the passes of a
    /// narrower row chunk keep the filters a wider one's feed put in the spads
    /// (`PassGeometry.holdsFilters(of:)`): 11 output rows as 8 (`e` = 4, 2 job rows) and 3
    /// (`e` = 3), a batch of 2. Only the first pass of each filter block feeds; the others,
    /// the narrower row chunk's included, feed nothing. Bit-exact raw and coded, nominal and
    /// hostile DRAM, and the PEs' filter spad writes are the feeding passes' alone.
    func testANarrowerRowChunkKeepsTheFiltersOfAWiderOne() throws {
        let layer = LayerShape(name: "narrower", n: 2, c: 8, h: 11, w: 11, m: 4, r: 3, s: 3, stride: 1, padding: 1)
        try assertNarrowerRowChunksKeepTheFilters(layer, config: try Self.config(3, 4), groups: 1, seed: 19)
    }

    /// With two filter groups a narrower row chunk places its groups at the widest chunk's pitch
    /// (`PassGeometry.pitch`), so its PEs hold the filters the wider chunk's feed put there and
    /// it keeps them: on 3 x 6, 7 output rows as 6 (`e` = 3, 2 job rows) and 1 (`e` = 1, its
    /// groups in columns 0 and 3, not 0 and 1), a batch of 2. One feed per filter block, the
    /// narrower chunk's passes feed nothing; bit-exact raw and coded, nominal and hostile DRAM.
    func testANarrowerRowChunkOfTwoFilterGroupsKeepsTheFiltersAtThePitch() throws {
        let layer = LayerShape(name: "pitch", n: 2, c: 16, h: 7, w: 7, m: 16, r: 3, s: 3, stride: 1, padding: 1)
        try assertNarrowerRowChunksKeepTheFilters(layer, config: try Self.config(3, 6), groups: 2, seed: 23)
    }

    /// The layer maps to interleaved row chunks of two widths and `groups` filter groups, every
    /// pass at the widest chunk's pitch; the narrower chunk's passes keep the filters, one feed
    /// per block; bit-exact raw and coded, nominal and hostile DRAM, and the PEs' filter spad
    /// writes are the feeding passes' alone.
    private func assertNarrowerRowChunksKeepTheFilters(_ layer: LayerShape, config: ValidConfig, groups: Int, seed: UInt64) throws {
        for io in [LayerIO(), LayerIO.hidden] {
            let plan = try Mapper.map(layer: layer, config: config, shift: 9, io: io)
            XCTAssertTrue(plan.mapping.interleavesRowChunks && plan.mapping.t == groups, plan.summary())
            XCTAssertEqual(Set(plan.passes.map(\.geometry.e)).count, 2, "row chunks of two widths")
            XCTAssertTrue(plan.passes.allSatisfy { $0.geometry.pitch == plan.mapping.e }, "every pass at the widest chunk's pitch")
            let narrow = plan.passes.filter { $0.geometry.e < plan.mapping.e }
            XCTAssertTrue(narrow.allSatisfy { $0.flags.contains(.keepFilters) }, "the narrower row chunk feeds nothing")
            let fed = plan.passes.filter { !$0.flags.contains(.keepFilters) }
            XCTAssertEqual(fed.count, Set(plan.passes.map(\.filterAddress)).count, "one feed per filter block")
            let spadWrites = fed.map { UInt64($0.geometry.activePEs * $0.geometry.p * $0.geometry.q * $0.geometry.s) }.reduce(0, +)
            try runNominalAndHostile(layer, config: config, seed: seed, io: io) { result in
                XCTAssertEqual(result.stats.filterSpadWrites, spadWrites, "passes that keep the filters feed none")
            }
        }
    }

    /// Psum tiles packed into the banks (`Mapping.psumSlotLines`): 3 images x 2 row chunks of
    /// 136 and 51 lines on 32-line banks take 18 banks instead of the 21 of tiles in banks of
    /// their own, and tiles start inside banks (with the psum tile's base rounded down to its bank
    /// the outputs mismatch). The layout keeps the tiles of consecutive passes in banks apart, so
    /// no pass waits for the store of the tile before it (the controller would: one read port a
    /// bank for the psum feeder and the store engine). Bit-exact raw and coded, nominal and
    /// hostile DRAM.
    func testPsumTilesPackedIntoBanksAreBitExact() throws {
        let config = try ConfigLoader.load(file: nil, overrides: ["array.rows=3", "array.columns=4", "globalBuffer.bankWords=32"])
            .validated()
        let bankLines = config.raw.globalBuffer.bankWords
        let layer = LayerShape(name: "packed", n: 3, c: 8, h: 11, w: 11, m: 6, r: 3, s: 3, stride: 1, padding: 1)
        for io in [LayerIO(), LayerIO.hidden] {
            let plan = try Mapper.map(layer: layer, config: config, shift: 9, io: io)
            let m = plan.mapping
            XCTAssertTrue(m.interleavesImages && m.interleavesRowChunks, plan.summary())
            let aligned = m.imageSlots * m.psumSlotLines.map { ($0 + bankLines - 1) / bankLines }.reduce(0, +)
            XCTAssertLessThan(config.raw.globalBuffer.fmapBanks - m.psumBank, aligned, "fewer psum banks than tiles in banks of their own")
            XCTAssertTrue(plan.passes.contains { $0.psumLine % bankLines != 0 }, "tiles start inside banks")
            func banks(_ pass: Pass) -> ClosedRange<Int> { pass.psumTileBanks(lanes: plan.lanes, bankLines: bankLines) }
            XCTAssertFalse(zip(plan.passes, plan.passes.dropFirst()).contains { $0.psumLine != $1.psumLine && banks($0).overlaps(banks($1)) },
                           "consecutive passes' tiles in banks apart")
            try runNominalAndHostile(layer, config: config, seed: 31, io: io) { _ in }
        }
    }

    /// The store engine's row pool (`RowPool`): after ReLU each ofmap row is pooled, windows of 3
    /// values every 2 (AlexNet) or of 2 (VGG), before the code or the raw line. Bit-exact against
    /// the golden model's pooled rows (`LayerRunner.golden`), raw, coded a row a code and coded by
    /// row chunk, with nominal and hostile DRAM; with an odd and an even number of filters a PE
    /// (one coder a step, or two). The stored rows are the pooled width, and the raw store writes
    /// exactly their lines: half the lines of unpooled rows.
    func testTheStoreEnginePoolsEachRow() throws {
        let config = try Self.config(3, 4)
        let cases: [(LayerShape, RowPool)] = [
            (LayerShape(name: "pool3", n: 2, c: 3, h: 19, w: 19, m: 6, r: 3, s: 3, stride: 1, padding: 0), .three),
            (LayerShape(name: "pool2", n: 2, c: 4, h: 16, w: 16, m: 5, r: 3, s: 3, stride: 1, padding: 1), .two),
        ]
        for (layer, pool) in cases {
            for base in [LayerIO(relu: true), LayerIO(ofmapRLC: true, relu: true), LayerIO(ofmapRLC: true, ofmapCodeByRowChunk: true)] {
                var io = base
                io.rowPool = pool
                let plan = try Mapper.map(layer: layer, config: config, shift: 9, io: io)
                let width = pool.outputs(width: layer.f)
                XCTAssertEqual(plan.ofmapDims, [layer.n, layer.m, layer.e, width])
                XCTAssertTrue(plan.passes.allSatisfy { $0.flags.contains(.rowPool) && $0.flags.contains(.rowPoolThree) == (pool == .three) })
                try runNominalAndHostile(layer, config: config, seed: 41, io: io) { result in
                    XCTAssertEqual(result.outputs, layer.n * layer.m * layer.e * width)
                    if !io.ofmapRLC {
                        let lines = layer.n * layer.m * layer.e * ((width + plan.lanes - 1) / plan.lanes)
                        XCTAssertEqual(result.stats.dramLinesWritten, UInt64(lines), "raw: the pooled rows' lines")
                    }
                }
            }
        }
    }

    /// Ifmap tiles that stay in the global buffer across filter chunks: 2 images of 6 channels
    /// (3 tiles each, two channels a pass) and 3 filter chunks, the filter chunks the outer loop.
    /// The ifmap region holds all 6 tiles, so each is loaded once, and passes read tiles loaded
    /// several passes before (not only by the pass before). Bit-exact on the RTL, raw and coded,
    /// with nominal and hostile DRAM; the ifmap lines read are the plan's.
    func testIfmapTilesStayResidentAcrossFilterChunks() throws {
        let config = try Self.config(3, 4)
        let layer = LayerShape(name: "resident", n: 2, c: 6, h: 12, w: 12, m: 64, r: 3, s: 5, stride: 1, padding: 1)
        for io in [LayerIO(), LayerIO.hidden] {
            let plan = try Mapper.map(layer: layer, config: config, shift: 9, io: io)
            XCTAssertGreaterThan(plan.mapping.filterChunks.count, 1, plan.summary())
            let tiles = Set(plan.passes.filter { $0.nRows > 0 }.map { [$0.n, $0.c0, $0.yLo, $0.nRows] })
            let loads = plan.passes.filter { $0.flags.contains(.loadIfmaps) }
            XCTAssertEqual(loads.count, tiles.count, "each tile loaded once: \(plan.summary())")
            XCTAssertGreaterThan(plan.passes.count, 2 * loads.count)
            XCTAssertTrue(zip(plan.passes, plan.passes.dropFirst()).contains { prev, pass in
                pass.nRows > 0 && !pass.flags.contains(.loadIfmaps) && pass.ifmapBase != prev.ifmapBase
            }, "some pass reads a tile loaded before the pass before it")
            try runReadingThePlansIfmapLines(plan, seed: 12)
        }
    }

    /// Row chunks that run one after the other, with windows that overlap (11 x 11 filters at
    /// stride 4, as CONV1), on a buffer too small to keep a tile for later: each row chunk's tile
    /// goes into the slot of the same channel's tile of the chunk before and loads only the rows
    /// that tile did not hold (`IfmapSlots`, the ring). Bit-exact with nominal and hostile DRAM;
    /// the RTL reads the plan's lines, fewer than whole tiles.
    func testRowChunksLoadOnlyTheRowsTheirSlotLacks() throws {
        let config = try ConfigLoader.load(file: nil, overrides: ["array.rows=3", "array.columns=4", "globalBuffer.fmapBanks=6"]).validated()
        let layer = LayerShape(name: "ring", n: 1, c: 3, h: 67, w: 67, m: 16, r: 11, s: 11, stride: 4, padding: 0)
        let plan = try Mapper.map(layer: layer, config: config, shift: 9, io: LayerIO(ofmapRLC: true, relu: true))
        let loads = plan.passes.filter { $0.flags.contains(.loadIfmaps) }
        let partial = loads.filter { $0.ifmapLoadRows < $0.nRows }
        XCTAssertFalse(partial.isEmpty, plan.summary())
        let whole = loads.map { $0.geometry.channels * $0.nRows }.reduce(0, +)
        let loaded = loads.map { $0.geometry.channels * $0.ifmapLoadRows }.reduce(0, +)
        XCTAssertLessThan(loaded, whole)
        try runReadingThePlansIfmapLines(plan, seed: 21)
    }

    /// A batch of 4 interleaved two images at a time (and the two row chunks too, so 4 psum
    /// tiles): the image loop walks the two groups outside the accumulation loop. Each group
    /// loads a filter block once (the block at the turn between the groups is kept), so the
    /// blocks are read at most twice in all, not four times.
    /// Bit-exact on the RTL, raw and coded, nominal and hostile DRAM.
    func testImagesInterleaveInGroupsOfTwo() throws {
        let config = try Self.config(6, 7)
        let layer = LayerShape(name: "pairs", n: 4, c: 3, h: 24, w: 24, m: 64, r: 3, s: 7, stride: 1, padding: 1)
        for io in [LayerIO(), LayerIO.hidden] {
            let plan = try Mapper.map(layer: layer, config: config, shift: 9, io: io)
            XCTAssertEqual(plan.mapping.imageSlots, 2, plan.summary())
            XCTAssertTrue(plan.mapping.loopOrder.contains(.image), "the image loop walks the groups")
            XCTAssertEqual(Set(plan.passes.map(\.psumLine)).count, plan.mapping.psumSlots)
            // Within each filter chunk, one group's passes, then the other's.
            for chunk in Set(plan.passes.map(\.m0)) {
                let groups = plan.passes.filter { $0.m0 == chunk }.map { $0.n / 2 }
                XCTAssertEqual(zip(groups, groups.dropFirst()).filter { $0 != $1 }.count, 1, "filters \(chunk): \(groups)")
            }
            let loadedFilterLines = Self.loadedFilterLines(plan)
            XCTAssertLessThanOrEqual(loadedFilterLines, 2 * plan.layout.filterLines, "each block once per group of images")
            XCTAssertGreaterThan(loadedFilterLines, plan.layout.filterLines)
            try runNominalAndHostile(layer, config: config, seed: 21, io: io) { result in
                XCTAssertEqual(result.stats.perf(.dramFilterLinesRead), UInt64(loadedFilterLines))
            }
        }
    }

    /// The psum networks move a line of a column's psums per cycle, and a finished psum tile is
    /// stored while the next passes run. A 1 x 1 layer with many filters makes every column send
    /// a psum nearly every cycle: the output network writes more psums than the run has cycles,
    /// which a network of one word per cycle could not. In an interleaved batch each image's tile
    /// is stored during the next image's pass: the run takes fewer cycles than the PEs' busy
    /// cycles plus one per stored value (the store engine's rate), which stores that stop the
    /// array could not.
    func testPsumLinesAndStoresOverlapTheRun() throws {
        let config = try Self.config(3, 4)
        let wide = LayerShape(name: "pointwise", n: 1, c: 8, h: 8, w: 8, m: 24, r: 1, s: 1, stride: 1, padding: 0)
        let batch = LayerShape(name: "batch", n: 3, c: 8, h: 9, w: 9, m: 6, r: 3, s: 3, stride: 1, padding: 1)
        for io in [LayerIO(), LayerIO.hidden] {
            let pointwise = try LayerRunner.run(wide, config: config, options: LayerRunOptions(seed: 3, shift: 6, io: io))
            XCTAssertEqual(pointwise.mismatches, 0, "\(io): \(pointwise.firstMismatches)")
            let gon = pointwise.stats.perf(.gonWords), busy = pointwise.stats.perf(.cyclesBusy)
            print("pointwise \(io): \(gon) psums on the output network in \(busy) cycles")
            XCTAssertGreaterThan(gon, busy, "\(io): more than one psum written per cycle")
            XCTAssertEqual(try XCTUnwrap(pointwise.report).agreement.mismatches, [])

            let plan = try Mapper.map(layer: batch, config: config, shift: 9, io: io)
            XCTAssertTrue(plan.mapping.interleavesImages, plan.summary())
            let result = try LayerRunner.run(batch, config: config, options: LayerRunOptions(seed: 4, shift: 9, io: io))
            XCTAssertEqual(result.mismatches, 0, "\(io): \(result.firstMismatches)")
            let stored = UInt64(batch.n * batch.m * batch.e * batch.f)
            let peBusy = result.stats.perf(.cyclesPEBusy), total = result.stats.perf(.cyclesBusy)
            print("batch \(io): \(total) cycles, PEs busy \(peBusy), \(stored) values stored")
            XCTAssertLessThan(total, peBusy + stored, "\(io): the stores overlap the passes")
        }
    }

    /// The published array on a reduced AlexNet CONV3 (fewer channels and filters, same 3x3,
    /// stride 1, pad 1 on 13 x 13): 3 x 13 PE sets stacked four high.
    func testFullSizeArrayOnAReducedConv3() throws {
        let config = try AcceleratorConfig().validated()
        let layer = LayerShape(name: "alexnet.conv3-reduced", n: 1, c: 24, h: 13, w: 13, m: 30, r: 3, s: 3, stride: 1, padding: 1)
        let result = try check([layer], on: config, seed: 3)[0]
        XCTAssertGreaterThan(result.mappedUtilization, 0.5, "most of the 168 PEs are used")
    }

    /// A multicast ID off by one sends activations to the wrong PEs: outputs must mismatch.
    func testWrongMulticastIDIsCaught() throws {
        let config = try Self.config(3, 4)
        let layer = LayerShape(name: "small", n: 1, c: 2, h: 6, w: 6, m: 3, r: 3, s: 3, stride: 1, padding: 1)
        let options = LayerRunOptions(seed: 4, watchdogCycles: 20_000)
        let faulty = { (lines: Int) in
            try AcceleratorSimulator(config: config, seed: 4, dramLines: lines, dram: .nominal(config),
                                     options: GeneratorOptions(faults: [.ifmapMulticastIdOffByOne]))
        }
        do {
            let result = try LayerRunner.run(layer, config: config, options: options, simulator: faulty)
            XCTAssertGreaterThan(result.mismatches, 0, "a broken multicast must not pass")
        } catch let error as CosimError {
            XCTAssertTrue("\(error)".contains("watchdog"), "\(error)")  // a hang is caught too
        }
    }

    /// The simulator factory of a design with one planted fault (seed 4, nominal DRAM).
    static func faulty(_ fault: Fault, config: ValidConfig) -> (Int) throws -> AcceleratorSimulator {
        { lines in
            try AcceleratorSimulator(config: config, seed: 4, dramLines: lines, dram: .nominal(config),
                                     options: GeneratorOptions(faults: [fault]))
        }
    }

    /// A design that stops making progress is stopped by the watchdog, which says where it is.
    func testHangIsStoppedByTheWatchdogWithAStateDump() throws {
        let config = try Self.config(3, 4)
        let layer = LayerShape(name: "small", n: 1, c: 2, h: 6, w: 6, m: 3, r: 3, s: 3, stride: 1, padding: 1)
        let stuck = Self.faulty(.outputNetworkStuck, config: config)
        XCTAssertThrowsError(try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 4, watchdogCycles: 5_000),
                                                 simulator: stuck)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("watchdog"), text)
            XCTAssertTrue(text.contains("(run)"), "the dump names the controller state: \(text)")
            // The GON never serves column 0, so its top PE (row 2: Rc = 3) waits with a full psum-out
            // FIFO (its output stage cannot send; its next output's MACs wait for it).
            XCTAssertTrue(text.contains("PE(2,0) computing: ifmap FIFO full, psum-in FIFO full, psum-out FIFO full"),
                          "the dump names the stuck PE: \(text)")
            XCTAssertTrue(text.contains("psum-out FIFO full"), "the dump names the full FIFO: \(text)")
            XCTAssertTrue(text.contains("PEs idle with empty FIFOs"), "idle PEs are summed up, not listed: \(text)")
        }
    }

    /// A network that delivers to PEs whose FIFO is full loses words: the RTL assertion stops the
    /// run at once and names the overflow, instead of a mismatch or a hang much later.
    func testFIFOOverflowFiresAnRTLAssertion() throws {
        let config = try Self.config(3, 4)
        let layer = LayerShape(name: "small", n: 1, c: 2, h: 6, w: 6, m: 3, r: 3, s: 3, stride: 1, padding: 1)
        let broken = Self.faulty(.multicastIgnoresReady, config: config)
        XCTAssertThrowsError(try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 4, watchdogCycles: 20_000),
                                                 simulator: broken)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("RTL assertion failed"), text)
            XCTAssertTrue(text.contains("network overflow: a word was delivered to a PE"), text)
            XCTAssertTrue(text.contains("eyeriss_top.sv:"), "the message points at the RTL line: \(text)")
        }
        // The same layer on the correct design passes with every assertion on.
        XCTAssertEqual(try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 4)).mismatches, 0)
    }

    /// A PE check travels as a flag (the PE's code is shared by all PEs, so it cannot print its
    /// own instance path): eyeriss_top's one assertion over all PEs' flags stops the run, naming
    /// the PE and the check.
    func testAPECheckNamesThePEAndTheCheck() throws {
        let config = try Self.config(3, 4)
        // The output network never serves column 0 either, so its top PE's psum-out FIFO fills.
        let layer = LayerShape(name: "pointwise", n: 1, c: 1, h: 8, w: 8, m: 16, r: 1, s: 1, stride: 1, padding: 0)
        let broken = { (lines: Int) in
            try AcceleratorSimulator(config: config, seed: 4, dramLines: lines, dram: .nominal(config),
                                     options: GeneratorOptions(faults: [.psumOutIgnoresFull, .outputNetworkStuck]))
        }
        XCTAssertThrowsError(try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 4, watchdogCycles: 20_000),
                                                 simulator: broken)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("RTL assertion failed"), text)
            XCTAssertNotNil(text.range(of: #"eyeriss_top\.pe_checks: u_pe_r\d+_c0: psum_out_fifo_no_overflow: eyeriss_pe: psum-out FIFO overflow"#,
                                       options: .regularExpression), text)
        }
    }

    /// The PEs' activity counters have no per-cycle wrap check; the shim bounds the run instead
    /// (PEParams.wrapFreeCycles: 2^15 cycles for 16-bit counters, each adding up to 2 a cycle).
    /// A layer of about 56 k cycles is stopped at the bound with 16-bit counters and runs to the
    /// end, checked, with 17-bit ones (bound 2^16).
    func testARunLongEnoughToWrapACounterIsStopped() throws {
        let layer = LayerShape(name: "long", n: 1, c: 16, h: 16, w: 16, m: 16, r: 3, s: 3, stride: 1, padding: 1)
        func config(_ bits: Int) throws -> ValidConfig {
            try ConfigLoader.load(file: nil, overrides: ["array.rows=3", "array.columns=4", "counters.bits=\(bits)"]).validated()
        }
        let narrow = try config(16)
        XCTAssertEqual(PEParams(narrow).wrapFreeCycles, 32_768)
        XCTAssertThrowsError(try LayerRunner.run(layer, config: narrow, options: LayerRunOptions(seed: 2))) { error in
            XCTAssertTrue("\(error)".contains("the run reached 32768 cycles: a PE activity counter (16 bits, up to 2 a cycle) could wrap: widen counters.bits"),
                          "\(error)")
        }
        let wider = try config(17)
        XCTAssertEqual(PEParams(wider).wrapFreeCycles, 65_536)
        let result = try LayerRunner.run(layer, config: wider, options: LayerRunOptions(seed: 2))
        XCTAssertEqual(result.mismatches, 0)
        XCTAssertGreaterThan(result.cycles, 32_768, "the layer must outlast the 16-bit bound")
        XCTAssertLessThan(result.cycles, 65_536)
    }

    func testUnmappableLayerIsRejectedBeforeSimulating() throws {
        let config = try Self.config(3, 4)
        let tooWide = LayerShape(name: "too-wide", n: 1, c: 1, h: 20, w: 20, m: 1, r: 13, s: 13, stride: 1, padding: 0)
        XCTAssertThrowsError(try LayerRunner.run(tooWide, config: config, options: LayerRunOptions())) { error in
            XCTAssertTrue("\(error)".contains("too-wide"), "\(error)")
        }
    }
}
