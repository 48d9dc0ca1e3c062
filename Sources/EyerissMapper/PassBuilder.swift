/// Identifies a filter block's contents: passes with equal keys share one block in DRAM.
struct FilterKey: Hashable {
    var m0: Int
    var c0: Int
    var i0: Int
    var p: Int
    var t: Int
    var q: Int
    var r: Int
    var rc: Int
}

/// Identifies an ifmap tile's contents: a pass whose tile equals the previous one skips the load.
struct IfmapKey: Hashable {
    var n: Int
    var c0: Int
    var yLo: Int
    var nRows: Int
    var channels: Int
}

/// A pass before DRAM addresses and load flags are given.
struct PassDraft {
    var geometry: PassGeometry
    var n: Int
    var group: Int
    var m0: Int
    var c0: Int
    var i0: Int
    var e0: Int
    var accumulate: Bool
    var store: Bool
    var yStart: Int
    var yLo: Int
    var nRows: Int
    /// Index of the pass's row chunk in `PassBuilder.rowChunks`.
    var rowIndex: Int
    /// Index of the pass's accumulation chunk in `PassBuilder.accumulationChunks`.
    var accumulationIndex: Int

    var filterKey: FilterKey {
        FilterKey(m0: m0, c0: c0, i0: i0, p: geometry.p, t: geometry.t, q: geometry.q, r: geometry.r, rc: geometry.rc)
    }
    var ifmapKey: IfmapKey { IfmapKey(n: n, c0: c0, yLo: yLo, nRows: nRows, channels: geometry.channels) }
}

/// Turns a main geometry into the explicit chunks of a layer and its passes, in a loop order.
struct PassBuilder {
    let d: LayerDims
    let lanes: Int
    let shift: Int
    let filterChunks: [FilterChunk]
    let rowChunks: [RowChunk]
    let accumulationChunks: [AccumulationChunk]
    /// The interleaved row chunks' passes of an accumulation chunk and image read one ifmap
    /// tile, the union of their rows (`Mapping.sharesRowTiles`).
    let sharesRowTiles: Bool
    /// Columns from one filter group's first column to the next's, in every pass: the widest
    /// row chunk's `e` (`PassGeometry.pitch`).
    let pitch: Int

    init(_ d: LayerDims, _ g: MainGeometry, lanes: Int, shift: Int) {
        self.d = d
        sharesRowTiles = g.sharedRowTiles
        self.lanes = lanes
        self.shift = shift
        let chunks = ChunkPlan(d, g)
        var filters: [FilterChunk] = []
        var m0 = 0
        for run in chunks.filters {
            for _ in 0..<run.count {
                filters.append(FilterChunk(m0: m0, p: run.x, t: run.y))
                m0 += run.x * run.y
            }
        }
        var rows: [RowChunk] = []
        var e0 = 0
        for run in chunks.rows {
            for _ in 0..<run.count {
                rows.append(RowChunk(e0: e0, e: run.y, jobRows: run.x))
                e0 += run.x * run.y
            }
        }
        var accumulation: [AccumulationChunk] = []
        var i0 = 0
        for fr in chunks.filterRows {
            for _ in 0..<fr.count {
                var c0 = 0
                for run in fr.channels {
                    for _ in 0..<run.count {
                        accumulation.append(AccumulationChunk(i0: i0, rc: fr.rc, c0: c0, q: run.x, r: run.y))
                        c0 += run.x * run.y
                    }
                }
                i0 += fr.rc
            }
        }
        filterChunks = filters
        rowChunks = rows
        pitch = rows.map(\.e).max() ?? 1
        accumulationChunks = accumulation
    }

