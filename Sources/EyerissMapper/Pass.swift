/// What a pass does besides computing: field `flags` of its descriptor (docs/architecture.md,
/// section 5). The raw values are the descriptor's bits.
public struct PassFlags: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Load the filter block into the filter buffer first (else the buffer already holds it).
    public static let loadFilters = PassFlags(rawValue: 1 << 0)
    /// Load the ifmap tile first (else the ifmap region already holds it).
    public static let loadIfmaps = PassFlags(rawValue: 1 << 1)
    /// PEs of row 0 start from the psum tile (psum GIN) instead of zero.
    public static let accumulate = PassFlags(rawValue: 1 << 2)
    /// Store the psum tile to the ofmap in DRAM at the end.
    public static let store = PassFlags(rawValue: 1 << 3)
    /// The ifmap in DRAM is run-length coded (one row per slot of `ifmapRowLines` lines).
    public static let ifmapRLC = PassFlags(rawValue: 1 << 4)
    /// Stores run-length code the ofmap rows (one row per slot of `ofmapRowLines` lines).
    public static let ofmapRLC = PassFlags(rawValue: 1 << 5)
    /// Stores apply ReLU to the psums.
    public static let relu = PassFlags(rawValue: 1 << 6)
    /// The PEs' filter spads still hold this pass's filters (the pass before had the same block
    /// and geometry, e.g. another image of an interleaved batch): the filter feed is skipped.
    public static let keepFilters = PassFlags(rawValue: 1 << 7)
    /// A coded store codes each filter's rows of the tile as one code, in a slot of
    /// `ofmapRowLines` lines (`LayerIO.ofmapCodeByRowChunk`).
    public static let ofmapByRowChunk = PassFlags(rawValue: 1 << 8)
    /// The tile load brings the tile's last `ifmapLoadRows` rows of each channel (else its
    /// first): the slot already holds the others (`Pass.ifmapLoadRows`).
    public static let ifmapLoadTail = PassFlags(rawValue: 1 << 9)
    /// Stores pool each ofmap row, windows every 2 values (`LayerIO.rowPool`): of 2 values, or
    /// with `rowPoolThree` of 3.
    public static let rowPool = PassFlags(rawValue: 1 << 10)
    public static let rowPoolThree = PassFlags(rawValue: 1 << 11)
}

/// One processing pass (docs/architecture.md, section 2): for image `n` and group `group`,
/// psums of filters `m0 ..< m0 + p*t` for output rows `e0 ..< e0 + epass`, accumulating
/// channels `c0 ..< c0 + q*r` over filter rows `i0 ..< i0 + rc`. Channel and filter numbers
/// are absolute (not counted from the group).
public struct Pass: Equatable, Sendable {
    public let geometry: PassGeometry
    /// Image of the batch.
    public let n: Int
    /// Group of the layer; every channel and filter of the pass lies in it.
    public let group: Int
    /// First output channel (absolute).
    public let m0: Int
    /// First input channel (absolute).
    public let c0: Int
    /// First filter row.
    public let i0: Int
    /// First output row.
    public let e0: Int
    public internal(set) var flags: PassFlags
    /// First ifmap row of the pass, counting padding: `e0 * stride - pad + i0` (may be < 0).
    public let yStart: Int
    /// First ifmap row held in the ifmap tile (0 when `nRows == 0`).
    public let yLo: Int
    /// Ifmap rows per channel in the tile: the rows of `yStart ..< yStart + (epass-1)*stride + rc`
    /// inside the image (0: the pass sees only padding).
    public let nRows: Int
    /// Rows of each channel the tile load brings from DRAM: `nRows`, or fewer when the slot
    /// still holds the rest from the tile before it (the same image and channels, the rows of
    /// the neighbouring row chunk): its first rows, or with `ifmapLoadTail` its last.
    public let ifmapLoadRows: Int
    /// First line of the psum tile in the fmap banks (`Mapping.psumTileLine`); its bank is the
    /// first of the pass's psum region.
    public let psumLine: Int
    /// First line of the ifmap tile in the ifmap region: the first line of one of its slots
    /// (`IfmapSlots`). A tile loaded into another slot than the pass before's is loaded while
    /// that pass computes (docs/architecture.md, sections 3 and 5).
    public let ifmapBase: Int
    /// DRAM line of the filter block.
    public let filterAddress: Int
    /// Lines of the filter block.
    public let filterLines: Int
    /// DRAM line of ifmap `(n, c0, y, 0)` for the first row the load brings.
    public let ifmapAddress: Int
    /// DRAM line of ofmap `(n, m0, e0, 0)`.
    public let ofmapAddress: Int
    /// A part of a later pass's filter block that this pass loads into the filter buffer while it
    /// runs: `nextFilterLines` lines (0: none) from DRAM line `nextFilterAddress` to buffer line
    /// `nextFilterBase`. Only a pass that keeps the PEs' filters, and so leaves the buffer alone,
    /// carries one: the passes that keep their filters before a pass that feeds a new block
    /// load it a part each, and that pass finds it in the buffer.
    public internal(set) var nextFilterAddress = 0
    public internal(set) var nextFilterLines = 0
    public internal(set) var nextFilterBase = 0

    /// Output rows of the pass: `e * jobRows`.
    public var epass: Int { geometry.epass }

    /// Where the tile's rows sit in its slot: row `yLo + k` of each channel at
    /// `(k + ifmapRowPhase) mod nRows`. A raw tile's phase is `yLo mod nRows`, so that a row
    /// keeps its place from one tile of a slot to the next and need not be loaded again; a
    /// coded tile's is 0 (the RLC loader writes from row 0).
    public var ifmapRowPhase: Int { flags.contains(.ifmapRLC) || nRows == 0 ? 0 : yLo % nRows }

    /// The fmap banks (of `bankLines` lines) the psum tile spans, its first line's to its last's:
    /// a pass whose tile shares one with the tile the store engine still reads waits for it.
    public func psumTileBanks(lanes: Int, bankLines: Int) -> ClosedRange<Int> {
        (psumLine / bankLines)...((psumLine + geometry.psumTileLines(lanes: lanes) - 1) / bankLines)
    }
}
