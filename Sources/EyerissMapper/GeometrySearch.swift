/// The main geometry of a layer's passes and the global buffer split, before it is cut into
/// chunks. `rShort` is the number of channel sets used by the last, shorter filter-row chunk
/// (when `R % rc != 0`): a shorter PE set leaves room to stack more of them.
struct MainGeometry: Hashable {
    var q: Int
    var p: Int
    var rc: Int
    var r: Int
    var rShort: Int
    var e: Int
    var t: Int
    var jobRows: Int
    var psumBank: Int
    /// Images whose psum tiles the psum region holds at once: 1, or, when the images interleave
    /// inside the accumulation loop, the images of a group (the batch or a divisor of it), each
    /// its own tile.
    var imageSlots = 1
    /// Row chunks whose psum tiles the psum region holds at once: 1, or all of them when the row
    /// chunks interleave inside the accumulation loop.
    var rowSlots = 1
    /// Lines of one psum tile's slot of each row slot (`Mapping.psumSlotLines`).
    var psumSlotLines: [Int] = []
    /// Interleaved row chunks read one ifmap tile, the union of their rows (`Mapping.sharesRowTiles`).
    var sharedRowTiles = false
    /// Ifmap tiles the ifmap region holds at once, each in its own slot: 1, 2 (one loads while
    /// the other is read), or every tile of a row chunk (all its accumulation chunks, for each
    /// interleaved image) so that they stay resident while the filter chunks run over them.
    var ifmapSlots = 1
}

/// How the row chunks of a geometry run: each alone, or interleaved inside the accumulation loop
/// with an ifmap tile each or sharing one (the union of their rows) per accumulation chunk and image.
enum RowInterleave: CaseIterable {
    case none, separate, shared
}

/// `count` chunks of `x * y` units each: `x` the factor kept inside a PE (q, p or jobRows),
/// `y` the one spread over PEs (r, t or e).
struct ChunkRun: Equatable {
    var x: Int
    var y: Int
    var count: Int
}

/// Splits `total` units into chunks of `x * y` and, for the remainder, the fewest chunks of
/// smaller uniform sizes: each time the largest product `x' * y' <= left` with `x' <= x`,
/// `y' <= y`, preferring the larger `y'` (more active PEs) on a tie.
func splitChunks(_ total: Int, x: Int, y: Int) -> [ChunkRun] {
    var runs: [ChunkRun] = []
    var left = total
    var (bx, by) = (x, y)
    while left > 0 {
        if bx * by > left {
            var best = (x: 0, y: 0)
            var yy = min(y, left)
            while yy >= 1 {
                let xx = min(x, left / yy)
                if xx * yy > best.x * best.y { best = (xx, yy) }
                yy -= 1
            }
            (bx, by) = best
        }
        let count = left / (bx * by)
        runs.append(ChunkRun(x: bx, y: by, count: count))
        left -= count * bx * by
    }
    return runs
}

/// The run-length chunking of one layer under a main geometry.
struct ChunkPlan {
    /// (p, t) chunks of the filters of a group.
    var filters: [ChunkRun]
    /// (jobRows, e) chunks of the output rows.
    var rows: [ChunkRun]
    /// Filter-row chunks: `rc` rows, `count` of them, each split into (q, r) channel chunks.
    var filterRows: [(rc: Int, count: Int, channels: [ChunkRun])]

    init(_ d: LayerDims, _ g: MainGeometry) {
        filters = splitChunks(d.mg, x: g.p, y: g.t)
        rows = splitChunks(d.e, x: g.jobRows, y: g.e)
        filterRows = []
        if d.r / g.rc > 0 {
            filterRows.append((g.rc, d.r / g.rc, splitChunks(d.cg, x: g.q, y: g.r)))
        }
        if d.r % g.rc > 0 {
            filterRows.append((d.r % g.rc, 1, splitChunks(d.cg, x: g.q, y: g.rShort)))
        }
    }
}

/// What the mapper's ranking minimizes among the geometries within
/// `GeometrySearch.dramCycleAllowance` of the fewest estimated cycles.
public enum MappingObjective: String, CaseIterable, Codable, Sendable {
    /// The estimated cycles plus one cycle for each DRAM line loaded (`dramLineCycles`).
    case balanced
    /// The fewest estimated DRAM lines loaded, then the fewest cycles: for a run whose time is
    /// a budget to meet (the chip's, in `bench --accelerator`) and whose DRAM traffic is to be
    /// as low as the allowance lets it.
    case dram
}

