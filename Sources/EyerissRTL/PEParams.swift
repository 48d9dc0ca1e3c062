import EyerissConfig

/// What the PE generator needs to know, built from a `ValidConfig` in one place, so a change to
/// the NoC or the buffer can never silently change the PE.
public struct PEParams: Equatable, Sendable {
    public let dataBits: Int
    public let psumBits: Int
    public let filterSpadWords: Int
    public let ifmapSpadWords: Int
    public let psumSpadWords: Int
    public let filterAddrBits: Int
    public let ifmapAddrBits: Int
    public let psumAddrBits: Int
    public let fifoDepth: Int
    public let shiftBits: Int
    public let counterBits: Int
    /// Width of the filter-width, channel and step configuration fields (each <= ifmap spad).
    public let windowFieldBits: Int
    /// Width of the filters-per-PE field (<= psum spad words).
    public let filtersFieldBits: Int
    /// Width of the output-count and row-count fields. 16 bits covers any layer of AlexNet or
    /// VGG-16 (at most 224 outputs per row) with room to spare.
    public let countFieldBits = 16
    /// `dbg_status_o`: the sequencer state (3 bits) over full and empty of the three FIFOs.
    public static let debugStatusBits = 9
    /// The most any activity counter adds in one cycle: the psum spad can be read twice (an
    /// accumulation and the output stage); every other counter adds at most 1.
    public static let maxCounterStep = 2
    /// Cycles after a counter clear within which no activity counter can wrap: the bound the
    /// shims enforce instead of a wrap check in every PE: 2^(counterBits - 1).
    public var wrapFreeCycles: UInt64 { (UInt64.max >> UInt64(64 - counterBits)) / UInt64(Self.maxCounterStep) + 1 }

    public init(_ c: ValidConfig) {
        dataBits = c.raw.fixedPoint.dataBits
        psumBits = c.raw.fixedPoint.psumBits
        filterSpadWords = c.raw.pe.filterSpadWords
        ifmapSpadWords = c.raw.pe.ifmapSpadWords
        psumSpadWords = c.raw.pe.psumSpadWords
        filterAddrBits = c.filterSpadAddrBits
        ifmapAddrBits = c.ifmapSpadAddrBits
        psumAddrBits = c.psumSpadAddrBits
        fifoDepth = c.raw.pe.fifoDepth
        shiftBits = c.productShiftBits
        counterBits = c.raw.counters.bits
        windowFieldBits = bitsToHold(c.raw.pe.ifmapSpadWords)
        filtersFieldBits = bitsToHold(c.raw.pe.psumSpadWords)
    }
}
