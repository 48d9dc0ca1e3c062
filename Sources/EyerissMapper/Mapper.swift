import EyerissConfig

/// The row-stationary mapper (Chen et al., ISCA 2016; the chip chose its mappings offline in
/// the same way): chooses how a CONV layer runs on the configured array as a sequence of
/// passes (docs/architecture.md, section 2), and lays out its program, filters, ifmap and
/// ofmap in DRAM.
public enum Mapper {
    /// Maps one layer.
    ///
    /// - Parameters:
    ///   - layer: any CONV layer shape (it is validated here).
    ///   - config: the accelerator.
    ///   - shift: the layer's product shift, `0 ... 2 * dataBits - 1`.
    ///   - objective: what the ranking of the geometries minimizes.
    /// - Throws: `MappingError` naming the layer and the rule no mapping can satisfy.
    public static func map(layer: LayerShape, config: ValidConfig, shift: Int, io: LayerIO = .raw,
                           objective: MappingObjective = .balanced) throws -> LayerPlan {
        let (shape, dims, hw, search) = try prepare(layer: layer, config: config, shift: shift, io: io, objective: objective)
        let ranked = search.ranked()
        guard let best = ranked.first else {
            throw MappingError(layer: shape.name, reason: diagnose(dims, hw))
        }
        // An ifmap coded several rows a code can only be read by tiles of whole codes: the best
        // geometry whose tiles hold them (the plan names the first tile that does not, when none does).
        let codeRows = io.ifmapRLC ? min(max(io.ifmapCodeRows, 1), dims.h) : 1
        let found = codeRows > 1 ? ranked.first { tilesHoldWholeCodes($0, rows: codeRows, dims: dims, hw: hw, shift: shift) } ?? best : best
        return try plan(found, shape: shape, dims: dims, hw: hw, config: config, shift: shift, io: io)
    }

    /// Whether every ifmap tile of a geometry holds whole codes of `rows` rows (the tiles are the
    /// same in every loop order).
    private static func tilesHoldWholeCodes(_ found: GeometrySearch.Result, rows: Int, dims: LayerDims, hw: HardwareLimits,
                                            shift: Int) -> Bool {
        let g = found.geometry
        let drafts = PassBuilder(dims, g, lanes: hw.lanes, shift: shift)
            .drafts(order: passLoops(g, batch: dims.n), interleavedImages: g.imageSlots > 1, imagesPerGroup: g.imageSlots,
                    interleavedRows: g.rowSlots > 1)
        return drafts.allSatisfy { LayerPlan.holdsWholeCodes(yLo: $0.yLo, nRows: $0.nRows, h: dims.h, perCode: rows) }
    }

    /// The loops a geometry's loop orders are made of: an interleaved whole batch and
    /// interleaved row chunks run inside the accumulation loop instead.
    private static func passLoops(_ g: MainGeometry, batch: Int) -> [PassLoop] {
        var loops = PassLoop.allCases
        if g.imageSlots > 1 && g.imageSlots == batch { loops.removeAll { $0 == .image } }
        if g.rowSlots > 1 { loops.removeAll { $0 == .rowChunk } }
        return loops
    }

