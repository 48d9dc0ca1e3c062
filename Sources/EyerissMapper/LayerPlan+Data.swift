import EyerissGolden

/// A coded ofmap row that does not decode: which row, and why.
public struct OfmapDecodeError: Error, CustomStringConvertible {
    public let layer: String
    public let n: Int, m: Int, e: Int
    public let reason: RunLengthCode.DecodeError
    public var description: String { "\(layer): ofmap row (n \(n), m \(m), e \(e)) is not a valid run-length code: \(reason)" }
}

/// The DRAM image of a layer: filter blocks and ifmap packed into lines, ofmap read back.
///
/// Tensors are flat `[Int]` arrays in row-major order (the last index varies fastest), the
/// layout of `EyerissGolden.Tensor4.values`: ifmap `[n][c][h][w]`, filters `[m][c/groups][r][s]`,
/// ofmap `[n][m][e][f]`. A line holds `lanes` words of `dataBits` two's-complement bits, word
/// `w` in bits `[dataBits*w +: dataBits]` (lane 0 least significant).
extension LayerPlan {
    /// One filter block per distinct filter block address, in the filter feeder's order
    /// (docs/architecture.md, section 4): per filter group `tg < t`, the PE's words `w < S*q*p`
    /// (`s`, then `cq`, then `k`) of every PE row `ρ < rc*r`, item `w * rc*r + ρ` in line
    /// `item / L`, lane `item % L` with `L = min(lanes, rc*r)` words to a line; word
    /// `w[m0 + tg*p + k][c0 + g*q + cq][i0 + i][s]` with `g = ρ / rc`, `i = ρ % rc`. Each group
    /// starts on a new line; unused lanes are zero.
    ///
    /// - Parameter weights: `[m][c/groups][r][s]`, values in the data range.
    public func filterBlocks(weights: [Int]) -> [DRAMSegment] {
        let (cg, r, s) = (layer.channelsPerGroup, layer.r, layer.s)
        precondition(weights.count == layer.m * cg * r * s,
                     "LayerPlan.filterBlocks(\(layer.name)): \(weights.count) weights given, [m][c/groups][r][s] = [\(layer.m)][\(cg)][\(r)][\(s)] needs \(layer.m * cg * r * s)")
        var blocks: [DRAMSegment] = []
        var done = Set<Int>()
        for pass in passes where !done.contains(pass.filterAddress) {
            done.insert(pass.filterAddress)
            let g = pass.geometry
            let rows = g.activeRows
            let perLine = g.filterWordsPerLine(lanes: lanes)
            let groupLines = g.filterLines(lanes: lanes) / g.t
            var slots = Array(repeating: 0, count: pass.filterLines * lanes)
            let firstChannel = pass.group * cg
            for tg in 0..<g.t {
                for rho in 0..<rows {
                    let (set, row) = (rho / g.rc, rho % g.rc)
                    for tap in 0..<s {
                        for cq in 0..<g.q {
                            let channel = pass.c0 + set * g.q + cq - firstChannel
                            for k in 0..<g.p {
                                let filter = pass.m0 + tg * g.p + k
                                let item = ((tap * g.q + cq) * g.p + k) * rows + rho
                                let line = tg * groupLines + item / perLine
                                slots[line * lanes + item % perLine] = weights[((filter * cg + channel) * r + pass.i0 + row) * s + tap]
                            }
                        }
                    }
                }
            }
            let lines = packLines(slots, lineCount: pass.filterLines, what: "weight")
            blocks.append(DRAMSegment(lineAddress: pass.filterAddress, lines: lines))
        }
        return blocks
    }

    /// The ifmap region: every row in a slot of `ifmapRowLines` lines, raw (padded with zeros)
    /// or run-length coded (the slot's unused lines 0), a code per row or per group of
    /// `ifmapRowsPerSlot` rows.
    ///
    /// - Parameter input: `[n][c][h][w]`, values in the data range.
    public func ifmapImage(input: [Int]) -> DRAMSegment {
        let (n, c, h, w) = (layer.n, layer.c, layer.h, layer.w)
        precondition(input.count == n * c * h * w,
                     "LayerPlan.ifmapImage(\(layer.name)): \(input.count) values given, [n][c][h][w] = [\(n)][\(c)][\(h)][\(w)] needs \(n * c * h * w)")
        var lines: [UInt64] = []
        lines.reserveCapacity(layout.ifmapLines)
        if io.ifmapRLC {
            // Each channel's codes, a slot each: a row's, or a group of rows'.
            let codes = DRAMLayout.codeRows(of: h, perCode: layout.ifmapRowsPerSlot)
            for plane in 0..<(n * c) {
                for rows in codes {
                    let values = input[((plane * h + rows.lowerBound) * w)..<((plane * h + rows.upperBound) * w)]
                    checkRange(values, what: "activation")
                    let words = code.encode(row: values)
                    lines += words + Array(repeating: 0, count: layout.ifmapRowLines - words.count)
                }
            }
            return DRAMSegment(lineAddress: layout.ifmapBase, lines: lines)
        }
        for row in 0..<(n * c * h) {
            lines += packLines(input[(row * w)..<(row * w + w)], lineCount: layout.wl, what: "activation")
        }
        return DRAMSegment(lineAddress: layout.ifmapBase, lines: lines)
    }

