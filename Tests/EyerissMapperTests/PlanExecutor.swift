import EyerissConfig
import EyerissGolden
import EyerissMapper

/// A rule of the architecture that a program broke while the executor ran it.
struct ExecutionError: Error, CustomStringConvertible {
    let descriptor: Int
    let message: String
    var description: String { "descriptor \(descriptor): \(message)" }
}

/// What the executor moved and computed, to compare with the plan's promises.
struct ExecutionCounters: Equatable {
    var passes = 0
    var programLinesRead = 0
    var filterLinesRead = 0
    var ifmapLinesRead = 0
    var ofmapLinesWritten = 0
    var macs = 0
}

/// A functional model of `eyeriss_top` (docs/architecture.md) that runs a program from DRAM
/// exactly as the contract says, with no knowledge of the mapper's data structures: it decodes
/// each descriptor from the program words, loads filter blocks and ifmap tiles into a modelled
/// global buffer (word arrays with the contract's addresses), delivers words to the PEs by the
/// GINs' tags and word orders, runs each PE's 1-D convolution with the golden
/// `ReferenceConv.rowConvolution`, chains psums up the columns, writes the top PEs' psums to
/// the psum tile by the GON's addresses and stores tiles when told.
///
/// Everything starts from random contents (DRAM outside what the host wrote, both buffers),
/// so reading anything the program did not write shows up as a wrong result.
struct PlanExecutor {
    let config: ValidConfig
    let fixedPoint: FixedPoint
    let lanes: Int
    let wordBits: Int
    let rows: Int
    let columns: Int
    let bankLines: Int
    let code: RunLengthCode
    let fmapBanks: Int
    private(set) var dram: [UInt64]
    private(set) var fmapBuffer: [UInt64]
    private(set) var filterBuffer: [UInt64]
    /// Each physical PE's filter spad (`rho * columns + c`) as the filter GIN last filled it:
    /// passes that keep the filters compute with these.
    private(set) var peFilterSpads: [[Int]]
    private(set) var counters = ExecutionCounters()

    init(config: ValidConfig, dramLines: Int, seed: UInt64) {
        code = RunLengthCode(config)
        self.config = config
        fixedPoint = FixedPoint(config)
        let c = config.raw
        lanes = c.dram.busBits / c.fixedPoint.dataBits
        wordBits = c.fixedPoint.dataBits
        rows = c.array.rows
        columns = c.array.columns
        bankLines = c.globalBuffer.bankWords
        fmapBanks = c.globalBuffer.fmapBanks
        var rng = SplitMix64(seed: seed)
        let lineMask: UInt64 = c.dram.busBits >= 64 ? .max : (1 << UInt64(c.dram.busBits)) - 1
        dram = (0..<dramLines).map { _ in rng.next() & lineMask }
        fmapBuffer = (0..<(fmapBanks * bankLines)).map { _ in rng.next() & lineMask }
        filterBuffer = (0..<(c.globalBuffer.filterBanks * bankLines)).map { _ in rng.next() & lineMask }
        peFilterSpads = Array(repeating: [], count: rows * columns)
    }

    /// The host writes a segment.
    mutating func write(_ segment: DRAMSegment) {
        precondition(segment.lineAddress >= 0 && segment.lineAddress + segment.lines.count <= dram.count,
                     "segment at \(segment.lineAddress) (+\(segment.lines.count)) is outside DRAM (\(dram.count) lines)")
        for (k, line) in segment.lines.enumerated() { dram[segment.lineAddress + k] = line }
    }

    /// Runs the program at `programBase` up to its END descriptor.
    mutating func run(programBase: Int) throws {
        var at = programBase
        var index = 0
        var reader = ProgramReader()
        let dram = dram
        while true {
            guard at >= 0, let (d, n) = reader.next({ at + $0 < dram.count ? dram[at + $0] : nil }) else {
                throw ExecutionError(descriptor: index, message: "program runs past DRAM at line \(at)")
            }
            counters.programLinesRead += n
            if d.isEnd { return }
            let broken = d.violations(config)
            guard broken.isEmpty else {
                throw ExecutionError(descriptor: index, message: broken.joined(separator: "; "))
            }
            try execute(d, index: index)
            at += n
            index += 1
        }
    }

    // MARK: - Words in lines

