import EyerissConfig
import HDL

/// A global input network (GIN): one Y-bus feeding one X-bus per PE row, delivering each
/// tagged word in a single cycle to exactly the PEs that need it (JSSC 2017).
///
/// The multicast controller of X-bus ρ compares the word's row tag with the bus's row ID;
/// the one in front of PE (ρ, c) compares the column tag with the PE's column ID. A word goes
/// out only when every matching PE is ready (so `in_ready_o` depends on the PEs' ready flags,
/// which come straight from their FIFO registers: no combinational loop). A word that matches
/// no active PE is consumed and dropped. Purely combinational; per-PE signals are packed with
/// PE (ρ, c) at bit ρ x columns + c.
public func makeGIN(rowTagBits: Int, columnTagBits: Int, dataBits: Int, rows: Int, columns: Int,
                    header: RTLHeader, options: GeneratorOptions = GeneratorOptions()) throws -> Module {
    let name = "eyeriss_gin_r\(rowTagBits)_c\(columnTagBits)_w\(dataBits)"
    let n = rows * columns
    let m = ModuleBuilder(name, header: header.lines(
        purpose: "Global input network: tag-matched multicast from the buffer to the PE array.",
        parameters: ["array: \(rows) x \(columns) PEs", "row tag: \(rowTagBits) b, column tag: \(columnTagBits) b (JSSC 2017)",
                     "data: \(dataBits) b"] + options.headerNote))
    m.portGroup("Tagged word from a feeder")
    let inValid = m.input("in_valid_i")
    let inReady = m.output("in_ready_o")
    let inData = m.input("in_data_i", dataBits)
    let rowTag = m.input("in_row_tag_i", rowTagBits)
    let colTag = m.input("in_col_tag_i", columnTagBits)
    m.portGroup("Per-pass multicast IDs: X-bus row IDs, PE column IDs, active PEs")
    let rowIDs = m.input("row_id_i", rows * rowTagBits)
    let colIDs = m.input("col_id_i", n * columnTagBits)
    let active = m.input("pe_active_i", n)
    m.portGroup("To the PEs")
    let peReady = m.input("pe_ready_i", n)
    let peValid = m.output("pe_valid_o", n)
    let peData = m.output("pe_data_o", dataBits)

    m.section("Multicast controllers")
    let rowMatch = m.logic("row_match", rows, comment: "X-bus controllers: row tag equals the bus's row ID")
    m.assign(rowMatch, Expr.concat((0..<rows).reversed().map { r in
        rowIDs.bits(r * rowTagBits + rowTagBits - 1, r * rowTagBits).eq(rowTag)
    }))
    deliver(m, rowTakes: (0..<rows).map { rowMatch.bit($0) }, columns: columns, colIDs: colIDs, colTag: colTag,
            active: active, peReady: peReady, inValid: inValid, inReady: inReady, peValid: peValid, options: options)
    m.assign(peData, inData)
    return try m.build()
}