    /// Everything the host writes before the layer: program, filter blocks, ifmap.
    public func dramImage(input: [Int], weights: [Int]) -> [DRAMSegment] {
        [DRAMSegment(lineAddress: layout.programBase, lines: program())] + filterBlocks(weights: weights)
            + [ifmapImage(input: input)]
    }

    /// The ofmap codes in DRAM order, a slot each: image, filter and rows of each (a row, or a
    /// row chunk's rows with `ofmapRowsPerSlot`).
    public var ofmapCodeRows: [(n: Int, m: Int, rows: Range<Int>)] {
        let codes = DRAMLayout.codeRows(of: layer.e, perCode: layout.ofmapRowsPerSlot)
        return (0..<(layer.n * layer.m)).flatMap { plane in codes.map { (plane / layer.m, plane % layer.m, $0) } }
    }

    /// The ofmap `ofmapDims` (`[n][m][e][f]`, rows pooled with `io.rowPool`) read from the ofmap
    /// region (`layout.ofmapLines` lines from `layout.ofmapBase`): raw words sign-extended (row
    /// padding ignored), or each code decoded. Throws `OfmapDecodeError` when a code is malformed.
    public func readOfmap(lines: [UInt64]) throws -> [Int] {
        precondition(lines.count >= layout.ofmapLines,
                     "LayerPlan.readOfmap(\(layer.name)): \(lines.count) lines given, the ofmap region has \(layout.ofmapLines)")
        let (f, rowLines) = (ofmapWidth, layout.ofmapRowLines)
        let rows = layer.n * layer.m * layer.e
        var out: [Int] = []
        out.reserveCapacity(rows * f)
        if io.ofmapRLC {
            for (k, c) in ofmapCodeRows.enumerated() {
                do {
                    out += try code.decode(row: lines[(k * rowLines)..<(k * rowLines + rowLines)], width: f * c.rows.count).values
                } catch {
                    throw OfmapDecodeError(layer: layer.name, n: c.n, m: c.m, e: c.rows.lowerBound, reason: error)
                }
            }
            return out
        }
        for row in 0..<rows {
            for x in 0..<f {
                out.append(word(lines[row * rowLines + x / lanes], lane: x % lanes))
            }
        }
        return out
    }

    /// The run-length code of each ofmap code slot as stored (in the order of `ofmapCodeRows`,
    /// only the code's lines).
    public func ofmapCodes(lines: [UInt64]) throws -> [[UInt64]] {
        precondition(io.ofmapRLC, "LayerPlan.ofmapCodes(\(layer.name)): the ofmap is not coded")
        let rowLines = layout.ofmapRowLines
        var codes: [[UInt64]] = []
        for (k, c) in ofmapCodeRows.enumerated() {
            let slot = lines[(k * rowLines)..<(k * rowLines + rowLines)]
            do {
                codes.append(Array(slot.prefix(try code.decode(row: slot, width: ofmapWidth * c.rows.count).words)))
            } catch {
                throw OfmapDecodeError(layer: layer.name, n: c.n, m: c.m, e: c.rows.lowerBound, reason: error)
            }
        }
        return codes
    }

    /// Word `lane` of a line, sign-extended.
    public func word(_ line: UInt64, lane: Int) -> Int {
        let bits = wordBits
        let raw = (line >> UInt64(lane * bits)) & ((1 << UInt64(bits)) - 1)
        let unused = Int.bitWidth - bits
        return (Int(raw) << unused) >> unused
    }

    private func checkRange(_ words: some Collection<Int>, what: String) {
        let limit = 1 << (wordBits - 1)
        for value in words {
            precondition(value >= -limit && value < limit,
                         "LayerPlan(\(layer.name)): \(what) \(value) is outside the \(wordBits)-bit data range")
        }
    }

    /// Packs words into exactly `lineCount` lines (zero padded).
    private func packLines(_ words: some Collection<Int>, lineCount: Int, what: String) -> [UInt64] {
        let bits = wordBits
        let limit = 1 << (bits - 1)
        let mask: UInt64 = (1 << UInt64(bits)) - 1
        var lines = Array(repeating: UInt64(0), count: lineCount)
        for (k, value) in words.enumerated() {
            precondition(value >= -limit && value < limit,
                         "LayerPlan(\(layer.name)): \(what) \(value) is outside the \(bits)-bit data range")
            lines[k / lanes] |= (UInt64(bitPattern: Int64(value)) & mask) << UInt64((k % lanes) * bits)
        }
        return lines
    }
}
