/// Consecutive DRAM lines starting at `lineAddress`: what the host writes before a layer.
public struct DRAMSegment: Equatable, Sendable {
    public let lineAddress: Int
    public let lines: [UInt64]

    public init(lineAddress: Int, lines: [UInt64]) {
        self.lineAddress = lineAddress
        self.lines = lines
    }
}

/// Where a layer's data lives in DRAM (docs/architecture.md, section 1), in lines:
/// program, filter blocks, ifmap, ofmap, one after the other from `programBase`.
///
/// A raw ifmap row takes `wl = ceil(W / lanes)` lines, a raw ofmap row `fl = ceil(F / lanes)`
/// (`F` the stored row's values: fewer with `LayerIO.rowPool`);
/// a run-length coded row takes a slot of `ceil(W / pairsPerWord)` lines, its largest code, of
/// which only the code's lines are ever read or written. Every row starts on a line. A coded
/// fmap may instead hold one code per group of `g` rows of a channel (the last group of a
/// channel shorter: `codeRows(of:perCode:)`), in slots of `ceil(g * W / pairsPerWord)` lines:
/// the ifmap with `LayerIO.ifmapCodeRows`, the ofmap with `LayerIO.ofmapCodeByRowChunk`.
public struct DRAMLayout: Equatable, Sendable {
    /// 16-bit (`dataBits`) words per line.
    public let lanes: Int
    /// Lines per ifmap row: `ceil(W / lanes)`.
    public let wl: Int
    /// Lines per raw ofmap row: `ceil(F / lanes)`, `F` the values of a stored row
    /// (`LayerPlan.ofmapWidth`).
    public let fl: Int
    /// DRAM lines per ifmap row: `wl` raw, the code's slot when run-length coded (the slot of
    /// a code of `ifmapRowsPerSlot` rows).
    public let ifmapRowLines: Int
    /// Ifmap rows per code: 1, more when the codes hold groups of rows (at most `H`).
    public let ifmapRowsPerSlot: Int
    /// DRAM lines per ofmap row: `fl` raw, the code's slot when run-length coded (the slot of
    /// a code of `ofmapRowsPerSlot` rows).
    public let ofmapRowLines: Int
    /// Ofmap rows per code: 1, more when each store codes a row chunk's rows as one (at most `E`).
    public let ofmapRowsPerSlot: Int
    /// Ifmap channels `C` and rows `H` (for addressing).
    public let c: Int
    public let h: Int
    /// Ofmap channels `M` and rows `E` (for addressing).
    public let m: Int
    public let e: Int

    /// First line of the program (descriptors).
    public let programBase: Int
    /// Lines of the program: 16 per descriptor, END included.
    public let programLines: Int
    /// First line of the filter blocks.
    public let filterBase: Int
    /// Lines of all filter blocks together.
    public let filterLines: Int
    /// First line of the ifmap `[n][c][y][x]`.
    public let ifmapBase: Int
    /// Lines of the ifmap: `n * C * ifmapChannelLines`.
    public let ifmapLines: Int
    /// First line of the ofmap `[n][m][e][f]`.
    public let ofmapBase: Int
    /// Lines of the ofmap: `n * M * E * ofmapRowLines`.
    public let ofmapLines: Int

    /// Lines from `programBase` to the end of the ofmap.
    public var totalLines: Int { ofmapBase + ofmapLines - programBase }
    /// One past the last line used.
    public var endLine: Int { ofmapBase + ofmapLines }
    /// Lines between two channels of the ifmap: a slot per code.
    public var ifmapChannelLines: Int { ceilDiv(h, ifmapRowsPerSlot) * ifmapRowLines }
    /// Lines between two output channels of the ofmap: a slot per code.
    public var ofmapPlaneLines: Int { ceilDiv(e, ofmapRowsPerSlot) * ofmapRowLines }

    /// The rows of each code of a channel of `rows` rows, `g` a code (the last code shorter).
    public static func codeRows(of rows: Int, perCode g: Int) -> [Range<Int>] {
        stride(from: 0, to: rows, by: g).map { $0..<min(rows, $0 + g) }
    }

    /// DRAM line of ifmap row `(n, c, y)` (raw, its word `x` is in line `+ x / lanes`, lane
    /// `x % lanes`); with codes of several rows, `y` must start a code.
    public func ifmapLine(n: Int, c: Int, y: Int) -> Int {
        precondition(y % ifmapRowsPerSlot == 0, "DRAMLayout.ifmapLine: row \(y) is inside a code of \(ifmapRowsPerSlot) rows")
        return ifmapBase + (n * self.c + c) * ifmapChannelLines + y / ifmapRowsPerSlot * ifmapRowLines
    }

    /// DRAM line of ofmap row `(n, m, e)`; with codes of several rows, `e` must start a code.
    public func ofmapLine(n: Int, m: Int, e: Int) -> Int {
        precondition(e % ofmapRowsPerSlot == 0, "DRAMLayout.ofmapLine: row \(e) is inside a code of \(ofmapRowsPerSlot) rows")
        return ofmapBase + (n * self.m + m) * ofmapPlaneLines + e / ofmapRowsPerSlot * ofmapRowLines
    }
}