    private func word(_ lines: [UInt64], _ index: Int) -> Int {
        let raw = (lines[index / lanes] >> UInt64((index % lanes) * wordBits)) & ((1 << UInt64(wordBits)) - 1)
        let unused = Int.bitWidth - wordBits
        return (Int(raw) << unused) >> unused
    }

    private func setWord(_ lines: inout [UInt64], _ index: Int, _ value: Int) {
        let shift = UInt64((index % lanes) * wordBits)
        let mask: UInt64 = ((1 << UInt64(wordBits)) - 1) << shift
        let bits = (UInt64(bitPattern: Int64(value)) << shift) & mask
        lines[index / lanes] = (lines[index / lanes] & ~mask) | bits
    }

    // MARK: - One pass

    private mutating func execute(_ d: DecodedDescriptor, index: Int) throws {
        func fail(_ message: String) -> ExecutionError { ExecutionError(descriptor: index, message: message) }
        func checkDRAM(_ line: Int, _ count: Int, _ what: String) throws {
            guard line >= 0, line + count <= dram.count else {
                throw fail("\(what) lines \(line) ..< \(line + count) are outside DRAM (\(dram.count) lines)")
            }
        }
        counters.passes += 1
        let psumBase = d.psumLine  // first line of the psum tile

        // Loads.
        if d.nextFilterLines > 0 {
            // A keep pass loads a later pass's block; it reads nothing from the buffer itself.
            try checkDRAM(d.nextFilterAddress, d.nextFilterLines, "next filter block")
            for k in 0..<d.nextFilterLines { filterBuffer[d.nextFilterBase + k] = dram[d.nextFilterAddress + k] }
            counters.filterLinesRead += d.nextFilterLines
        }
        if d.loadFilters {
            try checkDRAM(d.filterAddress, d.filterLines, "filter block")
            for k in 0..<d.filterLines { filterBuffer[k] = dram[d.filterAddress + k] }
            counters.filterLinesRead += d.filterLines
        }
        if d.loadIfmaps && d.ifmapRLC {
            // Each channel's codes of `ifmapCodeRows` rows (the last shorter), each row of a code
            // on its own buffer lines.
            let g = max(1, d.ifmapCodeRows)
            for ch in 0..<(d.q * d.r) {
                for (j, y0) in stride(from: 0, to: d.nRows, by: g).enumerated() {
                    let rows = min(g, d.nRows - y0)
                    let from = d.ifmapAddress + ch * d.ifmapChannelLines + j * d.ifmapRowLines
                    try checkDRAM(from, d.ifmapRowLines, "coded ifmap rows \(y0)..<\(y0 + rows) of channel \(ch)")
                    let code: (values: [Int], words: Int)
                    do {
                        code = try self.code.decode(row: dram[from..<(from + d.ifmapRowLines)], width: rows * d.w)
                    } catch {
                        throw fail("coded ifmap rows \(y0)..<\(y0 + rows) of channel \(ch): \(error)")
                    }
                    for (i, value) in code.values.enumerated() {
                        let (y, x) = (y0 + i / d.w, i % d.w)
                        setWord(&fmapBuffer, d.ifmapBase * lanes + (ch * d.nRows + y) * d.wl * lanes + x, value)
                    }
                    counters.ifmapLinesRead += code.words
                }
            }
        } else if d.loadIfmaps {
            // The rows the load brings, each to its ring place; the others are already there.
            let loadLines = d.ifmapLoadRows * d.wl
            for ch in 0..<(d.q * d.r) {
                let from = d.ifmapAddress + ch * d.ifmapChannelLines
                try checkDRAM(from, loadLines, "ifmap channel \(ch)")
                for j in 0..<d.ifmapLoadRows {
                    let line = d.ifmapTileLine(channel: ch, row: d.ifmapFirstLoadedRow + j)
                    for k in 0..<d.wl { fmapBuffer[line + k] = dram[from + j * d.wl + k] }
                }
            }
            counters.ifmapLinesRead += d.q * d.r * loadLines
        }

        // The active PEs, by index rho * e*t + c within the active block.
        let (activeRows, activeColumns) = (d.activeRows, d.activeColumns)
        func pe(_ rho: Int, _ c: Int) -> Int { rho * activeColumns + c }

        // Filter GIN: per filter group tg, a line per cycle. Item w * rows + rho (word w of the
        // s, cq, k order, for PE row rho) is in line item / L, lane item % L, L = min(lanes, rows);
        // each group starts on a new line. PE column ID = c / e. A pass that keeps the filters
        // sends none: each PE computes with what its spad holds from the last fill.
        // Logical column c (group c / e, strip column c % e) sits at physical column
        // (c / e) * pitch + c % e: a narrower row chunk's groups start where the widest one's do.
        func physical(_ rho: Int, _ c: Int) -> Int { rho * columns + (c / d.e) * d.pitch + c % d.e }
        if !d.keepFilters {
            for rho in 0..<activeRows { for c in 0..<activeColumns { peFilterSpads[physical(rho, c)] = [] } }
            let perLine = min(lanes, activeRows)
            let items = activeRows * d.s * d.q * d.p
            let groupLines = (items + perLine - 1) / perLine
            for tg in 0..<d.t {
                for item in 0..<items {
                    let rho = item % activeRows
                    let value = word(filterBuffer, (tg * groupLines + item / perLine) * lanes + item % perLine)
                    for c in 0..<activeColumns where c / d.e == tg { peFilterSpads[physical(rho, c)].append(value) }
                }
            }
        }
        // filters[pe][k][cq][s] from the spad order s, cq, k.
        var filters: [[[[Int]]]] = []
        for rho in 0..<activeRows {
            for c in 0..<activeColumns {
                let spad = peFilterSpads[physical(rho, c)]
                guard spad.count == d.p * d.q * d.s else {
                    throw fail("PE (\(rho), \(c)) holds \(spad.count) filter words, the pass needs p*q*S = \(d.p * d.q * d.s)")
                }
                filters.append((0..<d.p).map { k in (0..<d.q).map { cq in (0..<d.s).map { s in spad[(s * d.q + cq) * d.p + k] } } })
            }
        }

        // Ifmap GIN: rho_s, column xp, yr, ch; tag (row ch / q, column yr); PE (rho, c) has
        // row ID rho / Rc and column ID (c % e) * stride + rho % Rc.
        var targets = Array(repeating: Array(repeating: [(rho: Int, c: Int)](), count: d.yCount), count: d.r)
        for rho in 0..<activeRows {
            for c in 0..<activeColumns {
                let id = (c % d.e) * d.stride + rho % d.rc
                guard id < d.yCount else { throw fail("PE (\(rho), \(c)) column ID \(id) >= Ycount") }
                targets[rho / d.rc][id].append((rho, c))
            }
        }
        var columnsSent = Array(0..<d.s)
        for f in 1..<max(d.f, 1) { columnsSent += (f * d.stride + d.s - d.step)..<(f * d.stride + d.s) }
        let rowLength = (d.f - 1) * d.stride + d.s
        // ifmapRows[pe][rho_s][cq][xp], and which xp arrived.
        var ifmapRows = Array(repeating: Array(repeating: Array(repeating: Array(repeating: 0, count: rowLength), count: d.q),
                                               count: d.jobRows), count: activeRows * activeColumns)
        var arrived = Array(repeating: Array(repeating: Array(repeating: Array(repeating: false, count: rowLength), count: d.q),
                                             count: d.jobRows), count: activeRows * activeColumns)
        for rs in 0..<d.jobRows {
            for xp in columnsSent {
                guard xp < rowLength else { throw fail("ifmap column \(xp) beyond the row of \(rowLength)") }
                let x = xp - d.pad
                for yr in 0..<d.yCount {
                    let y = d.yStart + rs * d.e * d.stride + yr
                    for ch in 0..<(d.q * d.r) {
                        var value = 0
                        if (0..<d.h).contains(y) && (0..<d.w).contains(x) {
                            guard y >= d.yLo, y < d.yLo + d.nRows else {
                                throw fail("ifmap row y = \(y) is in the image but not in the tile \(d.yLo) ..< \(d.yLo + d.nRows)")
                            }
                            value = word(fmapBuffer, d.ifmapTileLine(channel: ch, row: y - d.yLo) * lanes + x)
                        }
                        for target in targets[ch / d.q][yr] {
                            let k = pe(target.rho, target.c)
                            ifmapRows[k][rs][ch % d.q][xp] = value
                            arrived[k][rs][ch % d.q][xp] = true
                        }
                    }
                }
            }
        }
        for k in 0..<(activeRows * activeColumns) {
            for rs in 0..<d.jobRows {
                for cq in 0..<d.q {
                    for f in 0..<d.f {
                        for s in 0..<d.s where !arrived[k][rs][cq][f * d.stride + s] {
                            throw fail("PE \(k) job row \(rs) channel \(cq) never received column \(f * d.stride + s)")
                        }
                    }
                }
            }
        }

        // Psum GIN (when accumulating): rho_s, f, c, k; to PE (0, c); tile word (tg*p+k, j+rho_s*e, f):
        // the row of (er, tg) is the stream (f, k) from line (er*t + tg)*ceil(p*F/lanes).
        let rowLines = (d.p * d.f + lanes - 1) / lanes
        func tileWord(_ fi: Int, _ er: Int, _ f: Int) -> Int {
            let (tg, k) = (fi / d.p, fi % d.p)
            return (psumBase + (er * d.t + tg) * rowLines) * lanes + f * d.p + k
        }
        var psumIn = Array(repeating: Array(repeating: Array(repeating: Array(repeating: 0, count: d.f), count: d.p),
                                            count: d.jobRows), count: activeColumns)
        if d.accumulate {
            for rs in 0..<d.jobRows {
                for f in 0..<d.f {
                    for c in 0..<activeColumns {
                        for k in 0..<d.p {
                            psumIn[c][rs][k][f] = word(fmapBuffer, tileWord((c / d.e) * d.p + k, c % d.e + rs * d.e, f))
                        }
                    }
                }
            }
        }

        // The PEs: psums flow up each column; the top PE's go out on the GON.
        for c in 0..<activeColumns {
            for rs in 0..<d.jobRows {
                var psum: [[Int]]? = d.accumulate ? psumIn[c][rs] : nil
                for rho in 0..<activeRows {
                    let k = pe(rho, c)
                    psum = ReferenceConv.rowConvolution(filters: filters[k], ifmapRows: ifmapRows[k][rs], stride: d.stride,
                                                        outputs: d.f, psumIn: psum, shift: d.shift, fixedPoint: fixedPoint)
                }
                counters.macs += activeRows * d.f * d.p * d.q * d.s
                for kk in 0..<d.p {
                    for f in 0..<d.f {
                        setWord(&fmapBuffer, tileWord((c / d.e) * d.p + kk, c % d.e + rs * d.e, f), psum![kk][f])
                    }
                }
            }
        }

        // Store: each row through ReLU, then pooled, windows of `rowPoolSize` every 2 values.
        func storedRow(_ fi: Int, _ r: Int) -> [Int] {
            let row = (0..<d.f).map { f -> Int in
                let v = word(fmapBuffer, tileWord(fi, r, f))
                return d.relu ? fixedPoint.relu(v) : v
            }
            guard let size = d.rowPoolSize else { return row }
            return (0..<d.storedWidth).map { x in row[(2 * x)..<(2 * x + size)].max()! }
        }
        if d.store && d.ofmapRLC {
            // A code per row, or by row chunk one of each filter's rows of the tile.
            let codeRows = d.ofmapByRowChunk ? d.epass : 1
            for fi in 0..<(d.p * d.t) {
                for er in stride(from: 0, to: d.epass, by: codeRows) {
                    let to = d.ofmapAddress + fi * d.ofmapPlaneLines + er / codeRows * d.ofmapRowLines
                    let row = (er..<(er + codeRows)).flatMap { r in storedRow(fi, r) }
                    let words = code.encode(row: row)
                    try checkDRAM(to, words.count, "coded ofmap row \(er) of psum tile filter \(fi)")
                    for (k, w) in words.enumerated() { dram[to + k] = w }
                    counters.ofmapLinesWritten += code.storeWrites(row: row)
                }
            }
        } else if d.store {
            // Raw rows: `lanes` values to a line, the row's last line padded with zeros.
            let tileLines = d.epass * d.fl
            for fi in 0..<(d.p * d.t) {
                let to = d.ofmapAddress + fi * d.ofmapPlaneLines
                try checkDRAM(to, tileLines, "ofmap of psum tile filter \(fi)")
                for er in 0..<d.epass {
                    let row = storedRow(fi, er)
                    for l in 0..<d.fl {
                        var line: [UInt64] = [0]
                        for lane in 0..<lanes where l * lanes + lane < row.count {
                            setWord(&line, lane, row[l * lanes + lane])
                        }
                        dram[to + er * d.fl + l] = line[0]
                    }
                }
            }
            counters.ofmapLinesWritten += d.p * d.t * tileLines
        }
    }
}
