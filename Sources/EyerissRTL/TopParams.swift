import EyerissConfig

/// What the generators of the whole accelerator need, built once from a `ValidConfig`.
/// Layouts and orders are those of docs/architecture.md.
public struct TopParams: Equatable, Sendable {
    public let pe: PEParams
    public let rows: Int
    public let columns: Int
    public var peCount: Int { rows * columns }
    public let dataBits: Int
    /// Words per DRAM / global buffer line.
    public let lanes: Int
    public let laneBits: Int
    public let lineBits: Int
    public let bankWords: Int
    public let bankAddrBits: Int
    public let fmapBanks: Int
    public let bankIndexBits: Int
    /// Line address within one region of the fmap banks (enough for all of them).
    public let glbLineBits: Int
    /// Word address within one region.
    public var glbWordBits: Int { glbLineBits + laneBits }
    public let filterLines: Int
    public let filterLineBits: Int
    public let rowTagBits: Int
    public let columnTagBits: Int
    public let ifmapColumnTagBits: Int
    /// DRAM line addresses.
    public let dramAddrBits = 32
    /// Loop counts and sizes inside a pass (outputs per row, rows, strips, lines per row).
    public let countBits = 16
    /// Width of one descriptor field.
    public let fieldBits = 32
    /// Bits to index a PE row or column (and to count rows or columns).
    public let rowIndexBits: Int
    public let columnIndexBits: Int
    public let peIndexBits: Int
    public let counterSelectBits = 3
    public let cycleBits: Int
    /// Coded ifmap rows the RLC loader keeps open at once, each with one DRAM read in flight:
    /// enough to cover the model's 20-cycle read latency at one line per ~3.3 cycles. Our choice.
    public let rlcRowsInFlight = 8
    /// Psum GIN lines each column's unpacker queues before its bottom PE. Our choice: with the
    /// line being unpacked and the PE's psum-in FIFO, 4 let a column take most of an output's
    /// psums ahead; on AlexNet CONV3's geometry at batch 4 they cut 8 % of the cycles (as
    /// much as a 16-deep psum-in FIFO in every PE, at a twelfth of the storage).
    public let psumUnpackerLines = 4
    /// Field widths of the run-length code.
    let rlc: RLCParams

    public init(_ c: ValidConfig) {
        pe = PEParams(c)
        rows = c.raw.array.rows
        columns = c.raw.array.columns
        dataBits = c.raw.fixedPoint.dataBits
        lanes = c.raw.dram.busBits / c.raw.fixedPoint.dataBits
        laneBits = max(1, bitsToHold(lanes - 1))
        lineBits = c.raw.dram.busBits
        bankWords = c.raw.globalBuffer.bankWords
        bankAddrBits = bitsToAddress(c.raw.globalBuffer.bankWords)
        fmapBanks = c.raw.globalBuffer.fmapBanks
        bankIndexBits = bitsToHold(c.raw.globalBuffer.fmapBanks)
        glbLineBits = bitsToAddress(c.raw.globalBuffer.fmapBanks * c.raw.globalBuffer.bankWords)
        filterLines = c.raw.globalBuffer.filterBanks * c.raw.globalBuffer.bankWords
        filterLineBits = bitsToAddress(filterLines)
        rowTagBits = c.raw.noc.rowTagBits
        columnTagBits = c.raw.noc.columnTagBits
        ifmapColumnTagBits = c.raw.noc.ifmapColumnTagBits
        rowIndexBits = bitsToHold(c.raw.array.rows)
        columnIndexBits = bitsToHold(c.raw.array.columns)
        peIndexBits = bitsToAddress(c.raw.array.rows * c.raw.array.columns)
        cycleBits = c.raw.counters.bits
        rlc = RLCParams(c)
    }
}
