import EyerissConfig

/// A pass descriptor read straight from its 12 lines (whole: `ProgramReader` fills in the lines a
/// compact one leaves out) by the field table of docs/architecture.md, section 5. Deliberately
/// written apart from the mapper's `Descriptor` and `DescriptorField`, so that they check each other.
struct DecodedDescriptor: Equatable {
    let opcode, nextLines, flags, s, stride, f, q, p, rc, r, e, t, jobRows, shift, pad, w, h: Int
    /// Columns from one filter group's first column to the next's.
    let pitch: Int
    /// Two's complement.
    let yStart: Int
    let yLo, nRows, wl, yCount, filterAddress, filterLines, ifmapAddress, ifmapChannelLines: Int
    let psumLine, epass, fl, ofmapAddress, ofmapPlaneLines, step, ifmapRowLines, ofmapRowLines, ifmapBase: Int
    let nextFilterAddress, nextFilterLines, nextFilterBase: Int
    /// Rows per ifmap code and codes per channel of the tile.
    let ifmapCodeRows, ifmapTileCodes: Int
    /// Rows per channel the tile load brings (the first, or with flag 9 the last), and the ring
    /// place of the tile's first row.
    let ifmapLoadRows, ifmapRowPhase: Int

    static let lineCount = 12

    init(lines: ArraySlice<UInt64>) {
        precondition(lines.count == Self.lineCount, "a descriptor is \(Self.lineCount) lines")
        let base = lines.startIndex
        /// Bits `offset ..< offset + bits` of line `line`.
        func u(_ line: Int, _ offset: Int, _ bits: Int) -> Int {
            Int((lines[base + line] >> UInt64(offset)) & (bits == 64 ? ~0 : (1 << UInt64(bits)) - 1))
        }
        func quarter(_ line: Int, _ k: Int) -> Int { u(line, 16 * k, 16) }
        opcode = u(0, 0, 4); nextLines = u(0, 4, 12); flags = u(0, 16, 12); psumLine = u(0, 28, 18); ifmapBase = u(0, 46, 18)
        ifmapAddress = u(1, 0, 32); ofmapAddress = u(1, 32, 32)
        nextFilterAddress = u(2, 0, 32); nextFilterLines = quarter(2, 2); nextFilterBase = quarter(2, 3)
        yStart = Int(Int32(truncatingIfNeeded: u(3, 0, 32))); yCount = quarter(3, 2); epass = quarter(3, 3)
        e = quarter(4, 0); filterLines = quarter(4, 1); filterAddress = u(4, 32, 32)
        yLo = quarter(5, 0); nRows = quarter(5, 1); p = quarter(5, 2); q = quarter(5, 3)
        rc = quarter(6, 0); r = quarter(6, 1); t = quarter(6, 2); jobRows = quarter(6, 3)
        s = quarter(7, 0); stride = quarter(7, 1); f = quarter(7, 2); shift = u(7, 48, 8); pitch = u(7, 56, 8)
        pad = quarter(8, 0); w = quarter(8, 1); h = quarter(8, 2); wl = quarter(8, 3)
        ifmapChannelLines = u(9, 0, 32); ofmapPlaneLines = u(9, 32, 32)
        fl = quarter(10, 0); step = quarter(10, 1); ifmapCodeRows = quarter(10, 2); ifmapTileCodes = quarter(10, 3)
        ifmapRowLines = quarter(11, 0); ofmapRowLines = quarter(11, 1); ifmapLoadRows = quarter(11, 2)
        ifmapRowPhase = quarter(11, 3)
    }

    var isEnd: Bool { opcode == 0 }
    var loadFilters: Bool { flags & 1 != 0 }
    var loadIfmaps: Bool { flags & 2 != 0 }
    var accumulate: Bool { flags & 4 != 0 }
    var store: Bool { flags & 8 != 0 }
    var ifmapRLC: Bool { flags & 16 != 0 }
    var ofmapRLC: Bool { flags & 32 != 0 }
    var relu: Bool { flags & 64 != 0 }
    var keepFilters: Bool { flags & 128 != 0 }
    var ofmapByRowChunk: Bool { flags & 256 != 0 }
    var ifmapLoadTail: Bool { flags & 512 != 0 }
    /// Stores pool each row: windows of this many values every 2 (flag 10; flag 11: 3, else 2).
    var rowPoolSize: Int? { flags & 1024 == 0 ? nil : flags & 2048 != 0 ? 3 : 2 }
    /// Values of a stored ofmap row.
    var storedWidth: Int { rowPoolSize.map { (f - $0) / 2 + 1 } ?? f }
    /// The tile row (from `yLo`) of the first row the load brings.
    var ifmapFirstLoadedRow: Int { ifmapLoadTail ? nRows - ifmapLoadRows : 0 }
    /// The line of tile row `k` of channel `ch` in the slot: row `k` sits at place
    /// `(k + ifmapRowPhase) mod nRows`.
    func ifmapTileLine(channel ch: Int, row k: Int) -> Int { ifmapBase + (ch * nRows + (k + ifmapRowPhase) % nRows) * wl }

