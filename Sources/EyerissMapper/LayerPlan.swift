import EyerissConfig
import EyerissGolden

/// Everything needed to run one layer: the mapping, its passes with their DRAM addresses, the
/// DRAM layout, and the functions that build the DRAM image (program, filter blocks, ifmap)
/// and read the ofmap back. Made by `Mapper.map(layer:config:shift:)`.
public struct LayerPlan: Equatable, Sendable {
    /// The layer (validated).
    public let layer: LayerShape
    public let config: ValidConfig
    /// The layer's product shift.
    public let shift: Int
    public let mapping: Mapping
    /// The passes, in program order.
    public let passes: [Pass]
    public let layout: DRAMLayout
    /// Raw or coded fmaps, ReLU or not.
    public let io: LayerIO
    /// The run-length code of the configuration.
    public var code: RunLengthCode { RunLengthCode(config) }

    /// Words per DRAM line.
    public var lanes: Int { layout.lanes }
    /// Values of an ofmap row in DRAM: `F`, or fewer when the store engine pools the rows.
    public var ofmapWidth: Int { Self.storedWidth(f: layer.f, io: io) }
    /// The ofmap `[n][m][e][ofmapWidth]` as stored.
    public var ofmapDims: [Int] { [layer.n, layer.m, layer.e, ofmapWidth] }

    static func storedWidth(f: Int, io: LayerIO) -> Int { io.rowPool?.outputs(width: f) ?? f }
    /// Bits of one word (`dataBits`).
    public var wordBits: Int { config.raw.fixedPoint.dataBits }

