import EyerissConfig
import HDL

/// `eyeriss_gon`: the global output network. Takes psums from the top PE of every active
/// column (the top row is chosen by the PE array wiring) and writes them to the psum tile a
/// buffer line at a time: column c sends, per strip, per output f, psums k = 0 ..< p of its
/// filter group tg and strip column j (docs/architecture.md, section 4), and the tile holds each
/// column's row of psums as that stream, `lanes` consecutive words to a line (section 3). So each
/// column packs its words into a line of its own and the network writes one packed line per
/// cycle (JSSC 2017: the GON is 64 bits wide). The lowest column with a full line wins, which
/// cannot starve anyone: a column fills at most one line per `lanes` words, and it produces a
/// word per q x S cycles at most.
public func makeOutputNetwork(_ p: TopParams, header: RTLHeader) throws -> Module {
    let m = ModuleBuilder("eyeriss_gon", header: header.lines(
        purpose: "Global output network: psums from the top of each PE column, packed into lines, to the psum tile.",
        parameters: ["columns: \(p.columns)", "line: \(p.lanes) psums of one column", "psum region: \(p.glbLineBits)-bit line addresses"]))
    let cb = p.countBits, dw = p.dataBits, lw = p.lineBits, cols = p.columns, lanes = p.lanes
    m.portGroup("Clock and synchronous active-low reset")
    m.input("clk_i")
    m.input("rst_ni")
    m.portGroup("Pass control")
    let start = m.input("start_i")
    let words = m.output("words_o", 32)
    m.portGroup("Pass configuration")
    let cfgP = m.input("cfg_p_i", cb)
    let cfgRowLines = m.input("cfg_tile_row_lines_i", cb)
    let cfgE = m.input("cfg_e_i", cb)
    let cfgT = m.input("cfg_t_i", cb)
    let cfgF = m.input("cfg_f_i", cb)
    let cfgJobRows = m.input("cfg_job_rows_i", cb)
    let colTG = m.input("col_tg_i", cols * cb)
    let colJ = m.input("col_j_i", cols * cb)
    m.portGroup("Psums from the top PE of each column")
    let inValid = m.input("col_valid_i", cols)
    let inReady = m.output("col_ready_o", cols)
    let inData = m.input("col_data_i", cols * dw)
    m.portGroup("Psum region write port: a line, with a lane enable per word")
    let wrEn = m.output("ps_wr_en_o")
    let wrLine = m.output("ps_wr_line_o", p.glbLineBits)
    let wrData = m.output("ps_wr_data_o", lw)
    let wrMask = m.output("ps_wr_mask_o", lanes)

    m.section("Arbitration: the lowest column with a full line")
    let full = (0..<cols).map { c in m.register("c\(c)_full", reset: 0, comment: c == 0 ? "the column's line is complete and waits for the buffer" : nil) }
    let grant = m.logic("grant", cols, comment: "one-hot: the column whose line is written this cycle")
    var grants: [Expr] = []
    var earlier: Expr = .zero
    for c in 0..<cols {
        grants.append(full[c].q & ~earlier)
        earlier = earlier | full[c].q
    }
    m.assign(grant, Expr.concat(grants.reversed()))
    m.assign(wrEn, grant.anySet)
    // A column takes a word while its line is not waiting, or is leaving this cycle.
    let ready = m.logic("col_ready", cols)
    m.assign(ready, Expr.concat((0..<cols).reversed().map { c in ~full[c].q | grant.bit(c) }))
    m.assign(inReady, ready)

    m.section("Per-column packing: filter k, output f, strip; line li of the column's row of psums")
    var lines: [Expr] = [], addrs: [Expr] = [], masks: [Expr] = []
    for c in 0..<cols {
        let take = m.logic("c\(c)_take", comment: c == 0 ? "the column's word is taken" : nil)
        m.assign(take, inValid.bit(c) & ready.bit(c))
        let nest = LoopNest(m, "c\(c)", levels: [("k", cb, cfgP), ("f", cb, cfgF), ("strip", cb, cfgJobRows)],
                            advance: take, restart: start, exposeLastAll: false)
        let rowEnd = m.logic("c\(c)_row_end", comment: c == 0 ? "the last psum of the column's row" : nil)
        m.assign(rowEnd, nest.last[0] & nest.last[1])
        let lane = m.register("c\(c)_lane", p.laneBits, reset: 0, comment: c == 0 ? "lane of the next word" : nil)
        let li = m.register("c\(c)_li", cb, reset: 0, comment: c == 0 ? "line of the row being packed" : nil)
        let lineEnd = m.logic("c\(c)_line_end", comment: c == 0 ? "the word completes the line: its last lane, or the row's last word" : nil)
        m.assign(lineEnd, rowEnd | lane.q.eq(lanes - 1))
        let word = inData.bits(c * dw + dw - 1, c * dw)
        let buf = m.register("c\(c)_line", lw, comment: c == 0 ? "the words of the line so far" : nil)
        let mask = m.register("c\(c)_mask", lanes)
        let addr = m.register("c\(c)_addr", p.glbLineBits)
        let tg = colTG.bits(c * cb + cb - 1, c * cb), j = colJ.bits(c * cb + cb - 1, c * cb)
        let lineAddr = psumTileLine(m, "c\(c)_tile_line", tg: tg, li: li.q, j: j, strip: nest.counters[2], e: cfgE, t: cfgT,
                                    rowLines: cfgRowLines, lineBits: p.glbLineBits)
        m.comb { b in
            b.set(buf.d, buf.q)
            b.set(mask.d, mask.q)
            b.set(addr.d, addr.q)
            b.set(lane.d, lane.q)
            b.set(li.d, li.q)
            b.set(full[c].d, full[c].q & ~grant.bit(c))
            b.when(start) { b in
                b.set(full[c].d, .zero)
                b.set(lane.d, .lit(0, width: p.laneBits))
                b.set(li.d, .lit(0, width: cb))
            }
            b.when(take) { b in
                for l in 0..<lanes {
                    b.when(lane.q.eq(l)) { b in
                        b.set(buf.d, Expr.concat([l < lanes - 1 ? [buf.q.bits(lw - 1, dw * (l + 1))] : [], [word],
                                                  l > 0 ? [buf.q.bits(dw * l - 1, 0)] : []].flatMap { $0 }))
                        b.set(mask.d, .lit((1 << (l + 1)) - 1, width: lanes))
                    }
                }
                b.set(lane.d, lane.q + 1)
                b.when(lineEnd) { b in
                    b.set(full[c].d, .one)
                    b.set(addr.d, lineAddr)
                    b.set(li.d, li.q + 1)
                }
                b.when(rowEnd) { b in
                    b.set(lane.d, .lit(0, width: p.laneBits))
                    b.set(li.d, .lit(0, width: cb))
                }
            }
        }
        lines.append(buf.q); addrs.append(addr.q); masks.append(mask.q)
        m.assertion("c\(c)_no_overwrite", !(take & lineEnd & full[c].q & ~grant.bit(c)),
                    message: "output network: column \(c) completed a line while its last one still waited")
    }
    m.comb("Line, address and lane enables of the granted column") { b in
        b.set(wrLine, .lit(0, width: p.glbLineBits))
        b.set(wrData, .lit(0, width: lw))
        b.set(wrMask, .lit(0, width: lanes))
        for c in 0..<cols {
            b.when(grant.bit(c)) { b in
                b.set(wrLine, addrs[c])
                b.set(wrData, lines[c])
                b.set(wrMask, masks[c])
            }
        }
    }
    let count = m.register("words", 32, reset: 0, comment: "psums written this pass")
    m.comb { b in
        b.set(count.d, count.q)
        b.when(start) { b in b.set(count.d, .lit(0, width: 32)) }
            otherwise: { b in b.when(wrEn) { b in b.set(count.d, count.q + popCount(wrMask, width: 32)) } }
    }
    m.assign(words, count.q)
    return try m.build()
}

/// Line `li` of the psum tile's row of filter group `tg` for output row `er = j + strip x e`:
/// `(er x t + tg) x rowLines + li`, where a row (the stream of one column, `f`, then `k`) takes
/// `rowLines = ceil(p x F / lanes)` lines (docs/architecture.md, section 3).
func psumTileLine(_ m: ModuleBuilder, _ name: String, tg: Expr, li: Expr, j: Expr, strip: Expr, e: Expr, t: Expr,
                  rowLines: Expr, lineBits: Int) -> Expr {
    func wide(_ x: Expr) -> Expr { x.zeroExtended(to: 32) }
    let full = m.logic("\(name)_full", 32)
    m.assign(full, ((wide(j) + wide(strip) * wide(e)) * wide(t) + wide(tg)) * wide(rowLines) + wide(li))
    let line = m.logic(name, lineBits)
    m.assign(line, full.truncated(to: lineBits))
    m.markUnused("\(name)_high", [full.bits(31, lineBits)])
    return line
}
