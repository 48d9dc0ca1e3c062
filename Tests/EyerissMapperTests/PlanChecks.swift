import EyerissConfig
import EyerissMapper

/// Checks of a whole plan that need no data: every descriptor of the program is a legal pass
/// that matches its `Pass`, addresses follow the DRAM layout formulas of the contract, and the
/// passes compute every psum exactly once (each ofmap row stored once, each tile accumulating
/// every (channel, filter row) of its group once, or leaving it out only when it sees nothing
/// but padding). Returns the problems found (empty: the plan is sound).
func planProblems(_ plan: LayerPlan) -> [String] {
    var out: [String] = []
    let layer = plan.layer
    let layout = plan.layout
    let lanes = plan.config.raw.dram.busBits / plan.config.raw.fixedPoint.dataBits
    let (cg, mg) = (layer.c / layer.groups, layer.m / layer.groups)
    // A stored ofmap row: F values, or the row pool's windows of `size` every 2.
    let width = plan.io.rowPool.map { (layer.f - $0.size) / 2 + 1 } ?? layer.f
    let wl = (layer.w + lanes - 1) / lanes, fl = (width + lanes - 1) / lanes
    let program = plan.program()
    let (decoded, programLength) = decodeProgramWithLength(program)
    if programLength != program.count { out.append("program has \(program.count) lines, its END ends at \(programLength.map(String.init) ?? "none")") }
    if program.count > (plan.passes.count + 1) * DecodedDescriptor.lineCount { out.append("program has \(program.count) lines for \(plan.passes.count) passes") }
    if decoded.count != plan.passes.count { out.append("program decodes to \(decoded.count) passes, plan has \(plan.passes.count)") }
    if layout.wl != wl || layout.fl != fl { out.append("layout Wl/Fl \(layout.wl)/\(layout.fl) != \(wl)/\(fl)") }
    let pairs = plan.config.raw.rlc.pairsPerWord
    // Codes of g rows of a channel (the last shorter), a slot each: g = 1 raw or a code per row.
    let (ig, og) = (plan.io.ifmapCodeRows, layout.ofmapRowsPerSlot)
    if layout.ifmapRowsPerSlot != ig { out.append("layout codes \(layout.ifmapRowsPerSlot) ifmap rows, io \(ig)") }
    if og != 1 && !(plan.io.ofmapRLC && plan.io.ofmapCodeByRowChunk) { out.append("ofmap codes of \(og) rows not asked for") }
    let ifmapRow = plan.io.ifmapRLC ? (layer.w * ig + pairs - 1) / pairs : wl
    let ofmapRow = plan.io.ofmapRLC ? (width * og + pairs - 1) / pairs : fl
    let (ifmapPlane, ofmapPlane) = ((layer.h + ig - 1) / ig * ifmapRow, (layer.e + og - 1) / og * ofmapRow)
    if layout.ifmapLines != layer.n * layer.c * ifmapPlane { out.append("ifmap region size") }
    if layout.ofmapLines != layer.n * layer.m * ofmapPlane { out.append("ofmap region size") }
    let regions = [(layout.programBase, layout.programLines), (layout.filterBase, layout.filterLines),
                   (layout.ifmapBase, layout.ifmapLines), (layout.ofmapBase, layout.ofmapLines)]
    for k in 1..<regions.count where regions[k].0 < regions[k - 1].0 + regions[k - 1].1 {
        out.append("DRAM regions overlap: \(regions)")
    }

    var stored = Array(repeating: 0, count: layer.n * layer.m * layer.e)
    // The open psum tiles by first line (several when the images or row chunks interleave), each
    // with its lines and the (channel, filter row) pairs accumulated into it.
    var open: [Int: (pass: Pass, lines: Int, covered: [Bool])] = [:]
    let bankLines = plan.config.raw.globalBuffer.bankWords
    var previousFilterAddress: Int?
    var loadedParts: Int?  // lines of a block loaded in parts so far
    var previous: DecodedDescriptor?
    // The last pass that fed the PEs their filters.
    var lastFed: DecodedDescriptor?
    // The ifmap tiles in the ifmap region, by first line.
    var heldTiles: [Int: HeldTile] = [:]
    for (k, (pass, d)) in zip(plan.passes, decoded).enumerated() {
        func problem(_ text: String) { out.append("pass \(k): \(text)") }
        for v in d.violations(plan.config) { problem(v) }
        let g = pass.geometry
        let expected: [(String, Int, Int)] = [
            ("S", d.s, layer.s), ("stride", d.stride, layer.stride), ("F", d.f, layer.f), ("pad", d.pad, layer.padding),
            ("W", d.w, layer.w), ("H", d.h, layer.h), ("shift", d.shift, plan.shift),
            ("q", d.q, g.q), ("p", d.p, g.p), ("Rc", d.rc, g.rc), ("r", d.r, g.r), ("e", d.e, g.e), ("t", d.t, g.t), ("pitch", d.pitch, g.pitch),
            ("jobRows", d.jobRows, g.jobRows), ("flags", d.flags, pass.flags.rawValue), ("yStart", d.yStart, pass.yStart),
            ("yStart formula", d.yStart, pass.e0 * layer.stride - layer.padding + pass.i0),
            ("yLo", d.yLo, pass.yLo), ("nRows", d.nRows, pass.nRows), ("psumLine", d.psumLine, pass.psumLine),
            ("filterAddress", d.filterAddress, pass.filterAddress), ("filterLines", d.filterLines, pass.filterLines),
            ("ofmapPlaneLines", d.ofmapPlaneLines, ofmapPlane),
        ]
        // The tile's and the ofmap's DRAM lines are read only to load the tile and to store
        // (a pass that does neither keeps the values of the pass before).
        // The tile's identity: the DRAM line of its first row. A load starts at the first row it brings.
        let ifmapAddress = layout.ifmapBase + (pass.n * layer.c + pass.c0) * ifmapPlane + pass.yLo / ig * ifmapRow
        let loadAddress = ifmapAddress + d.ifmapFirstLoadedRow / ig * ifmapRow
        if d.loadIfmaps && d.ifmapAddress != loadAddress { problem("ifmapAddress = \(d.ifmapAddress), expected \(loadAddress)") }
        let ofmapAddress = layout.ofmapBase + (pass.n * layer.m + pass.m0) * ofmapPlane + pass.e0 / og * ofmapRow
        if d.store && d.ofmapAddress != ofmapAddress { problem("ofmapAddress = \(d.ofmapAddress), expected \(ofmapAddress)") }
        for (name, got, want) in expected where got != want { problem("\(name) = \(got), expected \(want)") }
        if d.filterAddress < layout.filterBase || d.filterAddress + d.filterLines > layout.filterBase + layout.filterLines {
            problem("filter block outside the filter region")
        }
        // A pass that keeps the PEs' filters does not read the filter buffer.
        if !d.loadFilters && !d.keepFilters {
            if previousFilterAddress != d.filterAddress { problem("skips a filter load it needs") }
            if let parts = loadedParts, parts < d.filterLines { problem("feeds a block loaded only in part (\(parts) lines)") }
        }
        if d.loadFilters || !d.keepFilters {
            previousFilterAddress = d.filterAddress
            loadedParts = nil
        }
        if d.nextFilterLines > 0 {
            // Keep passes load a later block a part each, in order, from its first line.
            if !d.keepFilters { problem("loads a later pass's filter block while it feeds its own") }
            let block = d.nextFilterAddress - d.nextFilterBase
            if d.nextFilterBase == 0 {
                loadedParts = d.nextFilterLines
            } else if block != previousFilterAddress || d.nextFilterBase != loadedParts {
                problem("loads part \(d.nextFilterBase) of a block out of order")
            } else {
                loadedParts! += d.nextFilterLines
            }
            previousFilterAddress = block
        }
        // The spads hold what the last feed put there, in its PEs: only the same block, the same
        // words per PE in the same PE rows and filter groups may keep them, and every column
        // must be one that feed filled with the column's group (no wider, at the same pitch, or
        // with a single group at any).
        if d.keepFilters {
            let sameWords = lastFed.map { fed in
                [fed.filterAddress, fed.filterLines, fed.s, fed.q, fed.p, fed.rc, fed.r, fed.t]
                    == [d.filterAddress, d.filterLines, d.s, d.q, d.p, d.rc, d.r, d.t]
                    // Group tg's columns start at tg * pitch, e of them active: a pass no wider
                    // whose groups start where the feed's did (any, with one group) finds its filters.
                    && (d.t == 1 || fed.pitch == d.pitch) && d.e <= fed.e
            } ?? false
            if !sameWords { problem("keeps the PEs' filters, but the last feed put other filters or filled other PEs") }
        } else {
            lastFed = d
        }
        // The tile stays in the ifmap banks, below every psum tile.
        if d.nRows > 0 && d.ifmapBase + d.ifmapTileLines > plan.mapping.psumBank * bankLines {
            problem("its ifmap tile (lines \(d.ifmapBase) + \(d.ifmapTileLines)) runs past the ifmap region (\(plan.mapping.psumBank * bankLines) lines) into the psum banks")
        }
        // Ifmap tiles: a pass that reuses a tile reads it where it was loaded, with nothing loaded
        // over it since; a tile loaded elsewhere than the pass before's (so while that pass
        // computes) must not overlap that pass's tile.
        let tile = HeldTile(address: ifmapAddress, rows: d.nRows, channels: d.q * d.r, lines: d.ifmapTileLines)
        if d.loadIfmaps && d.ifmapLoadRows < d.nRows {
            // A load of some rows: the slot must hold a tile of the same channels and height
            // whose rows are the ones it does not bring (the ring keeps them in place).
            let shift = d.ifmapLoadTail ? d.ifmapLoadRows : -d.ifmapLoadRows
            let neighbour = HeldTile(address: ifmapAddress - shift * ifmapRow, rows: d.nRows, channels: d.q * d.r, lines: d.ifmapTileLines)
            if d.ifmapRLC || heldTiles[d.ifmapBase] != neighbour {
                problem("loads \(d.ifmapLoadRows) of its \(d.nRows) rows, but its slot holds \(String(describing: heldTiles[d.ifmapBase])), not the neighbour \(neighbour)")
            }
        }
        if d.loadIfmaps {
            heldTiles = heldTiles.filter { base, held in base + held.lines <= d.ifmapBase || d.ifmapBase + tile.lines <= base }
            heldTiles[d.ifmapBase] = tile
        } else if d.nRows > 0 && heldTiles[d.ifmapBase] != tile {
            problem("reads a tile at line \(d.ifmapBase) that is not there (it holds \(String(describing: heldTiles[d.ifmapBase])))")
        }
        if let prev = previous {
            if d.loadIfmaps && d.ifmapBase != prev.ifmapBase
                && max(d.ifmapBase, prev.ifmapBase) < min(d.ifmapBase + d.ifmapTileLines, prev.ifmapBase + prev.ifmapTileLines) {
                problem("its tile overlaps the tile of the pass before, which it is loaded under")
            }
        }
        previous = d
        // Everything inside the pass's group and the layer.
        let (group, c0, m0) = (pass.group, pass.c0, pass.m0)
        if c0 < group * cg || c0 + g.channels > (group + 1) * cg { problem("channels \(c0)..<\(c0 + g.channels) leave group \(group)") }
        if m0 < group * mg || m0 + g.filters > (group + 1) * mg { problem("filters \(m0)..<\(m0 + g.filters) leave group \(group)") }
        if pass.i0 + g.rc > layer.r { problem("filter rows \(pass.i0)..<\(pass.i0 + g.rc) beyond R") }
        if pass.e0 + g.epass > layer.e { problem("output rows \(pass.e0)..<\(pass.e0 + g.epass) beyond E") }
        if pass.n >= layer.n { problem("image \(pass.n) beyond n") }

        // Accumulation groups.
        let bank = pass.psumLine  // the tile's key: its first line
        if d.accumulate {
            guard let first = open[bank]?.pass, first.n == pass.n, first.m0 == m0, first.e0 == pass.e0,
                  first.epass == pass.epass, first.geometry.filters == g.filters else {
                problem("accumulates into a tile it did not open")
                continue
            }
        } else {
            if let other = open[bank] { problem("opens a tile over the tile of pass \(other.pass), not stored yet") }
            let lines = d.psumTileLines(lanes: lanes)
            if bank < plan.mapping.psumBank * bankLines { problem("its psum tile (line \(bank)) starts below the psum region") }
            for (otherLine, other) in open where otherLine != bank {
                if max(bank, otherLine) < min(bank + lines, otherLine + other.lines) {
                    problem("its psum tile (lines \(bank) ..< \(bank + lines)) overlaps the open tile at line \(otherLine)")
                }
            }
            open[bank] = (pass, lines, Array(repeating: false, count: cg * layer.r))
        }
        for ch in (c0 - group * cg)..<(c0 - group * cg + g.channels) {
            for i in pass.i0..<(pass.i0 + g.rc) {
                if open[bank]!.covered[ch * layer.r + i] { problem("accumulates channel \(ch), filter row \(i) twice") }
                open[bank]!.covered[ch * layer.r + i] = true
            }
        }
        if d.store {
            let covered = open[bank]!.covered
            // Pairs left out must see only padding in this tile.
            for ch in 0..<cg {
                for i in 0..<layer.r where !covered[ch * layer.r + i] {
                    let seesImage = (pass.e0..<(pass.e0 + g.epass)).contains { e in
                        (0..<layer.h).contains(e * layer.stride - layer.padding + i)
                    }
                    if seesImage { problem("tile stored without channel \(ch), filter row \(i)") }
                }
            }
            for m in m0..<(m0 + g.filters) {
                for e in pass.e0..<(pass.e0 + g.epass) { stored[(pass.n * layer.m + m) * layer.e + e] += 1 }
            }
            open[bank] = nil
        }
    }
    if !open.isEmpty { out.append("\(open.count) tile(s) never stored") }
    if let bad = stored.firstIndex(where: { $0 != 1 }) {
        out.append("ofmap row (n, m, e) #\(bad) stored \(stored[bad]) times")
    }
    return out
}

/// An ifmap tile in the global buffer, as descriptors name it.
private struct HeldTile: Equatable {
    var address: Int
    var rows: Int
    var channels: Int
    var lines: Int
}
