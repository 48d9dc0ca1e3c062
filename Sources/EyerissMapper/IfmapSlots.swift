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
    }

    /// Slots of `regionLines` lines for the tiles of `drafts` (`wl` lines per tile row).
    init(regionLines: Int, drafts: [PassDraft], wl: Int) {
        slotLines = drafts.map { $0.geometry.channels * $0.nRows * wl }.max() ?? 0
        count = slotLines > 0 ? max(1, regionLines / slotLines) : 1
    }

    /// The tile use of every pass, in order. A pass whose tile lies wholly in the padding
    /// (`nRows == 0`) loads nothing and names the slot of the pass before.
    func uses(_ drafts: [PassDraft]) -> [Use] {
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
            var slot = current
            if count > 1 {
                // Never the slot the pass before reads: the load runs while it computes.
                let free = (0..<count).filter { $0 != current }
                slot = free.first { held[$0] == nil } ?? free.max { heldNext[$0] < heldNext[$1] }!
            }
            held[slot] = key
            heldNext[slot] = nextUse[index]
            current = slot
            out.append(Use(load: true, base: slot * slotLines))
        }
        return out
    }
}
