import EyerissConfig
import EyerissGolden
@testable import EyerissMapper
import XCTest

/// The ifmap region cut into slots (`IfmapSlots`): which passes load their tile, and where.
final class IfmapSlotsTests: XCTestCase {
    let geometry = PassGeometry(s: 3, stride: 1, f: 8, q: 1, p: 1, rc: 3, r: 1, e: 1, t: 1, jobRows: 1, shift: 0, pad: 0)

    /// A pass whose tile is channel `channel` of image 0, rows `0 ..< rows` (0: padding only).
    func draft(channel: Int, rows: Int = 3) -> PassDraft {
        PassDraft(geometry: geometry, n: 0, group: 0, m0: 0, c0: channel, i0: 0, e0: 0, accumulate: false, store: false,
                  yStart: 0, yLo: 0, nRows: rows, rowIndex: 0, accumulationIndex: 0)
    }

    /// Replays the uses as the controller would: a pass that loads writes its tile's lines from
    /// its base (wiping every tile they overlap), one that does not reads what its base holds.
    /// Fails on a pass that finds another tile, or that loads into the slot the pass before reads
    /// (the load runs while that pass computes).
    func replay(_ drafts: [PassDraft], _ slots: IfmapSlots, file: StaticString = #filePath, line: UInt = #line) -> Int {
        var held: [Int: (key: IfmapKey, lines: Int)] = [:]
        var loads = 0
        var previousBase: Int?
        for (k, (draft, use)) in zip(drafts, slots.uses(drafts, ring: false)).enumerated() {
            XCTAssertEqual(use.base % max(1, slots.slotLines), 0, "pass \(k): a slot's first line", file: file, line: line)
            XCTAssertLessThanOrEqual(use.base, (slots.count - 1) * slots.slotLines, "pass \(k): inside the region", file: file, line: line)
            if use.load {
                XCTAssertGreaterThan(draft.nRows, 0, "pass \(k): loads a tile of no rows", file: file, line: line)
                if slots.count > 1 {
                    XCTAssertNotEqual(use.base, previousBase, "pass \(k): loads over the tile the pass before reads", file: file, line: line)
                }
                let lines = draft.geometry.channels * draft.nRows * 2
                XCTAssertLessThanOrEqual(lines, slots.slotLines, "pass \(k): the tile fits its slot", file: file, line: line)
                held = held.filter { base, tile in base + tile.lines <= use.base || use.base + lines <= base }
                held[use.base] = (draft.ifmapKey, lines)
                loads += 1
            } else if draft.nRows > 0 {
                XCTAssertEqual(held[use.base]?.key, draft.ifmapKey, "pass \(k): its tile is not in slot \(use.base)", file: file, line: line)
            }
            previousBase = use.base
        }
        return loads
    }

    /// Three channels' tiles, used by three filter chunks in turn (back and forth, as the pass
    /// builder orders them): three slots keep them all, so each loads once.
    func testTilesThatFitStayResidentAcrossFilterChunks() {
        let order = [0, 1, 2, 2, 1, 0, 0, 1, 2].map { draft(channel: $0) }
        let slots = IfmapSlots(regionLines: 3 * 3 * 2, drafts: order, wl: 2)
        XCTAssertEqual(slots.count, 3)
        XCTAssertEqual(slots.slotLines, 6)
        XCTAssertEqual(replay(order, slots), 3)
        // Two slots (double buffering) keep only the tile next to the turn.
        XCTAssertEqual(replay(order, IfmapSlots(regionLines: 2 * 6, drafts: order, wl: 2)), 5)
        // One slot: a load wherever the tile changes.
        XCTAssertEqual(replay(order, IfmapSlots(regionLines: 6, drafts: order, wl: 2)), 7)
    }

    /// With more tiles than slots, the one given up is the one needed the latest: in
    /// `0 1 2 0 3 1 2`, three slots (0 in use when 3 arrives) give up 2, needed after 1, and load
    /// 5 times; giving up the least recently used (1) would load 6 times.
    func testTheTileGivenUpIsTheOneNeededLatest() {
        let order = [0, 1, 2, 0, 3, 1, 2].map { draft(channel: $0) }
        let slots = IfmapSlots(regionLines: 18, drafts: order, wl: 2)
        XCTAssertEqual(slots.count, 3)
        XCTAssertEqual(replay(order, slots), 5)
        let uses = slots.uses(order, ring: false)
        XCTAssertEqual(uses.map(\.load), [true, true, true, false, true, false, true])
        XCTAssertEqual(uses[4].base, uses[2].base, "tile 3 takes the slot of tile 2")
    }