    init(layer: LayerShape, config: ValidConfig, shift: Int, io: LayerIO, mapping: Mapping, drafts: [PassDraft],
         dims d: LayerDims, lanes: Int) throws {
        // Filter blocks in order of first use, each once.
        var blockAddress: [FilterKey: Int] = [:]
        var blockOffsets: [Int] = []
        var filterLines = 0
        for draft in drafts where blockAddress[draft.filterKey] == nil {
            blockAddress[draft.filterKey] = filterLines
            blockOffsets.append(filterLines)
            filterLines += draft.geometry.filterLines(lanes: lanes)
        }
        let code = RunLengthCode(config)
        var io = io
        guard io.ifmapCodeRows >= 1 else {
            throw MappingError(layer: layer.name, reason: "ifmapCodeRows = \(io.ifmapCodeRows) must be 1 or more")
        }
        // Rows per ifmap code (raw: a row a slot), at most a channel's.
        io.ifmapCodeRows = io.ifmapRLC ? min(io.ifmapCodeRows, d.h) : 1
        let g = io.ifmapCodeRows
        if let partial = drafts.first(where: { !Self.holdsWholeCodes(yLo: $0.yLo, nRows: $0.nRows, h: d.h, perCode: g) }) {
            throw MappingError(layer: layer.name, reason: "an ifmap coded \(g) rows a code needs tiles of whole codes; this mapping's tile holds rows \(partial.yLo)..<\(partial.yLo + partial.nRows) of \(d.h)")
        }
        // Rows per ofmap code: a row chunk's when asked and every store's rows are one code's.
        let stores = drafts.filter(\.store)
        let chunkRows = stores.map(\.geometry.epass).max() ?? 1
        let byRowChunk = io.ofmapRLC && io.ofmapCodeByRowChunk && chunkRows > 1 && stores.allSatisfy { s in
            s.e0 % chunkRows == 0 && s.e0 + s.geometry.epass <= d.e && (s.geometry.epass == chunkRows || s.e0 + s.geometry.epass == d.e)
        }
        io.ofmapCodeByRowChunk = byRowChunk
        let ofmapRowsPerSlot = byRowChunk ? chunkRows : 1
        // A pooled row's windows must end on the row's last value: the store engine ends the
        // row's code or line there.
        if let pool = io.rowPool, !pool.coversExactly(width: d.f) {
            throw MappingError(layer: layer.name, reason: "the row pool's windows of \(pool.size) every \(RowPool.stride) do not end on the last of F = \(d.f) values ((F - \(pool.size)) must be even and F >= \(pool.size)); pool on the host instead")
        }
        let ofmapWidth = Self.storedWidth(f: d.f, io: io)
        let ifmapRowLines = io.ifmapRLC ? code.maxWords(width: d.w * g) : d.wl
        let storedFl = ceilDiv(ofmapWidth, lanes)
        let ofmapRowLines = io.ofmapRLC ? code.maxWords(width: ofmapWidth * ofmapRowsPerSlot) : storedFl
        let ifmapLines = d.n * layer.c * ceilDiv(d.h, g) * ifmapRowLines
        func layout(programLines: Int) -> DRAMLayout {
            DRAMLayout(lanes: lanes, wl: d.wl, fl: storedFl, ifmapRowLines: ifmapRowLines, ifmapRowsPerSlot: g,
                       ofmapRowLines: ofmapRowLines, ofmapRowsPerSlot: ofmapRowsPerSlot,
                       c: layer.c, h: d.h, m: layer.m, e: d.e,
                       programBase: 0, programLines: programLines,
                       filterBase: programLines, filterLines: filterLines,
                       ifmapBase: programLines + filterLines, ifmapLines: ifmapLines,
                       ofmapBase: programLines + filterLines + ifmapLines,
                       ofmapLines: d.n * layer.m * ceilDiv(d.e, ofmapRowsPerSlot) * ofmapRowLines)
        }
        let ifmapUses = IfmapSlots(regionLines: mapping.psumBank * config.raw.globalBuffer.bankWords, drafts: drafts, wl: d.wl)
            .uses(drafts, ring: !io.ifmapRLC)
        func passes(in layout: DRAMLayout) -> [Pass] {
            var passes: [Pass] = []
            passes.reserveCapacity(drafts.count)
            var lastFilter: FilterKey?
            // The geometry of the last pass that fed the PEs the block: what their spads hold.
            var fedGeometry: PassGeometry?
            for (draft, ifmap) in zip(drafts, ifmapUses) {
                var flags = io.flags
                if draft.filterKey != lastFilter {
                    flags.insert(.loadFilters)
                    lastFilter = draft.filterKey
                    fedGeometry = draft.geometry
                } else if fedGeometry?.holdsFilters(of: draft.geometry) == true {
                    // The same words went to these PEs in an earlier pass; nothing overwrote them.
                    flags.insert(.keepFilters)
                } else {
                    fedGeometry = draft.geometry
                }
                if ifmap.load { flags.insert(.loadIfmaps) }
                if ifmap.tail { flags.insert(.ifmapLoadTail) }
                // Rows the load brings: the tile's first `loadRows`, or its last.
                let loadRows = ifmap.load ? ifmap.loadRows : draft.nRows
                let firstLoaded = ifmap.tail ? draft.nRows - loadRows : 0
                if draft.accumulate { flags.insert(.accumulate) }
                if draft.store { flags.insert(.store) }
                passes.append(Pass(geometry: draft.geometry, n: draft.n, group: draft.group, m0: draft.m0, c0: draft.c0,
                                   i0: draft.i0, e0: draft.e0, flags: flags, yStart: draft.yStart, yLo: draft.yLo,
                                   nRows: draft.nRows, ifmapLoadRows: loadRows,
                                   psumLine: mapping.psumTileLine(rowIndex: draft.rowIndex, image: draft.n,
                                                                   bankLines: config.raw.globalBuffer.bankWords),
                                   ifmapBase: ifmap.base,
                                   filterAddress: layout.filterBase + blockAddress[draft.filterKey]!,
                                   filterLines: draft.geometry.filterLines(lanes: lanes),
                                   ifmapAddress: layout.ifmapLine(n: draft.n, c: draft.c0, y: draft.yLo + firstLoaded),
                                   ofmapAddress: layout.ofmapLine(n: draft.n, m: draft.m0, e: draft.e0)))
            }
            Self.loadFilterBlocksEarly(&passes, cyclesPerLine: config.dramCyclesPerLine)
            return passes
        }
        // The program's length depends on which lines change from pass to pass, not on where the
        // regions start (every address moves with its region's base alike): measure it with room
        // for whole descriptors, then lay the regions out after it.
        let wholeLayout = layout(programLines: (drafts.count + 1) * Descriptor.lineCount)
        let wholePasses = passes(in: wholeLayout)
        // Every value must fit its field (the final layout's addresses are only smaller).
        for pass in wholePasses {
            for (field, value) in Self.fieldValues(for: pass, layer: layer, layout: wholeLayout) where !field.range.contains(value) {
                throw MappingError(layer: layer.name, reason: "descriptor field \(field) = \(value) does not fit its \(field.bits) bits")
            }
        }
        let programLines = Self.program(wholePasses, layer: layer, layout: wholeLayout).count
        let layout = layout(programLines: programLines)
        guard layout.endLine <= 1 << 32 else {
            throw MappingError(layer: layer.name, reason: "the layer needs \(layout.totalLines) DRAM lines; line addresses are 32 bits")
        }
        let passes = passes(in: layout)
        assert(Self.program(passes, layer: layer, layout: layout).count == programLines, "the program's length moved with the layout")
        self.layer = layer
        self.config = config
        self.shift = shift
        self.mapping = mapping
        self.passes = passes
        self.layout = layout
        self.io = io
    }

