/// Where each pass's ifmap tile sits in the ifmap region, and which passes load theirs.
///
/// The region is cut into `count` slots of the layer's largest tile. A pass finds its tile in a
/// slot when an earlier pass loaded the same tile there and nothing has been loaded over it
/// since; otherwise it loads it into a slot other than the one the pass before reads, so that the
/// controller loads it while that pass computes (docs/architecture.md, section 5). The slot given
/// up is the one whose tile is needed again the latest, or never (Belady's choice: the whole
/// program is known in advance). With two slots this is plain double buffering, with one a tile
/// is loaded after the pass before it is done; with more, tiles that the loop order comes back to
/// (e.g. every channel's tile of a row chunk, used again by each filter chunk) stay resident.
///
/// Rows shared with the tile before (`ring`): row chunks whose windows overlap (a stride below
/// the filter height) need some of the rows of the neighbouring chunk's tile again. A raw tile's
/// rows sit in its slot as in a ring, row `y` of a channel at `y mod nRows` (`Pass.ifmapRowPhase`),
/// so a tile of the same image and channels and as many rows, loaded over the slot of its
/// neighbour, finds the shared rows in place and loads only the others. (The run-length loader
/// writes whole tiles from row 0: a coded ifmap never shares.)
struct IfmapSlots {
    /// Slots in the region: at least 1.
    let count: Int
    /// Lines of one slot: the largest tile.
    let slotLines: Int

    /// What one pass does with its tile.
    struct Use: Equatable {
        /// The pass loads its tile (it has rows, and no slot holds it).
        var load: Bool
        /// First line of the slot the pass reads (and loads into).
        var base: Int
        /// Rows of each channel the load brings (0 without a load).
        var loadRows = 0
        /// The load brings the tile's last `loadRows` rows (the slot holds its first ones).
        var tail = false
    }

    /// Slots of `regionLines` lines for the tiles of `drafts` (`wl` lines per tile row).
    init(regionLines: Int, drafts: [PassDraft], wl: Int) {
        slotLines = drafts.map { $0.geometry.channels * $0.nRows * wl }.max() ?? 0
        count = slotLines > 0 ? max(1, regionLines / slotLines) : 1
    }

    /// The tile use of every pass, in order. A pass whose tile lies wholly in the padding
    /// (`nRows == 0`) loads nothing and names the slot of the pass before. With `ring`, a tile
    /// that overlaps a held tile of the same image and channels and as many rows (which is not
    /// needed again) loads into its slot only the rows it lacks.
    func uses(_ drafts: [PassDraft], ring: Bool) -> [Use] {
        // The next pass with the same tile, for every pass.
        var nextUse = [Int](repeating: Int.max, count: drafts.count)
        var seen: [IfmapKey: Int] = [:]
        for index in drafts.indices.reversed() where drafts[index].nRows > 0 {
            let key = drafts[index].ifmapKey
            nextUse[index] = seen[key] ?? Int.max
            seen[key] = index
        }
        var held = [IfmapKey?](repeating: nil, count: count)
        // When each slot's tile is needed next (Int.max: never again).
        var heldNext = [Int](repeating: Int.max, count: count)
        var current = 0
        var out: [Use] = []
        out.reserveCapacity(drafts.count)
        for (index, draft) in drafts.enumerated() {
            guard draft.nRows > 0 else {
                out.append(Use(load: false, base: current * slotLines))
                continue
            }
            let key = draft.ifmapKey
            if let slot = held.firstIndex(of: key) {
                current = slot
                heldNext[slot] = nextUse[index]
                out.append(Use(load: false, base: slot * slotLines))
                continue
            }
            // Never the slot the pass before reads: the load runs while it computes.
            let free = count > 1 ? (0..<count).filter { $0 != current } : [current]
            var use = Use(load: true, base: 0, loadRows: key.nRows)
            var slot: Int
            if ring, let (s, shared) = free.lazy.compactMap({ s in held[s].flatMap { Self.shared(key, $0) }.map { (s, $0) } })
                .first(where: { heldNext[$0.0] == Int.max }) {
                slot = s
                use.loadRows = key.nRows - shared.rows
                use.tail = shared.head
            } else {
                slot = free.first { held[$0] == nil } ?? free.max { heldNext[$0] < heldNext[$1] }!
            }
            held[slot] = key
            heldNext[slot] = nextUse[index]
            current = slot
            use.base = slot * slotLines
            out.append(use)
        }
        return out
    }

    /// The tiles of `drafts`, each shorter one (a last row chunk's) taking the rows above it
    /// up to the height of the tallest tile of its channels and filter rows (as far as the
    /// image's first row): in the ring a tile shares rows only with one as tall. It holds every
    /// row it held, so its passes read the same values.
    static func evenTileHeights(_ drafts: [PassDraft]) -> [PassDraft] {
        struct Kind: Hashable { var channels, i0: Int }
        func kind(_ d: PassDraft) -> Kind { Kind(channels: d.geometry.channels, i0: d.i0) }
        var height: [Kind: Int] = [:]
        for d in drafts { height[kind(d)] = max(height[kind(d)] ?? 0, d.nRows) }
        return drafts.map { d in
            guard d.nRows > 0, let rows = height[kind(d)], rows > d.nRows else { return d }
            var even = d
            even.yLo = max(0, d.yLo + d.nRows - rows)
            even.nRows = d.yLo + d.nRows - even.yLo
            return even
        }
    }

    /// The rows tile `key` shares with a tile `held` of the same image, channels and height:
    /// how many, and whether they are `key`'s first rows (else its last); nil if none.
    static func shared(_ key: IfmapKey, _ held: IfmapKey) -> (rows: Int, head: Bool)? {
        guard held.n == key.n, held.c0 == key.c0, held.channels == key.channels, held.nRows == key.nRows,
              held.yLo != key.yLo, abs(held.yLo - key.yLo) < key.nRows else { return nil }
        return held.yLo < key.yLo ? (held.yLo + key.nRows - key.yLo, true) : (key.yLo + key.nRows - held.yLo, false)
    }
}