    /// A pass that sees only padding loads nothing and names the slot of the pass before, so the
    /// tile after it still does not load over that slot (and the tile before it stays there).
    func testPaddingOnlyPassesKeepThePreviousSlot() {
        let order = [draft(channel: 0), draft(channel: 1, rows: 0), draft(channel: 2), draft(channel: 0)]
        let slots = IfmapSlots(regionLines: 12, drafts: order, wl: 2)
        XCTAssertEqual(slots.count, 2)
        let uses = slots.uses(order, ring: false)
        XCTAssertEqual(uses.map(\.load), [true, false, true, false])
        XCTAssertEqual(uses[1].base, uses[0].base)
        XCTAssertNotEqual(uses[2].base, uses[1].base)
        XCTAssertEqual(uses[3].base, uses[0].base)
        XCTAssertEqual(replay(order, slots), 2)
    }

    /// A tile of image `n`, channels `c0 ..< c0 + 2`, rows `yLo ..< yLo + rows`.
    func ringDraft(n: Int = 0, c0: Int, yLo: Int, rows: Int) -> PassDraft {
        let g = PassGeometry(s: 3, stride: 1, f: 8, q: 2, p: 1, rc: 3, r: 1, e: 1, t: 1, jobRows: 1, shift: 0, pad: 0)
        return PassDraft(geometry: g, n: n, group: 0, m0: 0, c0: c0, i0: 0, e0: 0, accumulate: false, store: false,
                         yStart: yLo, yLo: yLo, nRows: rows, rowIndex: 0, accumulationIndex: 0)
    }

    /// Replays ring uses row by row, as the controller writes and the feeder reads: a slot is
    /// rows `channel * nRows + place`, tile row k at place `(k + yLo mod nRows) mod nRows`; a load
    /// writes its first or last `loadRows` rows of each channel. Every pass must find every row
    /// of its tile. Returns the rows loaded.
    func replayRows(_ drafts: [PassDraft], _ slots: IfmapSlots, file: StaticString = #filePath, line: UInt = #line) -> Int {
        struct Row: Equatable { var n, c, y: Int }
        var slot: [Int: [Int: Row]] = [:]
        var loaded = 0
        for (k, (d, use)) in zip(drafts, slots.uses(drafts, ring: true)).enumerated() where d.nRows > 0 {
            let phase = d.yLo % d.nRows
            func place(_ ch: Int, _ row: Int) -> Int { ch * d.nRows + (row + phase) % d.nRows }
            if use.load {
                XCTAssertTrue((1...d.nRows).contains(use.loadRows), "pass \(k): loads \(use.loadRows) of \(d.nRows) rows", file: file, line: line)
                let first = use.tail ? d.nRows - use.loadRows : 0
                for ch in 0..<d.geometry.channels {
                    for row in first..<(first + use.loadRows) {
                        slot[use.base, default: [:]][place(ch, row)] = Row(n: d.n, c: d.c0 + ch, y: d.yLo + row)
                    }
                }
                loaded += d.geometry.channels * use.loadRows
            }
            for ch in 0..<d.geometry.channels {
                for row in 0..<d.nRows {
                    XCTAssertEqual(slot[use.base]?[place(ch, row)], Row(n: d.n, c: d.c0 + ch, y: d.yLo + row),
                                   "pass \(k): row \(row) of channel \(ch) of tile \(d.ifmapKey)", file: file, line: line)
                }
            }
        }
        return loaded
    }