    /// A tile that holds rows `yLo ..< yLo + nRows` of `h` holds whole codes of `g` rows (or no row).
    static func holdsWholeCodes(yLo: Int, nRows: Int, h: Int, perCode g: Int) -> Bool {
        nRows == 0 || (yLo % g == 0 && (nRows % g == 0 || yLo + nRows == h))
    }

    /// Every ifmap tile holds whole codes of `g` rows: the ifmap may be coded so
    /// (`LayerIO.ifmapCodeRows`).
    public func tilesHoldWholeCodes(of g: Int) -> Bool {
        passes.allSatisfy { Self.holdsWholeCodes(yLo: $0.yLo, nRows: $0.nRows, h: layer.h, perCode: min(g, layer.h)) }
    }

    /// A pass that loads a filter block right after passes that keep the PEs' filters (e.g. image
    /// 0 of the next filter chunk, after images 1-3 of an interleaved batch) would have the
    /// whole block loaded during the one pass before it, with that pass's descriptor and the
    /// next ifmap tile; instead those keep passes, which leave the filter buffer alone, load a
    /// part of it each: the last of them, as many as the DRAM port needs to bring the block
    /// during their MACs (`cyclesPerLine` DRAM cycles a line), and one more, since each part
    /// costs its descriptor a line.
    static func loadFilterBlocksEarly(_ passes: inout [Pass], cyclesPerLine: Double) {
        var k = 1
        while k < passes.count {
            guard passes[k].flags.contains(.loadFilters), passes[k - 1].flags.contains(.keepFilters) else {
                k += 1
                continue
            }
            let lines = passes[k].filterLines
            let passCycles = Double(max(1, passes[k - 1].geometry.macsPerPE))
            let wanted = Int((Double(lines) * cyclesPerLine / passCycles).rounded(.up)) + 1
            var first = k - 1
            while first > 0 && k - first < wanted && passes[first - 1].flags.contains(.keepFilters) { first -= 1 }
            let parts = k - first
            let part = (lines + parts - 1) / parts
            for (i, h) in (first..<k).enumerated() where i * part < lines {
                passes[h].nextFilterAddress = passes[k].filterAddress + i * part
                passes[h].nextFilterLines = min(part, lines - i * part)
                passes[h].nextFilterBase = i * part
            }
            passes[k].flags.remove(.loadFilters)
            k += 1
        }
    }