    var activeRows: Int { rc * r }
    var activeColumns: Int { e * t }
    var filterWords: Int { t * rc * r * s * q * p }
    var ifmapTileLines: Int { q * r * nRows * wl }
    /// Lines of the psum tile: each (row, filter group) holds its p x F psums, lanes to a line.
    func psumTileLines(lanes: Int) -> Int { epass * t * ((p * f + lanes - 1) / lanes) }

    /// Every rule of docs/architecture.md, sections 2, 3 and 5, that this pass breaks on
    /// `config` (empty when it is a legal pass).
    func violations(_ config: ValidConfig) -> [String] {
        let c = config.raw
        let lanes = c.dram.busBits / c.fixedPoint.dataBits
        let bankLines = c.globalBuffer.bankWords
        var out: [String] = []
        func rule(_ ok: Bool, _ text: @autoclosure () -> String) { if !ok { out.append(text()) } }
        rule(opcode == 1, "opcode \(opcode) is not PASS")
        rule(flags & ~0xFFF == 0 && (flags & 0x800 == 0 || flags & 0x400 != 0), "flags \(flags) has unknown bits (or flag 11 without flag 10)")
        rule(nextLines & 1 == 1 && nextLines < 1 << Self.lineCount, "nextLines \(nextLines) does not name line 0 and lines of a descriptor")
        rule(!(keepFilters && loadFilters), "keeps the PEs' filters but loads a new block")
        for (name, v) in [("S", s), ("stride", stride), ("F", f), ("q", q), ("p", p), ("Rc", rc), ("r", r), ("e", e),
                          ("t", t), ("jobRows", jobRows), ("W", w), ("H", h), ("Wl", wl), ("Fl", fl)] {
            rule(v >= 1, "\(name) = \(v) must be positive")
        }
        rule(q * s <= c.pe.ifmapSpadWords, "q*S = \(q * s) > ifmapSpadWords \(c.pe.ifmapSpadWords)")
        rule(p * q * s <= c.pe.filterSpadWords, "p*q*S = \(p * q * s) > filterSpadWords \(c.pe.filterSpadWords)")
        rule(p <= c.pe.psumSpadWords, "p = \(p) > psumSpadWords \(c.pe.psumSpadWords)")
        rule(rc * r <= c.array.rows, "Rc*r = \(rc * r) > rows \(c.array.rows)")
        rule(e * t <= c.array.columns, "e*t = \(e * t) > columns \(c.array.columns)")
        rule(pitch >= e && pitch * t <= c.array.columns, "pitch = \(pitch) is below e = \(e) or pitch*t > columns \(c.array.columns)")
        rule(t <= 1 << c.noc.columnTagBits, "t = \(t) > 2^columnTagBits")
        rule(r <= 1 << c.noc.rowTagBits, "r = \(r) > 2^rowTagBits")
        rule(yCount == (e - 1) * stride + rc, "Ycount = \(yCount) != (e-1)*stride + Rc = \((e - 1) * stride + rc)")
        rule(yCount <= 1 << c.noc.ifmapColumnTagBits, "Ycount = \(yCount) > 2^ifmapColumnTagBits")
        rule(step == min(stride, s), "step = \(step) != min(stride, S)")
        rule(epass == e * jobRows, "Epass = \(epass) != e*jobRows = \(e * jobRows)")
        rule(f < 1 << 16 && jobRows < 1 << 16, "F = \(f) or jobRows = \(jobRows) >= 2^16")
        rule(wl == (w + lanes - 1) / lanes, "Wl = \(wl) != ceil(W / lanes)")
        rule(fl == (storedWidth + lanes - 1) / lanes, "Fl = \(fl) != ceil(stored row width \(storedWidth) / lanes)")
        if let size = rowPoolSize { rule(f >= size && (f - size) % 2 == 0, "the row pool of \(size) every 2 does not end on the last of F = \(f) values") }
        let pairs = c.rlc.pairsPerWord
        // A code of ifmapCodeRows rows (raw: a row a slot); the tile holds whole codes.
        let g = ifmapCodeRows
        rule(g >= 1 && g <= max(1, h) && (ifmapRLC || g == 1), "ifmapCodeRows = \(g) outside 1...H (1 when raw)")
        rule(nRows == 0 || (g >= 1 && yLo % g == 0 && (nRows % g == 0 || yLo + nRows == h)),
             "the tile (rows \(yLo)..<\(yLo + nRows)) does not hold whole codes of \(g) rows")
        rule(g >= 1 && ifmapTileCodes == (nRows + g - 1) / g, "ifmapTileCodes = \(ifmapTileCodes) != ceil(nRows / ifmapCodeRows)")
        rule(ifmapRowLines == (ifmapRLC ? (w * g + pairs - 1) / pairs : wl),
             "ifmapRowLines = \(ifmapRowLines) is not the \(ifmapRLC ? "code slot" : "raw row") of W = \(w)")
        rule(g >= 1 && ifmapChannelLines == (h + g - 1) / g * ifmapRowLines,
             "ifmapChannelLines = \(ifmapChannelLines) != ceil(H / ifmapCodeRows) * ifmapRowLines")
        // By row chunk, a code holds a store's epass rows (the layer's tallest chunk sizes the slot).
        rule(!ofmapByRowChunk || ofmapRLC, "ofmap by row chunk but not coded")
        // The ring: a raw tile's first row at place yLo mod nRows; a load of some of its rows.
        rule(nRows == 0 || ifmapRowPhase == (ifmapRLC ? 0 : yLo % nRows), "ifmapRowPhase = \(ifmapRowPhase) is not \(ifmapRLC ? "0 (coded)" : "yLo mod nRows")")
        rule(!loadIfmaps || (ifmapLoadRows >= 1 && ifmapLoadRows <= nRows), "ifmapLoadRows = \(ifmapLoadRows) outside 1...nRows = \(nRows)")
        rule(!loadIfmaps || !ifmapRLC || (ifmapLoadRows == nRows && !ifmapLoadTail), "a coded tile loads whole")
        rule(ofmapByRowChunk ? ofmapRowLines >= (storedWidth * epass + pairs - 1) / pairs
                : ofmapRowLines == (ofmapRLC ? (storedWidth + pairs - 1) / pairs : fl),
             "ofmapRowLines = \(ofmapRowLines) is not the \(ofmapRLC ? "code slot" : "raw row") of \(storedWidth) values")
        rule(shift <= config.maxProductShift, "shift = \(shift) > \(config.maxProductShift)")
        // The psum tile starts at psumLine, maybe inside a bank; the banks below its bank hold ifmaps.
        let psumBank = psumLine / bankLines
        rule(psumBank >= 1 && psumBank < c.globalBuffer.fmapBanks, "psumLine = \(psumLine) is not in banks 1..<fmapBanks")
        rule(ifmapBase + ifmapTileLines <= psumBank * bankLines,
             "ifmap tile at \(ifmapBase), \(ifmapTileLines) lines, ends past the ifmap region \(psumBank * bankLines)")
        rule(psumLine + psumTileLines(lanes: lanes) <= c.globalBuffer.fmapBanks * bankLines,
             "psum tile at line \(psumLine), \(psumTileLines(lanes: lanes)) lines, ends past the fmap banks")
        let perLine = min(lanes, rc * r)
        let blockLines = t * ((rc * r * s * q * p + perLine - 1) / perLine)
        rule(filterLines == blockLines, "filter block \(filterLines) lines, not t x ceil(rows x S x q x p / min(lanes, rows)) = \(blockLines)")
        rule(filterLines <= c.globalBuffer.filterBanks * bankLines, "filter block \(filterLines) lines > filter buffer")
        let span = (epass - 1) * stride + rc
        let lo = max(yStart, 0), hi = min(yStart + span - 1, h - 1)
        let rowsInside = max(0, hi - lo + 1)
        // The tile holds the span's rows inside the image, and only rows of the image: exactly
        // them, or the union of interleaved row chunks' spans (`Mapping.sharesRowTiles`).
        rule(rowsInside > 0 || nRows == 0, "nRows = \(nRows) for a span wholly in the padding")
        rule(rowsInside == 0 || (yLo >= 0 && yLo <= lo && yLo + nRows - 1 >= hi && yLo + nRows <= h),
             "tile rows \(yLo) ..< \(yLo + nRows) do not hold the span's rows inside the image \(lo) ... \(hi) or leave it")
        return out
    }
}