    /// Row chunks one after the other, two channel pairs a chunk (as CONV1's loop order: row
    /// chunk, then channels): each tile goes into its neighbour's slot and loads the 3 rows it
    /// lacks, the last 3 going down the image and the first 3 coming back up; a tile of another
    /// height (the last chunk) loads whole. Two images in turn never share. A coded ifmap (no
    /// ring) loads every tile whole.
    func testRingLoadsBringOnlyTheRowsTheSlotLacks() {
        var order: [PassDraft] = []
        for y in [0, 3, 6, 9] { order += [0, 2].map { ringDraft(c0: $0, yLo: y, rows: 5) } }
        order += [0, 2].map { ringDraft(c0: $0, yLo: 12, rows: 3) }
        for y in [9, 6, 3] { order += [0, 2].map { ringDraft(n: 1, c0: $0, yLo: y, rows: 5) } }
        let slots = IfmapSlots(regionLines: 4 * 10, drafts: order, wl: 1)
        XCTAssertEqual(slots.count, 4)
        let uses = slots.uses(order, ring: true)
        XCTAssertEqual(uses.map(\.loadRows), [5, 5, 3, 3, 3, 3, 3, 3, 3, 3, 5, 5, 3, 3, 3, 3])
        XCTAssertEqual(uses.map(\.tail), [false, false, true, true, true, true, true, true, false, false, false, false, false, false, false, false])
        XCTAssertEqual(replayRows(order, slots), 2 * (2 * 5 + 6 * 3 + 2 * 3 + 2 * 5 + 4 * 3))
        XCTAssertTrue(slots.uses(order, ring: false).allSatisfy { !$0.load || $0.loadRows == 5 || $0.loadRows == 3 })
        XCTAssertEqual(slots.uses(order, ring: false).filter(\.load).map(\.loadRows).reduce(0, +), 14 * 5 + 2 * 3)
    }

    /// The same walk down the image with the last tile (rows 12-14) made as tall as the others
    /// (rows 10-14, `evenTileHeights`): it shares 4 rows with the tile before and loads 1, where
    /// on its own it loads all 3. Every row is still where the ring puts it; a tile at the top
    /// cannot grow above row 0.
    func testEvenTilesChainTheShortLastRowChunk() {
        var order: [PassDraft] = []
        for y in [0, 3, 6, 9] { order += [0, 2].map { ringDraft(c0: $0, yLo: y, rows: 5) } }
        order += [0, 2].map { ringDraft(c0: $0, yLo: 12, rows: 3) }
        let even = IfmapSlots.evenTileHeights(order)
        XCTAssertEqual(even.map(\.nRows), Array(repeating: 5, count: 10))
        XCTAssertEqual(even.suffix(2).map(\.yLo), [10, 10])
        let slots = IfmapSlots(regionLines: 4 * 10, drafts: even, wl: 1)
        XCTAssertEqual(slots.uses(even, ring: true).suffix(2).map(\.loadRows), [1, 1])
        XCTAssertEqual(slots.uses(order, ring: true).suffix(2).map(\.loadRows), [3, 3])
        XCTAssertEqual(replayRows(even, slots), 2 * 2 * (5 + 3 * 3 + 1), "2 tiles a row chunk, 2 channels a tile")
        XCTAssertEqual(IfmapSlots.evenTileHeights([ringDraft(c0: 0, yLo: 0, rows: 2), ringDraft(c0: 0, yLo: 3, rows: 5)]).map(\.nRows), [2, 5],
                       "a tile at the top of the image keeps its rows")
    }

    /// Random sequences of tiles sliding over a few images and channels, up and down, on 1 to 5
    /// slots: every pass finds every row of its tile where the ring puts it.
    func testRandomRingSequencesReplayRowByRow() {
        var rng = SplitMix64(seed: 77)
        var partial = 0
        for _ in 0..<300 {
            let rows = Int.random(in: 2...6, using: &rng)
            var y = [0, 0, 0, 0]
            let order = (0..<Int.random(in: 1...40, using: &rng)).map { _ -> PassDraft in
                let key = Int.random(in: 0..<4, using: &rng)
                y[key] = max(0, y[key] + Int.random(in: -rows...rows, using: &rng))
                return ringDraft(n: key / 2, c0: 2 * (key % 2), yLo: y[key], rows: Int.random(in: 0..<6, using: &rng) == 0 ? rows - 1 : rows)
            }
            let slots = IfmapSlots(regionLines: Int.random(in: 1...5, using: &rng) * 2 * rows, drafts: order, wl: 1)
            _ = replayRows(order, slots)
            partial += zip(order, slots.uses(order, ring: true)).filter { $0.1.load && $0.1.loadRows < $0.0.nRows }.count
        }
        XCTAssertGreaterThan(partial, 100, "the sequences exercise loads of some rows")
    }