    /// The plan of one ranked geometry: its passes in the loop order that loads the least.
    private static func plan(_ found: GeometrySearch.Result, shape: LayerShape, dims: LayerDims, hw: HardwareLimits,
                     config: ValidConfig, shift: Int, io: LayerIO) throws -> LayerPlan {
        let g = found.geometry
        let builder = PassBuilder(dims, g, lanes: hw.lanes, shift: shift)
        let interleavedImages = g.imageSlots > 1, interleavedRows = g.rowSlots > 1
        let orders = passLoopOrders(passLoops(g, batch: dims.n))
        var bestOrder = orders[0]
        func drafts(_ order: [PassLoop], evenTiles: Bool) -> [PassDraft] {
            let drafts = builder.drafts(order: order, interleavedImages: interleavedImages, imagesPerGroup: g.imageSlots,
                                        interleavedRows: interleavedRows)
            return evenTiles ? IfmapSlots.evenTileHeights(drafts) : drafts
        }
        var bestDrafts = drafts(bestOrder, evenTiles: false)
        // The tiles are the same in every order: so are the slots (even tiles are no taller).
        let slots = IfmapSlots(regionLines: g.psumBank * hw.bankLines, drafts: bestDrafts, wl: dims.wl)
        let ring = !io.ifmapRLC
        var bestLines = builder.loadedLines(bestDrafts, ifmapSlots: slots, ring: ring)
        // Raw tiles also as tall as their neighbours, so that a short last row chunk's tile
        // still finds most of its rows in the ring, if that loads less.
        for evenTiles in ring ? [false, true] : [false] {
            for order in orders where order != bestOrder || evenTiles {
                let candidate = drafts(order, evenTiles: evenTiles)
                let lines = builder.loadedLines(candidate, ifmapSlots: slots, ring: ring)
                if lines < bestLines { (bestOrder, bestDrafts, bestLines) = (order, candidate, lines) }
            }
        }

        let mapping = Mapping(q: g.q, p: g.p, rc: g.rc, r: g.r, e: g.e, t: g.t, jobRows: g.jobRows,
                              psumBank: g.psumBank, imageSlots: g.imageSlots, rowSlots: g.rowSlots,
                              psumSlotLines: g.psumSlotLines, sharesRowTiles: g.sharedRowTiles,
                              loopOrder: bestOrder, filterChunks: builder.filterChunks,
                              rowChunks: builder.rowChunks, accumulationChunks: builder.accumulationChunks,
                              estimatedCycles: found.cycles)
        return try LayerPlan(layer: shape, config: config, shift: shift, io: io, mapping: mapping, drafts: bestDrafts,
                             dims: dims, lanes: hw.lanes)
    }

    /// The checks every mapping starts with, and the geometry search of the layer.
    private static func prepare(layer: LayerShape, config: ValidConfig, shift: Int, io: LayerIO, objective: MappingObjective) throws
        -> (shape: LayerShape, dims: LayerDims, hw: HardwareLimits, search: GeometrySearch) {
        func reject(_ reason: String) -> MappingError { MappingError(layer: layer.name, reason: reason) }
        let shape: LayerShape
        do {
            shape = try layer.validated()
        } catch let error as LayerShapeError {
            throw reject("invalid shape: \(error.field) = \(error.value): \(error.rule)")
        }
        let hw = try HardwareLimits(config, layer: shape.name)
        guard (0...config.maxProductShift).contains(shift) else {
            throw reject("shift = \(shift) must be in 0...\(config.maxProductShift)")
        }
        guard shape.f < 1 << 16 else {
            throw reject("F = \(shape.f) outputs per row must be below 2^16 (a PE job's F field)")
        }
        // Rows, columns and their windows are 16-bit fields of the descriptor, and 16-bit counts
        // in the controller and the feeders.
        for (name, value) in [("H", shape.h), ("W", shape.w), ("stride", shape.stride), ("padding", shape.padding)]
            where !DescriptorField.h.range.contains(value) {
            throw reject("\(name) = \(value) must be below 2^\(DescriptorField.h.bits) to fit its descriptor field")
        }
        let dims = LayerDims(shape, lanes: hw.lanes)
        // In floating point: an absurd shape must be rejected, not overflow.
        let rowLines = { (width: Int, raw: Int) in Double(max(raw, (width + config.raw.rlc.pairsPerWord - 1) / config.raw.rlc.pairsPerWord)) }
        let fmapLines = Double(shape.n) * (Double(shape.c) * Double(dims.h) * rowLines(dims.w, dims.wl)
            + Double(shape.m) * Double(dims.e) * rowLines(dims.f, dims.fl))
        guard fmapLines < 0x1_0000_0000 else {
            throw reject("the ifmap and ofmap need \(Int(fmapLines)) DRAM lines; line addresses are 32 bits")
        }
        // A coded ifmap row's length depends on its zeros: rank assuming half of them are zero
        // (AlexNet's ReLU outputs hold 40 to 75 %; the co-simulation's random data 50 %).
        let codedRowLines = Double(ceilDiv(ceilDiv(dims.w, 2), config.raw.rlc.pairsPerWord))
        let storedWidth = LayerPlan.storedWidth(f: dims.f, io: io), storedFl = Double(ceilDiv(storedWidth, hw.lanes))
        let codedOfmapRowLines = Double(ceilDiv(ceilDiv(storedWidth, 2), config.raw.rlc.pairsPerWord))
        let search = GeometrySearch(d: dims, hw: hw, objective: objective,
                                    ifmapRowDRAMLines: io.ifmapRLC ? min(codedRowLines, Double(dims.wl)) : Double(dims.wl),
                                    ofmapRowDRAMLines: io.ofmapRLC ? min(codedOfmapRowLines, storedFl) : storedFl)
        return (shape, dims, hw, search)
    }