    // MARK: - Program

    /// The descriptor of one pass (docs/architecture.md, section 5), whole; `nextLines` is set
    /// when the program is laid out.
    public func descriptor(for pass: Pass) -> Descriptor { Self.descriptor(for: pass, layer: layer, layout: layout) }

    static func descriptor(for pass: Pass, layer: LayerShape, layout: DRAMLayout) -> Descriptor {
        var d = Descriptor()
        for (field, value) in fieldValues(for: pass, layer: layer, layout: layout) { d.set(field, value) }
        return d
    }

    /// Every field of a pass's descriptor and its value.
    static func fieldValues(for pass: Pass, layer: LayerShape, layout: DRAMLayout) -> [(DescriptorField, Int)] {
        let g = pass.geometry
        return [
            (.opcode, Int(DescriptorOpcode.pass.rawValue)), (.flags, pass.flags.rawValue),
            (.s, g.s), (.stride, g.stride), (.f, g.f), (.q, g.q), (.p, g.p), (.rc, g.rc), (.r, g.r),
            (.e, g.e), (.t, g.t), (.jobRows, g.jobRows), (.shift, g.shift), (.pad, g.pad),
            (.w, layer.w), (.h, layer.h), (.yStart, pass.yStart), (.yLo, pass.yLo), (.nRows, pass.nRows),
            (.wl, layout.wl), (.yCount, g.yCount), (.filterAddress, pass.filterAddress),
            (.filterLines, pass.filterLines), (.ifmapAddress, pass.ifmapAddress),
            (.ifmapChannelLines, layout.ifmapChannelLines), (.psumLine, pass.psumLine), (.epass, g.epass),
            (.fl, layout.fl), (.ofmapAddress, pass.ofmapAddress), (.ofmapPlaneLines, layout.ofmapPlaneLines),
            (.step, g.step), (.ifmapRowLines, layout.ifmapRowLines), (.ofmapRowLines, layout.ofmapRowLines),
            (.ifmapBase, pass.ifmapBase), (.nextFilterAddress, pass.nextFilterAddress),
            (.nextFilterLines, pass.nextFilterLines), (.nextFilterBase, pass.nextFilterBase),
            (.ifmapCodeRows, layout.ifmapRowsPerSlot), (.ifmapTileCodes, ceilDiv(pass.nRows, layout.ifmapRowsPerSlot)),
            (.ifmapLoadRows, pass.ifmapLoadRows), (.ifmapRowPhase, pass.ifmapRowPhase), (.pitch, g.pitch),
        ]
    }

    /// The descriptors of the program, one per pass: whole, except that a field the pass does
    /// not use keeps the value of the pass before (`Descriptor.holdUnusedFields(from:)`), so that
    /// its line need not be sent.
    public func descriptors() -> [Descriptor] { Self.descriptors(passes, layer: layer, layout: layout) }

    static func descriptors(_ passes: [Pass], layer: LayerShape, layout: DRAMLayout) -> [Descriptor] {
        var out: [Descriptor] = []
        out.reserveCapacity(passes.count)
        for pass in passes {
            var d = descriptor(for: pass, layer: layer, layout: layout)
            if let previous = out.last { d.holdUnusedFields(from: previous) }
            out.append(d)
        }
        return out
    }

    /// The program: one compact descriptor per pass, then END (`Descriptor.program(_:)`); to be
    /// written at `layout.programBase`.
    public func program() -> [UInt64] { Self.program(passes, layer: layer, layout: layout) }

    static func program(_ passes: [Pass], layer: LayerShape, layout: DRAMLayout) -> [UInt64] {
        Descriptor.program(descriptors(passes, layer: layer, layout: layout))
    }

    /// DRAM lines of each pass's descriptor in the program, then of END's.
    public func descriptorLines() -> [Int] {
        Descriptor.lineMasks(descriptors()).map(\.nonzeroBitCount)
    }
}
