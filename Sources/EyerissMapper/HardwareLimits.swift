import EyerissConfig

/// The limits of the configured accelerator that bound a mapping, read once from the
/// validated configuration (docs/architecture.md, sections 2 and 3).
struct HardwareLimits {
    let rows: Int
    let columns: Int
    let ifmapSpadWords: Int
    let filterSpadWords: Int
    let psumSpadWords: Int
    /// Distinct row tags of a GIN: `2^rowTagBits` (bounds `r`).
    let rowTags: Int
    /// Distinct column tags of the filter and psum GINs: `2^columnTagBits` (bounds `t`).
    let columnTags: Int
    /// Distinct column tags of the ifmap GIN: `2^ifmapColumnTagBits` (bounds `Ycount`).
    let ifmapColumnTags: Int
    let fmapBanks: Int
    /// Lines per global buffer bank.
    let bankLines: Int
    /// Lines of the filter buffer: `filterBanks * bankWords`.
    let filterBufferLines: Int
    /// Words per DRAM and buffer line: `busBits / dataBits`.
    let lanes: Int
    /// Bits of one word: `dataBits`.
    let wordBits: Int
    /// Core cycles to move one line to or from DRAM at the configured bandwidth.
    let cyclesPerLine: Double

    /// Reads the limits; throws if the configuration breaks an assumption of the architecture
    /// the mapper relies on (64-bit lines at most, buffer line = DRAM line, psum = data width).
    init(_ config: ValidConfig, layer: String) throws {
        let c = config.raw
        func reject(_ reason: String) -> MappingError { MappingError(layer: layer, reason: reason) }
        guard c.dram.busBits <= 64 else {
            throw reject("dram.busBits = \(c.dram.busBits): the mapper packs DRAM lines into 64-bit words")
        }
        guard c.globalBuffer.bankBits == c.dram.busBits else {
            throw reject("globalBuffer.bankBits = \(c.globalBuffer.bankBits) must equal dram.busBits = \(c.dram.busBits) (a buffer line is a DRAM line)")
        }
        guard c.fixedPoint.psumBits == c.fixedPoint.dataBits else {
            throw reject("fixedPoint.psumBits = \(c.fixedPoint.psumBits) must equal dataBits = \(c.fixedPoint.dataBits): ofmap psums share the ifmap's word lanes")
        }
        rows = c.array.rows
        columns = c.array.columns
        ifmapSpadWords = c.pe.ifmapSpadWords
        filterSpadWords = c.pe.filterSpadWords
        psumSpadWords = c.pe.psumSpadWords
        rowTags = 1 << c.noc.rowTagBits
        columnTags = 1 << c.noc.columnTagBits
        ifmapColumnTags = 1 << c.noc.ifmapColumnTagBits
        fmapBanks = c.globalBuffer.fmapBanks
        bankLines = c.globalBuffer.bankWords
        filterBufferLines = c.globalBuffer.filterBanks * c.globalBuffer.bankWords
        lanes = config.dramLanes
        wordBits = c.fixedPoint.dataBits
        cyclesPerLine = config.dramCyclesPerLine
    }
}

/// `ceil(a / b)` for `a >= 0`, `b > 0`.
func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