/// The filter GIN: like `makeGIN`, but it carries a whole filter-buffer line, up to `lanes`
/// words for as many consecutive PE rows, in one cycle (each X-bus still takes one word). The
/// line is tagged with the PE row of its lane 0 (`in_row_base_i`), the number of words it holds
/// and the filter group. X-bus ρ takes lane `d = (ρ - row_base) mod rows` when `d < count`
/// (`rows` = the active rows of the pass); the PE controllers then match the filter group as
/// before. The line goes out only when every PE it reaches is ready.
public func makeFilterGIN(_ p: TopParams, header: RTLHeader, options: GeneratorOptions = GeneratorOptions()) throws -> Module {
    let rows = p.rows, columns = p.columns, n = p.peCount, rb = p.rowIndexBits
    let laneBits = p.laneBits, countBits = p.laneBits + 1, dw = p.dataBits
    let m = ModuleBuilder("eyeriss_filter_gin", header: header.lines(
        purpose: "Filter global input network: a filter-buffer line per cycle, one word to each of up to \(p.lanes) PE rows.",
        parameters: ["array: \(rows) x \(columns) PEs", "line: \(p.lanes) x \(dw) b", "column tag: \(p.columnTagBits) b"]
            + options.headerNote))
    m.portGroup("Tagged line from the filter feeder")
    let inValid = m.input("in_valid_i")
    let inReady = m.output("in_ready_o")
    let inData = m.input("in_data_i", p.lineBits)
    let rowBase = m.input("in_row_base_i", rb)
    let count = m.input("in_count_i", countBits)
    let colTag = m.input("in_col_tag_i", p.columnTagBits)
    m.portGroup("Per-pass multicast IDs: active PE rows, PE column IDs, active PEs")
    let activeRows = m.input("cfg_rows_i", rb)
    let colIDs = m.input("col_id_i", n * p.columnTagBits)
    let active = m.input("pe_active_i", n)
    m.portGroup("To the PEs: one word per X-bus (row ρ at bits ρ x \(dw))")
    let peReady = m.input("pe_ready_i", n)
    let peValid = m.output("pe_valid_o", n)
    let rowData = m.output("row_data_o", rows * dw)

    m.section("X-bus controllers: which lane, if any, each PE row takes")
    var rowMatches: [Expr] = [], rowWords: [Expr] = []
    for r in 0..<rows {
        let rho = Expr.lit(r, width: rb + 1)
        let base = rowBase.zeroExtended(to: rb + 1)
        let offset = m.logic("row\(r)_offset", rb + 1, comment: "(\(r) - row base) mod rows")
        m.assign(offset, Expr.mux(rho.ge(base), rho - base, rho + activeRows.zeroExtended(to: rb + 1) - base))
        let match = m.logic("row\(r)_match")
        let cw = max(rb + 1, countBits)
        m.assign(match, rho.lt(activeRows.zeroExtended(to: rb + 1)) & offset.zeroExtended(to: cw).lt(count.zeroExtended(to: cw)))
        rowMatches.append(match)
        let word = m.logic("row\(r)_word", dw)
        laneSelect(m, line: inData, lane: offset.resized(to: laneBits), wordBits: dw, lanes: p.lanes, into: word)
        rowWords.append(word)
    }
    m.assign(rowData, Expr.concat(rowWords.reversed()))
    deliver(m, rowTakes: rowMatches, columns: columns, colIDs: colIDs, colTag: colTag, active: active,
            peReady: peReady, inValid: inValid, inReady: inReady, peValid: peValid, options: options)
    return try m.build()
}

/// The PE controllers and handshake every GIN shares. A PE is a destination when it is active,
/// its X-bus takes the word (`rowTakes`, one bit per PE row) and its column ID equals the column
/// tag. The word (or line) goes out, in one cycle, to all its destinations only when every one
/// of them is ready; `in_ready_o` depends on the PEs' ready flags, which come straight from
/// their FIFO registers, so there is no combinational loop.
private func deliver(_ m: ModuleBuilder, rowTakes: [Expr], columns: Int, colIDs: Expr, colTag: Expr, active: Expr,
                     peReady: Expr, inValid: Expr, inReady: Expr, peValid: Expr, options: GeneratorOptions) {
    let n = active.width, tagBits = colTag.width
    m.section("PE controllers")
    let colMatch = m.logic("col_match", n, comment: "column tag equals the PE's column ID")
    m.assign(colMatch, Expr.concat((0..<n).reversed().map { i in colIDs.bits(i * tagBits + tagBits - 1, i * tagBits).eq(colTag) }))
    let dest = m.logic("destinations", n, comment: "active PEs whose X-bus takes the word and whose column ID matches")
    m.assign(dest, Expr.concat((0..<n).reversed().map { i in rowTakes[i / columns] }) & colMatch & active)
    let blocked = m.logic("blocked", dest.width, comment: "destinations not ready this cycle")
    m.assign(blocked, dest & ~peReady)
    m.assign(inReady, blocked.isZero)
    let deliver = options.has(.multicastIgnoresReady) ? inValid : inValid & blocked.isZero
    m.assign(peValid, Expr.mux(deliver, dest, .lit(0, width: dest.width)))
}
