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
/// A raw ifmap row takes `wl = ceil(W / lanes)` lines, a raw ofmap row `fl = ceil(F / lanes)`;
/// a run-length coded row takes a slot of `ceil(W / pairsPerWord)` lines, its largest code, of
/// which only the code's lines are ever read or written. Every row starts on a line. An ifmap
/// coded by channel (`LayerIO.ifmapByChannel`) has one slot of `ceil(H * W / pairsPerWord)`
/// lines per channel instead.
public struct DRAMLayout: Equatable, Sendable {
    /// 16-bit (`dataBits`) words per line.
    public let lanes: Int
    /// Lines per ifmap row: `ceil(W / lanes)`.
    public let wl: Int
    /// Lines per ofmap row: `ceil(F / lanes)`.
    public let fl: Int
    /// DRAM lines per ifmap row: `wl` raw, the code's slot when run-length coded (coded by
    /// channel: the slot of a channel's code).
    public let ifmapRowLines: Int
    /// Ifmap rows per slot of `ifmapRowLines`: 1, or `H` when coded by channel.
    public let ifmapRowsPerSlot: Int
    /// DRAM lines per ofmap row: `fl` raw, the code's slot when run-length coded.
    public let ofmapRowLines: Int
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
    /// Lines between two channels of the ifmap: `H / ifmapRowsPerSlot * ifmapRowLines`.
    public var ifmapChannelLines: Int { h / ifmapRowsPerSlot * ifmapRowLines }
    /// Lines between two output channels of the ofmap: `E * ofmapRowLines`.
    public var ofmapPlaneLines: Int { e * ofmapRowLines }

    /// DRAM line of ifmap row `(n, c, y)` (raw, its word `x` is in line `+ x / lanes`, lane
    /// `x % lanes`); coded by channel, `y` must start a slot (be 0).
    public func ifmapLine(n: Int, c: Int, y: Int) -> Int {
        precondition(y % ifmapRowsPerSlot == 0, "DRAMLayout.ifmapLine: row \(y) is inside a channel's code")
        return ifmapBase + (n * self.c + c) * ifmapChannelLines + y / ifmapRowsPerSlot * ifmapRowLines
    }

    /// DRAM line of ofmap row `(n, m, e)`.
    public func ofmapLine(n: Int, m: Int, e: Int) -> Int {
        ofmapBase + ((n * self.m + m) * self.e + e) * ofmapRowLines
    }
}