/// Exhaustive search over row-stationary geometries: every `q, p, r, e, t` that the spads,
/// the array and the tags allow, each with the longest `jobRows` (and its buffer split) that
/// fits the global buffer, ranked by `cost`. Tries `rc = min(R, rows)` first, and a shorter
/// `rc` only if nothing fits with it.
struct GeometrySearch {
    let d: LayerDims
    let hw: HardwareLimits
    /// What the ranking minimizes.
    var objective = MappingObjective.balanced
    /// DRAM lines of one ifmap tile row, as the cost model counts them: `Wl` raw, an estimate
    /// when the ifmap is run-length coded (its length depends on the data).
    var ifmapRowDRAMLines: Double
    /// DRAM lines of one stored ofmap row, in the same way.
    var ofmapRowDRAMLines: Double

    /// Fixed cycles per pass for fetching the descriptor and setting up: a guess, so that the
    /// ranking prefers fewer passes when everything else is equal.
    static let passSetupCycles = 32.0

    struct Result {
        var geometry: MainGeometry
        var cycles: Double
        var utilization: Double
        /// Estimated DRAM lines the layer loads (filter blocks and ifmap tiles).
        var dramLines: Double
    }

    /// How many more estimated cycles than the fastest geometry another may take at most and
    /// still be chosen for loading less from DRAM.
    static let dramCycleAllowance = 1.05

    /// What the ranking charges for loading from DRAM, in cycles per line loaded: about the same
    /// energy. A 64-bit line is 4 words at some 200 MACs of energy each (the reference's table),
    /// 800 MACs; a busy array cycle is 168 MACs, each with some 4 scratchpad accesses at a MAC's
    /// energy, about 840. So a geometry may take up to one cycle more for each line it saves.
    /// (Until 2026-12-06 this was 0.15 cycles per DRAM bus cycle, half a cycle per line at the
    /// chip's 2.4 bytes per cycle.) The `.dram` objective does not use it.
    static let dramLineCycles = 1.0

    /// The share of cycles a network delivers in when it, not the PEs, sets the pace: its
    /// words go out in bursts (every column's psums of an output at once; a multicast word
    /// waits for its slowest PE), so a network near its rate stalls the PEs. Measured on
    /// alexnet.conv3 (12 x 14): a geometry whose output network needs 4,732 lines per pass
    /// against 4,262 PE cycles ran 6,500 cycles per pass, not 4,732.
    static let networkEfficiency = 0.75

    /// The best geometry, or nil if no geometry fits.
    func best() -> Result? { ranked().first }

    /// The geometries the choice is made among, best first (see `ranked(rc:)`): those of the
    /// longest `rc` that fits.
    func ranked() -> [Result] {
        var rc = min(d.r, hw.rows)
        while rc >= 1 {
            let found = ranked(rc: rc)
            if !found.isEmpty { return found }
            rc -= 1
        }
        return []
    }

    /// What the ranking minimizes: the estimated cycles plus `dramLineCycles` for each line of
    /// the estimated DRAM loads.
    func score(_ r: Result) -> Double { r.cycles + Self.dramLineCycles * r.dramLines }

    /// Among the geometries with Rc = `rc` (each image alone, and with a batch also the images
    /// interleaved, in groups of every divisor of the batch; the row chunks each alone, and also
    /// interleaved) within `dramCycleAllowance` of the fewest estimated cycles, the one of the
    /// lowest estimated cycles plus `dramLineCycles` for each line of its DRAM loads (with the
    /// `.dram` objective, of the fewest DRAM lines, then the fewest cycles); ties go to the
    /// higher utilization, then the fewer cycles. All of those, in that order.
    private func ranked(rc: Int) -> [Result] {
        var candidates: [Result] = []
        // Each image alone, or a group of images interleaved (the batch, or a divisor of it).
        // (Every slot takes a bank at least: larger groups cannot fit.)
        for imageSlots in 1...min(d.n, hw.fmapBanks) where d.n % imageSlots == 0 {
            for rows in RowInterleave.allCases {
                candidates += geometries(rc: rc, imageSlots: imageSlots, rows: rows)
            }
        }
        guard let fastest = candidates.map(\.cycles).min() else { return [] }
        let sorted = candidates.filter { $0.cycles <= fastest * Self.dramCycleAllowance }.sorted { a, b in
            switch objective {
            case .balanced:
                if score(a) != score(b) { return score(a) < score(b) }
            case .dram:
                if a.dramLines != b.dramLines { return a.dramLines < b.dramLines }
                if a.cycles != b.cycles { return a.cycles < b.cycles }
            }
            if a.utilization != b.utilization { return a.utilization > b.utilization }
            return a.cycles < b.cycles
        }
        // Splits of the ifmap region that end in the same geometry and buffer split make the
        // same plan (its slots come from the region): keep the best ranked of each.
        var seen = Set<MainGeometry>()
        return sorted.filter { result in
            var plan = result.geometry
            plan.ifmapSlots = 0
            return seen.insert(plan).inserted
        }
    }