    /// Every pass of the layer for a loop order. Every loop, the accumulation loop included,
    /// runs back and forth (boustrophedon), so the last pass of one accumulation group and the
    /// first of the next often share a filter block or an ifmap tile.
    ///
    /// With `interleavedImages`, the images of a group of `imagesPerGroup` (the whole batch when
    /// nil) run inside the accumulation loop, every image adding into its own psum tile, so each
    /// filter block is loaded once for the group; `.image` then walks the groups, and `order`
    /// leaves it out when there is only one. With `interleavedRows`, `order` leaves out
    /// `.rowChunk` in the same way: every accumulation step runs for each row chunk in turn (and
    /// inside that for each image), each row chunk its own psum tile, so a filter block loaded for
    /// one row chunk serves the others from the filter buffer.
    func drafts(order: [PassLoop], interleavedImages: Bool = false, imagesPerGroup: Int? = nil,
                interleavedRows: Bool = false) -> [PassDraft] {
        let groupSize = interleavedImages ? imagesPerGroup ?? d.n : 1
        precondition(d.n % groupSize == 0, "image groups of \(groupSize) do not divide the batch of \(d.n)")
        precondition(!interleavedImages || groupSize < d.n || !order.contains(.image),
                     "a batch interleaved whole takes the image loop out of the order")
        precondition(!interleavedRows || !order.contains(.rowChunk), "interleaved row chunks take the row loop out of the order")
        precondition(interleavedRows || !sharesRowTiles, "only interleaved row chunks share ifmap tiles")
        let sizes = order.map { loop -> Int in
            switch loop {
            case .image: return d.n / groupSize
            case .filterChunk: return filterChunks.count
            case .rowChunk: return rowChunks.count
            }
        }
        var out: [PassDraft] = []
        var groupsEmitted = 0
        var stepsEmitted = 0
        for indices in boustrophedon([d.groups] + sizes) {
            var (n, fc, rw) = (0, 0, 0)
            for (loop, index) in zip(order, indices.dropFirst()) {
                switch loop {
                case .image: n = index * groupSize
                case .filterChunk: fc = index
                case .rowChunk: rw = index
                }
            }
            // One accumulation group per row chunk taking part, stepped together: step `a` runs
            // accumulation chunk `a` of every row chunk that does not leave it out.
            let rows = interleavedRows ? Array(rowChunks.indices) : [rw]
            let groups = rows.map { accumulationGroup(n: n, group: indices[0], filters: filterChunks[fc], rowIndex: $0) }
            var steps = accumulationChunks.indices.map { a in groups.compactMap { group in group.first { $0.accumulationIndex == a } } }
            steps.removeAll { $0.isEmpty }
            if groupsEmitted % 2 == 1 { steps.reverse() }
            groupsEmitted += 1
            // With row chunks of several widths a step's row chunks run widest PE set first,
            // every step: a narrower set's filter groups start where the widest one's do (the
            // pitch), so its PEs already hold the block the wider one's feed put there
            // (`PassGeometry.holdsFilters(of:)`). Otherwise back and forth, so that neighbouring
            // steps' passes differ in fewer descriptor fields and the pass at each turn finds
            // its tile loaded.
            var ordered: [PassDraft] = []
            for step in steps {
                if Set(step.map(\.geometry.e)).count > 1 {
                    ordered += step.enumerated().sorted { a, b in
                        a.element.geometry.e != b.element.geometry.e ? a.element.geometry.e > b.element.geometry.e : a.offset < b.offset
                    }.map(\.element)
                } else {
                    ordered += stepsEmitted % 2 == 1 ? step.reversed() : step
                }
                stepsEmitted += 1
            }
            // The first pass of a row chunk's group starts its psum tile, the last stores it.
            var left = Dictionary(uniqueKeysWithValues: zip(rows, groups.map(\.count)))
            var started = Set<Int>()
            for var draft in ordered {
                draft.accumulate = !started.insert(draft.rowIndex).inserted
                left[draft.rowIndex]! -= 1
                draft.store = left[draft.rowIndex] == 0
                guard interleavedImages else {
                    out.append(draft)
                    continue
                }
                for image in n..<(n + groupSize) {
                    draft.n = image
                    out.append(draft)
                }
            }
        }
        return out
    }