/// Reads a program the way docs/architecture.md, section 5, describes it: the first descriptor
/// whole, each later one line 0 and then the lines its predecessor's `nextLines` names, lowest
/// first; the lines it leaves out keep the predecessor's.
struct ProgramReader {
    private var lines = Array(repeating: UInt64(0), count: DecodedDescriptor.lineCount)
    private var mask = (1 << DecodedDescriptor.lineCount) - 1

    /// The next descriptor from the program lines `line(0)`, `line(1)`, ... of it, and how many
    /// of them it took; nil if `line` has none where one is due.
    mutating func next(_ line: (Int) -> UInt64?) -> (descriptor: DecodedDescriptor, lines: Int)? {
        var taken = 0
        for k in 0..<DecodedDescriptor.lineCount where mask & 1 << k != 0 {
            guard let value = line(taken) else { return nil }
            lines[k] = value
            taken += 1
        }
        let d = DecodedDescriptor(lines: lines[...])
        mask = d.nextLines | 1
        return (d, taken)
    }
}

/// Every descriptor of a program, up to and excluding END, and the program lines up to and
/// including END (nil if it has no END).
func decodeProgramWithLength(_ lines: [UInt64]) -> (descriptors: [DecodedDescriptor], lines: Int?) {
    var out: [DecodedDescriptor] = []
    var reader = ProgramReader()
    var at = 0
    while let (d, n) = reader.next({ at + $0 < lines.count ? lines[at + $0] : nil }) {
        at += n
        if d.isEnd { return (out, at) }
        out.append(d)
    }
    return (out, nil)
}

/// Every descriptor of a program, up to and excluding END.
func decodeProgram(_ lines: [UInt64]) -> [DecodedDescriptor] { decodeProgramWithLength(lines).descriptors }