    /// Every geometry that fits with Rc = `rc` and `imageSlots` psum tiles per row chunk (with
    /// the row chunks interleaved, one per row chunk and image), with its cost.
    private func geometries(rc: Int, imageSlots: Int, rows: RowInterleave) -> [Result] {
        let interleaveRows = rows != .none
        let qMax = min(hw.ifmapSpadWords / d.s, d.cg)
        guard qMax >= 1, hw.ifmapColumnTags >= rc else { return [] }
        let eMax = min(hw.columns, d.e, (hw.ifmapColumnTags - rc) / d.stride + 1)
        var out: [Result] = []
        let cuts = (1...eMax).map { RowCut(d, e: $0, rc: rc) }
        for q in 1...qMax {
            let pMax = min(hw.psumSpadWords, hw.filterSpadWords / (q * d.s), d.mg)
            guard pMax >= 1 else { continue }
            let rMax = min(hw.rows / rc, hw.rowTags, ceilDiv(d.cg, q))
            for p in 1...pMax {
                for r in 1...rMax {
                    for e in 1...eMax {
                        let tMax = min(hw.columns / e, hw.columnTags, ceilDiv(d.mg, p))
                        for t in 1...tMax {
                            guard PassGeometry.filterLines(lanes: hw.lanes, groups: t, activeRows: rc * r, wordsPerPE: d.s * q * p)
                                    <= hw.filterBufferLines else { break }
                            // The whole ifmap region for one tile, or half of it, so that the
                            // next pass's tile can load while this one computes, or a slot for
                            // every tile of a row chunk, so that the filter chunks reuse them.
                            let resident = max(2, accumulationChunks(q: q, r: r, rc: rc) * imageSlots)
                            // Shared row tiles size their slots themselves (one per image and one more).
                            let shares = rows == .shared ? [1] : !interleaveRows && ceilDiv(d.mg, p * t) > 1 ? [1, 2, resident] : [1, 2]
                            // Interleaved row chunks: the longest `jobRows`, and as many chunks cut evenly.
                            for share in Set(shares).sorted() {
                                var fits = Set<MainGeometry>()
                                for evenRows in interleaveRows ? [false, true] : [false] {
                                    guard var g = fitJobRows(q: q, p: p, rc: rc, r: r, e: e, t: t, ifmapShare: share,
                                                             imageSlots: imageSlots, rows: rows, evenRows: evenRows,
                                                             cut: cuts[e - 1]) else { continue }
                                    g.ifmapSlots = share
                                    g.rShort = shortChunkSets(g)
                                    guard fits.insert(g).inserted else { continue }
                                    let (cycles, utilization, dramLines) = cost(g)
                                    out.append(Result(geometry: g, cycles: cycles, utilization: utilization, dramLines: dramLines))
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// For a strip width `e` and filter-row chunk `rc`, per `jobRows = j` (index `j - 1`): the
    /// row chunks the output rows are cut into, and the ifmap rows of their largest tile.
    struct RowCut {
        var chunks: [Int]
        var tileRows: [Int]
        /// The row chunks' runs (`jobRows`, `e`, count).
        var runs: [[ChunkRun]]

        init(_ d: LayerDims, e: Int, rc: Int) {
            let cap = min(d.e / e, (1 << 16) - 1)
            runs = cap >= 1 ? (1...cap).map { splitChunks(d.e, x: $0, y: e) } : []
            chunks = runs.map { $0.map(\.count).reduce(0, +) }
            // The short filter-row chunk's tile counts too: it holds `r` channel sets at least.
            tileRows = cap >= 1 ? (1...cap).map { j in
                let rows = d.largestTileRows(e: e, jobRows: j, rc: rc)
                return max(rows.full, rows.short)
            } : []
        }
    }

    /// The longest `jobRows` for which the largest ifmap tile (in `1 / ifmapShare` of the ifmap
    /// region) and the psum tiles (`imageSlots` of them, times the row chunks when they
    /// interleave) fit together, and the buffer split giving it (the largest ifmap share among
    /// the equally good ones). Interleaved row chunks give each row chunk's tiles the banks they
    /// need (the last, shorter chunk's may need fewer); with `.shared` the ifmap region must hold
    /// the union tile of every image and one more, so that the row chunks find their images'
    /// tiles and the next one loads meanwhile. With the row chunks interleaved, nil when the rows
    /// take a single chunk (nothing to interleave), and with `evenRows` the shortest `jobRows`
    /// that cuts the rows into as many chunks as the longest does.
    func fitJobRows(q: Int, p: Int, rc: Int, r: Int, e: Int, t: Int, ifmapShare: Int = 1, imageSlots: Int = 1,
                    rows: RowInterleave = .none, evenRows: Bool = false, cut: RowCut? = nil) -> MainGeometry? {
        let cut = cut ?? RowCut(d, e: e, rc: rc)
        let cap = cut.chunks.count
        guard cap >= 1 else { return nil }
        let interleaveRows = rows != .none
        let tileRowLines = q * r * d.wl
        let rowLines = PassGeometry.psumRowLines(lanes: hw.lanes, p: p, f: d.f)
        let psumRowLines = t * e * rowLines
        func rowSlots(_ j: Int) -> Int { interleaveRows ? cut.chunks[j - 1] : 1 }
        // Lines and banks of one psum tile of each row chunk's run, and whether the tiles of `j`
        // are packed one after the other (`packs`) or each in banks of its own.
        func runLines(_ run: ChunkRun) -> Int { run.x * run.y * t * rowLines }
        func runBanks(_ run: ChunkRun) -> Int { ceilDiv(runLines(run), hw.bankLines) }
        func alignedBanks(_ j: Int) -> Int { imageSlots * cut.runs[j - 1].reduce(0) { $0 + $1.count * runBanks($1) } }
        func packedBanks(_ j: Int) -> Int { ceilDiv(imageSlots * cut.runs[j - 1].reduce(0) { $0 + $1.count * runLines($1) }, hw.bankLines) }
        func packs(_ j: Int) -> Bool {
            packedBanks(j) < alignedBanks(j)
                && Self.packedTilesApart(cut.runs[j - 1].flatMap { Array(repeating: runLines($0), count: $0.count) },
                                         imageSlots: imageSlots, bankLines: hw.bankLines)
        }
        var best: (j: Int, bank: Int)?
        if !interleaveRows {
            for bank in 1..<hw.fmapBanks {
                let ifmapLines = bank * hw.bankLines / ifmapShare
                func tileFits(_ j: Int) -> Bool { tileRowLines * cut.tileRows[j - 1] <= ifmapLines }
                // The psum tile bounds `j` directly; the tile grows with `j` (a binary search,
                // then a check, as clipping at the border could make it grow unevenly).
                var (lo, hi) = (0, min(cap, (hw.fmapBanks - bank) / imageSlots * hw.bankLines / psumRowLines))
                while lo < hi {
                    let mid = (lo + hi + 1) / 2
                    if tileFits(mid) { lo = mid } else { hi = mid - 1 }
                }
                var j = lo
                while j > 0 && !tileFits(j) { j -= 1 }
                if j > 0, j >= best?.j ?? 0 { best = (j, bank) }
            }
        } else {
            let union = d.unionTileRows(rc: rc)
            let unionTileLines = tileRowLines * max(union.full, union.short)
            // The most ifmap banks `j` leaves (the psum tiles take the rest), if its ifmap tile
            // fits them and the rows take more than one chunk.
            func bank(_ j: Int) -> Int? {
                guard cut.chunks[j - 1] > 1 else { return nil }
                let psumBanks = packs(j) ? packedBanks(j) : alignedBanks(j)
                let tileLines = rows == .shared
                    ? unionTileLines * Self.sharedTileSlots(imageSlots: imageSlots) : tileRowLines * cut.tileRows[j - 1]
                let bank = min(hw.fmapBanks - 1, hw.fmapBanks - psumBanks)
                return bank >= 1 && tileLines <= bank * hw.bankLines / ifmapShare ? bank : nil
            }
            // Longest first: a longer `j` means larger tiles but fewer row chunks, so fewer
            // slots. Shorter ones only add chunks: stop once the slots exceed the banks.
            var j = cap
            while j > 0 && imageSlots * cut.chunks[j - 1] < hw.fmapBanks {
                if let bank = bank(j) {
                    best = (j, bank)
                    break
                }
                j -= 1
            }
            // With `evenRows`, as many row chunks, but as even as they go (24 rows as 12 + 12,
            // not 23 + 1): the shortest `j` that cuts the rows into as many chunks and fits (the
            // banks are rounded per chunk, so a `j` between may not).
            if evenRows, let longest = best {
                var k = longest.j
                while k > 1 && cut.chunks[k - 2] == cut.chunks[longest.j - 1] {
                    k -= 1
                    if let bank = bank(k) { best = (k, bank) }
                }
            }
        }
        guard let best else { return nil }
        let packed = interleaveRows && packs(best.j)
        let slotLines = interleaveRows
            ? cut.runs[best.j - 1].flatMap { Array(repeating: packed ? runLines($0) : runBanks($0) * hw.bankLines, count: $0.count) }
            : [(hw.fmapBanks - best.bank) / imageSlots * hw.bankLines]
        return MainGeometry(q: q, p: p, rc: rc, r: r, rShort: r, e: e, t: t, jobRows: best.j, psumBank: best.bank,
                            imageSlots: imageSlots, rowSlots: rowSlots(best.j), psumSlotLines: slotLines,
                            sharedRowTiles: rows == .shared)
    }

    /// Whether psum tiles packed one after the other (`Mapping.psumTileLine`: each image's row
    /// chunks in turn, of `rowLines` lines each) leave every two tiles that the passes take one
    /// after the other in banks apart: the row chunks of a step run forward or backward, the
    /// images in order inside each. A pass whose tile shares a bank with the tile the store
    /// engine still reads waits for the store (one read port a bank): packed tiles that could
    /// make the passes of a step's last accumulation wait in turn are placed in banks of their
    /// own instead (one image and two row chunks, as AlexNet CONV2 one image at a time, would
    /// wait at every store).
    static func packedTilesApart(_ rowLines: [Int], imageSlots: Int, bankLines: Int) -> Bool {
        func banks(_ k: Int, _ n: Int) -> ClosedRange<Int> {
            let first = Mapping.psumTileOffset(slotLines: rowLines, rowSlot: k, imageSlot: n)
            return (first / bankLines)...((first + rowLines[k] - 1) / bankLines)
        }
        let forward = rowLines.indices.flatMap { k in (0..<imageSlots).map { (k, $0) } }
        let backward = rowLines.indices.reversed().flatMap { k in (0..<imageSlots).map { (k, $0) } }
        for sequence in [forward + backward + forward, forward + forward, backward + backward] {
            for (a, b) in zip(sequence, sequence.dropFirst()) where a != b && banks(a.0, a.1).overlaps(banks(b.0, b.1)) {
                return false
            }
        }
        return true
    }

    /// Slots the ifmap region needs for shared row tiles: one per interleaved image, which every
    /// row chunk of a step reads, and one more, which the next step's first tile loads into.
    static func sharedTileSlots(imageSlots: Int) -> Int { imageSlots + 1 }

    /// Channel sets for the last filter-row chunk when it is shorter than `rc`: as many as the
    /// array and tags allow while its filter block and ifmap tile still fit.
    func shortChunkSets(_ g: MainGeometry) -> Int {
        let rcShort = d.r % g.rc
        guard rcShort > 0 else { return g.r }
        var sets = min(hw.rows / rcShort, hw.rowTags, ceilDiv(d.cg, g.q))
        while sets > g.r {
            let filterOK = PassGeometry.filterLines(lanes: hw.lanes, groups: g.t, activeRows: rcShort * sets, wordsPerPE: d.s * g.q * g.p)
                <= hw.filterBufferLines
            let tileOK = g.sharedRowTiles
                ? g.q * sets * d.unionTileRows(rc: g.rc).short * d.wl * Self.sharedTileSlots(imageSlots: g.imageSlots)
                    <= g.psumBank * hw.bankLines
                : g.q * sets * d.tileRows(epass: g.e * g.jobRows, rc: rcShort) * d.wl <= g.psumBank * hw.bankLines / g.ifmapSlots
            if filterOK && tileOK { return sets }
            sets -= 1
        }
        return g.r
    }

    /// Passes in one accumulation group (filter-row chunks times channel chunks, the shorter last
    /// filter-row chunk counted with `r` channel sets: at most as many as it has).
    func accumulationChunks(q: Int, r: Int, rc: Int) -> Int {
        let channelChunks = splitChunks(d.cg, x: q, y: r).map(\.count).reduce(0, +)
        return ceilDiv(d.r, rc) * channelChunks
    }

    /// Estimated cycles of the whole layer and the MAC-weighted PE utilization (see
    /// `Mapping.estimatedCycles`). Per pass: the slowest of one PE (its MACs and the ifmap words it
    /// takes between outputs), the ifmap feeder (a
    /// word per cycle) and the GON (a line of up to `lanes` psums of one column per cycle:
    /// docs/architecture.md, section 4; the psum GIN moves as many lines as the GON), plus the filter feeder (a filter-buffer line per cycle;
    /// the spads fill before the MACs start), plus the ifmap tile from DRAM (loaded before the
    /// pass runs, section 5, unless every tile fits half the ifmap region: then it is loaded
    /// with the prefetch), plus what the computing does not hide of the next descriptor, filter
    /// block and such a tile (prefetched once the filter feeder is done; the first pass waits for
    /// its own). This is what makes the ranking weigh PE count against reuse:
    /// more columns only help while the GON keeps up (`e*t <= lanes*q*S`), more channel
    /// sets while the ifmap feeder does. Also the DRAM lines of the filter blocks and ifmap tiles (a block
    /// counted once per `imageSlots` passes), which decide between interleaving the images or not.
    func cost(_ g: MainGeometry) -> (cycles: Double, utilization: Double, dramLines: Double) {
        let chunks = ChunkPlan(d, g)
        // Shared row tiles have their slots (`sharedTileSlots`): each loads while a pass computes.
        let regionLines = g.psumBank * hw.bankLines, largestTile = max(1, largestTileLines(g))
        let doubleBuffered = g.sharedRowTiles || 2 * largestTile <= regionLines
        let union = d.unionTileRows(rc: g.rc)
        // When the region has a slot for every tile the filter chunks come back to (each
        // accumulation chunk's, for every interleaved image and row chunk), whatever split the
        // fit assumed (the plan's slots come from the region), each is loaded once for all the
        // filter chunks.
        // When it has fewer slots, the filter chunks still find some: the accumulation loop runs
        // back and forth, so at each turn the slots hold the tiles the next filter chunk reads
        // first (Belady's choice gives up the ones needed latest), and it loads only the others.
        let filterChunkCount = chunks.filters.map(\.count).reduce(0, +)
        let tilesReused = accumulationChunks(q: g.q, r: g.r, rc: g.rc) * g.imageSlots * (g.sharedRowTiles ? 1 : g.rowSlots)
        let slots = max(1, regionLines / largestTile)
        let tileLoadShare = filterChunkCount > 1 && tilesReused > 1
            ? Double(tilesReused + (filterChunkCount - 1) * max(0, tilesReused - slots))
                / Double(filterChunkCount * tilesReused)
            : 1
        let peCount = Double(hw.rows * hw.columns)
        var cycles = 0.0
        var busyMACs = 0.0
        var macs = 0.0
        var dramLines = 0.0
        var first = true
        // Interleaved images and row chunks share each filter block: one load serves all their
        // passes, one feed into the spads the images' (and the row chunks', see below).
        let sharing = g.imageSlots * g.rowSlots
        let filterLoadShare = 1 / Double(sharing)
        // Each row chunk of two or more filter groups and of several widths is charged a feed of
        // the block. Since the pitch (`PassGeometry.pitch`) a narrower chunk keeps the wider one's
        // filters, so this overcounts; but the ranking overestimates the single-image passes the
        // ifmap network bounds (AlexNet CONV4-5 at batch 1 with `e = 13`, some 17 % above what
        // they co-simulate), and counted exactly it takes interleaved row chunks there instead:
        // one image then co-simulated in 6,456,352 cycles against 6,212,638 (2026-12-06).
        let feeders = g.rowSlots > 1 && g.t > 1 && Set(chunks.rows.map(\.y)).count > 1 ? g.rowSlots : 1
        let filterFeedShare = Double(feeders) / Double(sharing)
        // The passes that load the next filter block while they compute: the ones that keep
        // their filters after the block's last feed, a part each (LayerPlan.loadFilterBlocksEarly),
        // or, if there are none, the one pass before the block's first, all of it. Loads the
        // computing does not hide are exposed pass by pass, so a block shared by interleaved row
        // chunks alone arrives in one burst.
        let loaders = max(1, sharing / feeders - 1)
        for fc in chunks.filters {
            let (p, t) = (fc.x, fc.y)
            for rw in chunks.rows {
                let (jobRows, e) = (rw.x, rw.y)
                // With a single psum tile, the first pass of the next accumulation group starts
                // it in the banks the store engine still reads: it waits for the whole store.
                if g.imageSlots * g.rowSlots == 1 {
                    let storeLines = Double(p * t * e * jobRows) * ofmapRowDRAMLines
                    cycles += Double(fc.count * rw.count) * storeLines * hw.cyclesPerLine
                }
                for fr in chunks.filterRows {
                    let rc = fr.rc
                    for cc in fr.channels {
                        let (q, r) = (cc.x, cc.y)
                        let count = Double(fc.count * rw.count * fr.count * cc.count)
                        let yCount = (e - 1) * d.stride + rc
                        let peMACs = jobRows * d.f * p * q * d.s
                        // A PE takes each window's new columns (q words each) before it computes
                        // the output; its output stage sends the p psums while it goes on, so only
                        // the job's last output waits for them.
                        let peCycles = peMACs + jobRows * q * (d.s + (d.f - 1) * min(d.stride, d.s)) + p + 3
                        let ifmapWords = jobRows * d.inputColumns * yCount * q * r
                        let gonLines = jobRows * e * t * PassGeometry.psumRowLines(lanes: hw.lanes, p: p, f: d.f)
                        let compute = Int(max(Double(peCycles), Double(ifmapWords) / Self.networkEfficiency,
                                              Double(gonLines) / Self.networkEfficiency))
                        let filterFeed = PassGeometry.filterLines(lanes: hw.lanes, groups: t, activeRows: rc * r, wordsPerPE: d.s * q * p)
                        // A shared tile serves every row chunk: each pass's share of its load.
                        let tileRows = g.sharedRowTiles
                            ? Double(rc == g.rc ? union.full : union.short) / Double(g.rowSlots)
                            : Double(d.tileRows(epass: e * jobRows, rc: rc))
                        let tileDRAMLines = Double(q * r) * tileRows * ifmapRowDRAMLines * tileLoadShare
                        let exposedTile = doubleBuffered ? 0 : tileDRAMLines
                        let otherLines = Double(Descriptor.lineCount) + tileDRAMLines - exposedTile
                        let prefetchLines = Double(filterFeed) * filterLoadShare + otherLines
                        let exposed = { (lines: Double) in max(0, lines * hw.cyclesPerLine - Double(compute)) }
                        let exposedPrefetch = (Double(loaders) * exposed(Double(filterFeed) / Double(loaders) + otherLines)
                            + Double(sharing - loaders) * exposed(otherLines)) / Double(sharing)
                        // Interleaved images after the first keep the PEs' filters: no feed.
                        let pass = Double(compute) + Double(filterFeed) * filterFeedShare + exposedTile * hw.cyclesPerLine
                            + exposedPrefetch + Self.passSetupCycles
                        cycles += count * pass
                        dramLines += count * (Double(filterFeed) * filterLoadShare + tileDRAMLines)
                        if first {
                            cycles += prefetchLines * hw.cyclesPerLine
                            first = false
                        }
                        let active = Double(rc * r * e * t)
                        macs += count * Double(peMACs) * active
                        busyMACs += count * Double(peMACs) * active * active / peCount
                    }
                }
            }
        }
        let images = Double(d.n * d.groups)
        return (cycles * images, macs > 0 ? busyMACs / macs : 0, dramLines * images)
    }

    /// Lines of the largest ifmap tile among the chunks.
    private func largestTileLines(_ g: MainGeometry) -> Int {
        let rows = g.sharedRowTiles ? d.unionTileRows(rc: g.rc) : d.largestTileRows(e: g.e, jobRows: g.jobRows, rc: g.rc)
        return max(g.q * g.r * rows.full, g.q * g.rShort * rows.short) * d.wl
    }
}