    /// The geometries the mapper chooses among for a layer, best first, at most `limit`: what
    /// `map` would take, and what it passed over (`eyeriss map --candidates`).
    public static func candidates(layer: LayerShape, config: ValidConfig, shift: Int, io: LayerIO = .raw,
                                  objective: MappingObjective = .balanced, limit: Int) throws -> [MappingCandidate] {
        let (_, _, _, search) = try prepare(layer: layer, config: config, shift: shift, io: io, objective: objective)
        return search.ranked().prefix(max(0, limit)).map { r in
            let g = r.geometry
            return MappingCandidate(q: g.q, p: g.p, rc: g.rc, r: g.r, e: g.e, t: g.t, jobRows: g.jobRows, psumBank: g.psumBank,
                                    imageSlots: g.imageSlots, rowSlots: g.rowSlots, sharesRowTiles: g.sharedRowTiles,
                                    ifmapSlots: g.ifmapSlots,
                                    estimatedCycles: r.cycles, estimatedDRAMLines: r.dramLines, score: search.score(r))
        }
    }

    /// Why nothing fits: the first rule that even the smallest pass (one channel, one filter,
    /// one filter row, one output row) breaks.
    static func diagnose(_ d: LayerDims, _ hw: HardwareLimits) -> String {
        if d.s > hw.ifmapSpadWords {
            return "filter width S = \(d.s) exceeds the ifmap scratchpad (pe.ifmapSpadWords = \(hw.ifmapSpadWords)): a PE must hold a whole window of one ifmap row"
        }
        if d.s > hw.filterSpadWords {
            return "filter width S = \(d.s) exceeds the filter scratchpad (pe.filterSpadWords = \(hw.filterSpadWords)): a PE must hold a whole filter row"
        }
        if ceilDiv(d.s, hw.lanes) > hw.filterBufferLines {
            return "one filter row (S = \(d.s)) does not fit the filter buffer of \(hw.filterBufferLines) lines"
        }
        let regionMax = (hw.fmapBanks - 1) * hw.bankLines
        if d.fl > regionMax {
            return "a single output row of psums (F = \(d.f), \(d.fl) lines) does not fit the psum region (at most \(hw.fmapBanks - 1) banks of \(hw.bankLines) lines, one bank staying with the ifmaps)"
        }
        if d.wl > regionMax {
            return "a single ifmap row (W = \(d.w), \(d.wl) lines) does not fit the ifmap region (at most \(hw.fmapBanks - 1) banks of \(hw.bankLines) lines, one bank staying with the psums)"
        }
        return "one ifmap row (W = \(d.w), \(d.wl) lines) and one psum row (F = \(d.f), \(d.fl) lines) cannot share the \(hw.fmapBanks) global buffer banks of \(hw.bankLines) lines (each bank holds ifmaps or psums)"
    }
}