    /// Random tile sequences on 1 to 5 slots, tiles of 1 to 3 rows (so of 2 to 6 lines) and some
    /// of none: every pass finds its tile, no load lands on the slot of the pass before, and a
    /// tile loads again only after its slot was given up.
    func testRandomSequencesReplayCorrectly() {
        var rng = SplitMix64(seed: 2026)
        for _ in 0..<300 {
            let count = Int.random(in: 1...5, using: &rng)
            let order = (0..<Int.random(in: 1...40, using: &rng)).map { _ in
                draft(channel: Int.random(in: 0..<6, using: &rng), rows: Int.random(in: 0..<8, using: &rng) == 0 ? 0 : Int.random(in: 1...3, using: &rng))
            }
            let slots = IfmapSlots(regionLines: count * 6 + 5, drafts: order, wl: 2)
            let largest = order.map { 2 * $0.nRows }.max() ?? 0
            if largest > 0 { XCTAssertEqual(slots.count, (count * 6 + 5) / largest) }
            let loads = replay(order, slots)
            let distinct = Set(order.filter { $0.nRows > 0 }.map(\.ifmapKey)).count
            XCTAssertGreaterThanOrEqual(loads, distinct)
            if slots.count >= distinct + 1 { XCTAssertEqual(loads, distinct, "every tile fits beside the one in use: each loads once") }
        }
    }

    /// A layer of 3 channels (one a pass), 2 filter chunks and 6 row chunks, the filter chunks
    /// the outer loop: every tile is needed once per filter chunk. The region holds all 18 tiles,
    /// so each is loaded once: half of what double buffering loads. Executed bit-exact, raw and
    /// coded (`planProblems` replays the slots: every pass reads the tile it names).
    func testResidentTilesLoadOnceAndExecuteBitExact() throws {
        let plan = try Self.residentPlan(io: .raw)
        XCTAssertEqual(plan.mapping.filterChunks.count, 2)
        XCTAssertEqual(plan.mapping.rowChunks.count, 6)
        let tiles = Set(plan.passes.filter { $0.nRows > 0 }.map { [$0.n, $0.c0, $0.yLo, $0.nRows] })
        XCTAssertEqual(tiles.count, 18)
        XCTAssertEqual(plan.passes.filter { $0.flags.contains(.loadIfmaps) }.count, tiles.count, "each tile loaded once")
        XCTAssertTrue(zip(plan.passes, plan.passes.dropFirst()).contains { prev, pass in
            pass.nRows > 0 && !pass.flags.contains(.loadIfmaps) && pass.ifmapBase != prev.ifmapBase
        }, "some pass reads a tile loaded before the pass before it")
        let tileLines = plan.passes.filter { $0.flags.contains(.loadIfmaps) }.map { $0.nRows * plan.layout.wl }.reduce(0, +)
        for io in [LayerIO.raw, LayerIO(ifmapRLC: true, ofmapRLC: true, relu: true)] {
            let run = try runAndCompare(plan: try Self.residentPlan(io: io), seed: 31)
            if !io.ifmapRLC { XCTAssertEqual(run.counters.ifmapLinesRead, tileLines) }
        }
    }

    /// The plan of `testResidentTilesLoadOnceAndExecuteBitExact` on a 3 x 4 array (also run on the
    /// RTL by the co-simulation tests).
    static func residentPlan(io: LayerIO) throws -> LayerPlan {
        let layer = LayerShape(name: "resident", n: 1, c: 3, h: 12, w: 12, m: 8, r: 3, s: 3, stride: 1, padding: 1)
        let geometry = MainGeometry(q: 1, p: 2, rc: 3, r: 1, rShort: 1, e: 2, t: 2, jobRows: 1, psumBank: 1)
        let d = LayerDims(layer, lanes: 4)
        let builder = PassBuilder(d, geometry, lanes: 4, shift: 4)
        let order: [PassLoop] = [.filterChunk, .rowChunk, .image]
        let mapping = Mapping(q: geometry.q, p: geometry.p, rc: geometry.rc, r: geometry.r, e: geometry.e, t: geometry.t,
                              jobRows: geometry.jobRows, psumBank: geometry.psumBank, imageSlots: 1, rowSlots: 1,
                              psumSlotLines: [24 * TestConfigs.array3x4.raw.globalBuffer.bankWords], sharesRowTiles: false, loopOrder: order, filterChunks: builder.filterChunks,
                              rowChunks: builder.rowChunks, accumulationChunks: builder.accumulationChunks, estimatedCycles: 0)
        return try LayerPlan(layer: layer, config: TestConfigs.array3x4, shift: 4, io: io, mapping: mapping,
                             drafts: builder.drafts(order: order), dims: d, lanes: 4)
    }
}