    /// The passes that add into one psum tile, leaving out those that see only padding (but
    /// keeping one, so that the tile is written). With `sharesRowTiles` a pass that sees the
    /// image names the tile of every row chunk's rows (`LayerDims.unionTileRows`).
    func accumulationGroup(n: Int, group: Int, filters fc: FilterChunk, rowIndex: Int) -> [PassDraft] {
        let rw = rowChunks[rowIndex]
        let all = accumulationChunks.enumerated().map { a, ac -> PassDraft in
            let geometry = PassGeometry(s: d.s, stride: d.stride, f: d.f, q: ac.q, p: fc.p, rc: ac.rc, r: ac.r,
                                        e: rw.e, t: fc.t, jobRows: rw.jobRows, shift: shift, pad: d.pad, pitch: pitch)
            let yStart = rw.e0 * d.stride - d.pad + ac.i0
            let span = (rw.epass - 1) * d.stride + ac.rc
            let yLo = max(yStart, 0)
            let yHi = min(yStart + span - 1, d.h - 1)
            let nRows = max(0, yHi - yLo + 1)
            var tile = (yLo: nRows > 0 ? yLo : 0, nRows: nRows)
            if sharesRowTiles && nRows > 0 {
                let lo = max(ac.i0 - d.pad, 0)
                tile = (lo, min((d.e - 1) * d.stride - d.pad + ac.i0 + ac.rc - 1, d.h - 1) - lo + 1)
            }
            return PassDraft(geometry: geometry, n: n, group: group, m0: group * d.mg + fc.m0,
                             c0: group * d.cg + ac.c0, i0: ac.i0, e0: rw.e0, accumulate: false, store: false,
                             yStart: yStart, yLo: tile.yLo, nRows: tile.nRows, rowIndex: rowIndex,
                             accumulationIndex: a)
        }
        let seeing = all.filter { $0.nRows > 0 }
        return seeing.isEmpty ? [all[0]] : seeing
    }

    /// DRAM lines a pass sequence loads: a filter block equal to the one loaded just before is
    /// not loaded again, nor an ifmap tile that one of the region's `ifmapSlots` still holds, nor
    /// (`ring`, raw ifmaps) the rows a tile finds in its slot (`IfmapSlots.uses(_:ring:)`).
    func loadedLines(_ drafts: [PassDraft], ifmapSlots: IfmapSlots, ring: Bool) -> Int {
        var lines = 0
        var filter: FilterKey?
        for (draft, ifmap) in zip(drafts, ifmapSlots.uses(drafts, ring: ring)) {
            if draft.filterKey != filter {
                lines += draft.geometry.filterLines(lanes: lanes)
                filter = draft.filterKey
            }
            if ifmap.load { lines += draft.geometry.channels * ifmap.loadRows * d.wl }
        }
        return lines
    }
}

/// Every index tuple of nested loops of the given sizes, outer first, each inner loop running
/// forward and backward in turn (so consecutive tuples differ in one index only).
func boustrophedon(_ sizes: [Int]) -> [[Int]] {
    var out: [[Int]] = [[]]
    for size in sizes {
        var next: [[Int]] = []
        next.reserveCapacity(out.count * size)
        for (k, prefix) in out.enumerated() {
            let indices = k % 2 == 0 ? Array(0..<size) : Array((0..<size).reversed())
            for i in indices { next.append(prefix + [i]) }
        }
        out = next
    }
    return out
}

/// Every order of the given pass loops.
func passLoopOrders(_ loops: [PassLoop]) -> [[PassLoop]] {
    guard loops.count > 1 else { return [loops] }
    return loops.indices.flatMap { k in
        passLoopOrders(Array(loops[..<k] + loops[(k + 1)...])).map { [loops[k]] + $0 }
    }
}
