import EyerissConfig
import HDL

/// Fields of the run-length code as the RTL sees them (the format is defined once, by
/// `EyerissGolden.RunLengthCode`; these are its widths from the configuration).
struct RLCParams: Equatable, Sendable {
    let runBits: Int
    let levelBits: Int
    let pairsPerWord: Int
    let wordBits: Int
    var pairBits: Int { runBits + levelBits }
    var maxRun: Int { (1 << runBits) - 1 }
    var pairIndexBits: Int { max(1, bitsToHold(pairsPerWord - 1)) }

    init(_ c: ValidConfig) {
        runBits = c.raw.rlc.runBits
        levelBits = c.raw.rlc.levelBits
        pairsPerWord = c.raw.rlc.pairsPerWord
        wordBits = c.raw.dram.busBits
    }

    /// Pair `k` of a word.
    func pair(_ word: Expr, _ k: Int) -> Expr { word.bits(k * pairBits + pairBits - 1, k * pairBits) }
}

/// Index of the lowest set bit of `bits` and whether any is set, as a comb block.
private func lowestSet(_ m: ModuleBuilder, _ name: String, _ bits: [Expr], indexBits: Int) -> (index: Expr, any: Expr) {
    let index = m.logic("\(name)_idx", indexBits)
    let any = m.logic("\(name)_any")
    m.comb("\(name): lowest set bit wins") { b in
        b.set(index, .lit(0, width: indexBits))
        b.set(any, .zero)
        for (e, bit) in bits.enumerated().reversed() {
            b.when(bit) { b in
                b.set(index, .lit(e, width: indexBits))
                b.set(any, .one)
            }
        }
    }
    return (index, any)
}

/// `eyeriss_rlc_loader`: loads a run-length coded ifmap tile from DRAM into the ifmap region.
///
/// Each row of the tile has its own code in a DRAM slot, or each group of `cfg_code_rows_i` rows
/// of a channel (the channel's last `cfg_last_code_rows_i`) shares one (a run may go on into the
/// next row, which starts on a buffer line of its own, `cfg_wl_i` lines after the row before);
/// below, a "row" is a code's rows. How many lines a row takes is known only from its last
/// word's flag. So the loader keeps `rowsInFlight` rows open at once, each
/// with at most one read outstanding: a row asks for its next line only after the previous
/// one came back without the last flag. Rows are opened in tile order (channel-major), their
/// lines requested by the lowest ready row, and responses (in request order) are matched to
/// rows through a FIFO of row slots. The decoder writes one global-buffer line segment per
/// cycle: the zeros of a pair's run that fall in the current line, and its level if that lands
/// there too (lane write enables), so a run costs a cycle per line it spans, not per zero.
///
/// A flagged word that leaves the row short ends it in zeros (`RunLengthCode`): after its last
/// pair, or at its first all-zero pair, the loader fills the rest of the row, a buffer line
/// segment a cycle, before it lets the word go; the unused pairs cost no cycle.
///
/// A malformed code (a run past the row's end, a missing last flag, a non-zero pair after the
/// row's end) sets `error_o`, which stays set until `clear_i`; the row is
/// closed and loading goes on, so a bad stream never hangs the accelerator.
func makeRLCLoader(_ p: TopParams, _ rlc: RLCParams, tagFIFO: Module, header: RTLHeader) throws -> Module {
    let nw = p.rlcRowsInFlight
    let eb = max(1, bitsToHold(nw - 1))
    let m = ModuleBuilder("eyeriss_rlc_loader", header: header.lines(
        purpose: "Run-length decoder: coded ifmap rows from DRAM into the global buffer's ifmap region.",
        parameters: ["code: \(rlc.pairsPerWord) pairs of (\(rlc.runBits)-bit run, \(rlc.levelBits)-bit level) + last flag per \(rlc.wordBits)-bit word (JSSC 2017)",
                     "rows in flight: \(nw)", "line: \(p.lanes) words"]))
    let cb = p.countBits, ab = p.dramAddrBits, lw = p.lineBits
    m.portGroup("Clock and synchronous active-low reset")
    let clk = m.input("clk_i")
    let rst = m.input("rst_ni")
    m.portGroup("Control: start_i opens a tile; busy_o until every row is in the buffer")
    let start = m.input("start_i")
    let clear = m.input("clear_i")
    let busyOut = m.output("busy_o")
    let errorOut = m.output("error_o")
    m.portGroup("Tile: rows_i codes (channel-major), nrows_i per channel, each of code_rows_i rows and code_lines_i buffer lines (a channel's last: last_code_*)")
    let cfgRows = m.input("cfg_rows_i", 32)
    let cfgNRows = m.input("cfg_nrows_i", cb)
    let cfgCodeRows = m.input("cfg_code_rows_i", cb)
    let cfgLastCodeRows = m.input("cfg_last_code_rows_i", cb)
    let cfgCodeLines = m.input("cfg_code_lines_i", cb)
    let cfgLastCodeLines = m.input("cfg_last_code_lines_i", cb)
    let cfgAddr = m.input("cfg_addr_i", ab)
    let cfgChannelLines = m.input("cfg_channel_lines_i", ab)
    let cfgRowLines = m.input("cfg_row_lines_i", cb)
    let cfgW = m.input("cfg_w_i", cb)
    let cfgWl = m.input("cfg_wl_i", cb)
    m.portGroup("DRAM reads (responses in request order)")
    let rqValid = m.output("rd_req_valid_o")
    let rqReady = m.input("rd_req_ready_i")
    let rqAddr = m.output("rd_req_addr_o", ab)
    let rsValid = m.input("rd_resp_valid_i")
    let rsReady = m.output("rd_resp_ready_o")
    let rsData = m.input("rd_resp_data_i", lw)
    m.portGroup("Ifmap region writes with lane enables")
    let wrEn = m.output("wr_en_o")
    let wrLine = m.output("wr_line_o", p.glbLineBits)
    let wrData = m.output("wr_data_o", lw)
    let wrMask = m.output("wr_mask_o", p.lanes)

    // ------------------------------------------------------------------ rows to open
    m.section("Rows still to open, in tile order")
    let busy = m.register("busy", reset: 0)
    let rowsLeft = m.register("rows_left", 32, reset: 0)
    let rowY = m.register("row_y", cb, reset: 0, comment: "row within its channel")
    let rowAddr = m.register("row_addr", ab, reset: 0, comment: "DRAM line of the next row's slot")
    let chanAddr = m.register("chan_addr", ab, reset: 0, comment: "DRAM line of the next row's channel")
    let rowGlb = m.register("row_glb", p.glbLineBits, reset: 0, comment: "buffer line of the next row")

    // ------------------------------------------------------------------ open rows
    m.section("Open rows: next DRAM line, buffer line, values decoded")
    typealias Reg = (q: Expr, d: Expr)
    var active: [Reg] = [], pending: [Reg] = [], addr: [Reg] = [], glb: [Reg] = [], xs: [Reg] = [], ys: [Reg] = []
    for e in 0..<nw {
        active.append(m.register("row\(e)_active", reset: 0))
        pending.append(m.register("row\(e)_pending", reset: 0, comment: "a line is on its way"))
        addr.append(m.register("row\(e)_addr", ab))
        glb.append(m.register("row\(e)_glb", p.glbLineBits, comment: "buffer line of the row being decoded"))
        xs.append(m.register("row\(e)_x", cb))
        ys.append(m.register("row\(e)_rows_after", cb, comment: "rows of the code after the one being decoded"))
    }
    let free = lowestSet(m, "free_row", active.map { ~$0.q }, indexBits: eb)
    let ready = lowestSet(m, "ready_row", (0..<nw).map { active[$0].q & ~pending[$0].q }, indexBits: eb)
    let open = m.logic("open_row", comment: "a free slot takes the next row of the tile")
    m.assign(open, busy.q & rowsLeft.q.ne(0) & free.any)

    // ------------------------------------------------------------------ requests
    m.section("Requests: the lowest ready row asks for its next line")
    let tagInReady = m.logic("tag_in_ready")
    let tagValid = m.logic("tag_valid")
    let tag = m.logic("tag", eb, comment: "row slot of the oldest response")
    let issue = m.logic("issue")
    // A refused request keeps its row (valid/ready: the address may not change until it is
    // taken), even if a lower slot becomes ready meanwhile. The held row stays ready: only
    // its own issue makes it pending.
    let held = m.register("req_held", reset: 0, comment: "the last cycle's request was refused")
    let heldRow = m.register("req_held_row", eb, comment: "its row slot")
    let reqRow = m.logic("req_row", eb, comment: "row slot of this cycle's request")
    m.assign(reqRow, Expr.mux(held.q, heldRow.q, ready.index))
    m.assign(rqValid, (held.q | ready.any) & tagInReady)
    m.assign(issue, rqValid & rqReady)
    m.assign(held.d, rqValid & ~rqReady)
    m.assign(heldRow.d, reqRow)
    let readyAddr = m.logic("ready_addr", ab)
    m.comb("Address of the requesting row") { b in
        b.set(readyAddr, addr[0].q)
        for e in 1..<max(nw, 1) { b.when(reqRow.eq(e)) { b in b.set(readyAddr, addr[e].q) } }
    }
    m.assign(rqAddr, readyAddr)

    // ------------------------------------------------------------------ decoder
    m.section("Decoder: one buffer line segment per cycle")
    let pop = m.logic("pop", comment: "the response line is used up")
    m.fifo(tagFIFO, "u_tags",
               inputs: ["clk_i": clk, "rst_ni": rst, "in_valid_i": issue, "in_data_i": reqRow, "out_ready_i": pop],
               outputs: ["in_ready_o": tagInReady, "out_valid_o": tagValid, "out_data_o": tag])
    let have = m.logic("have_line", comment: "a response and its row slot are here")
    m.assign(have, rsValid & tagValid)
    let headX = m.logic("head_x", cb), headGlb = m.logic("head_glb", p.glbLineBits)
    let headRowsAfter = m.logic("head_rows_after", cb)
    m.comb("The head row's state") { b in
        b.set(headX, xs[0].q)
        b.set(headGlb, glb[0].q)
        b.set(headRowsAfter, ys[0].q)
        for e in 1..<max(nw, 1) {
            b.when(tag.eq(e)) { b in
                b.set(headX, xs[e].q)
                b.set(headGlb, glb[e].q)
                b.set(headRowsAfter, ys[e].q)
            }
        }
    }
    let k = m.register("pair_k", rlc.pairIndexBits, reset: 0, comment: "pair of the word being decoded")
    let fresh = m.register("pair_fresh", reset: 1, comment: "the pair's run has not been started")
    let zerosLeft = m.register("zeros_left", rlc.runBits, reset: 0)
    let pairField = m.logic("pair_field", rlc.pairBits)
    m.comb("Pair k of the word") { b in
        b.set(pairField, rlc.pair(rsData, 0))
        for i in 1..<max(rlc.pairsPerWord, 1) { b.when(k.q.eq(i)) { b in b.set(pairField, rlc.pair(rsData, i)) } }
    }
    let run = m.logic("run", rlc.runBits)
    m.assign(run, Expr.mux(fresh.q, pairField.bits(rlc.runBits - 1, 0), zerosLeft.q))
    let level = m.logic("level", rlc.levelBits)
    m.assign(level, pairField.bits(rlc.pairBits - 1, rlc.runBits))
    let lane = m.logic("lane", p.laneBits)
    m.assign(lane, headX.bits(p.laneBits - 1, 0))
    let lineSlots = m.logic("line_slots", cb, comment: "words left in this buffer line")
    m.assign(lineSlots, Expr.lit(p.lanes, width: cb) - lane.zeroExtended(to: cb))
    let rowLeft = m.logic("row_left", cb, comment: "values of the row still to write")
    m.assign(rowLeft, cfgW - headX)
    let slots = m.logic("slots", cb, comment: "words left in this line and this row")
    m.assign(slots, Expr.mux(rowLeft.lt(lineSlots), rowLeft, lineSlots))
    let lastRow = m.logic("last_row", comment: "the row is its code's last")
    m.assign(lastRow, headRowsAfter.isZero)
    let runW = run.zeroExtended(to: cb)
    let lands = m.logic("lands", comment: "the pair's level falls in this line")
    m.assign(lands, runW.lt(slots))
    let flagged = m.logic("flagged", comment: "the word's last flag")
    m.assign(flagged, rsData.bit(rlc.wordBits - 1))
    let filling = m.register("filling", reset: 0, comment: "the head row's flagged word ended early: zeros to the row's end")
    let padPair = m.logic("pad_pair", comment: "an all-zero pair of a flagged word: the row's pairs end, zeros follow")
    m.assign(padPair, have & ~filling.q & flagged & fresh.q & pairField.isZero)
    let fill = m.logic("fill", comment: "this cycle writes zeros up to the row's end")
    m.assign(fill, filling.q | padPair)
    let xNext = m.logic("x_next", cb, comment: "where the segment ends")
    m.assign(xNext, Expr.mux(~fill & lands, headX + runW + 1, headX + slots))
    let rowEnds = m.logic("row_ends", comment: "the segment reaches the row's end")
    m.assign(rowEnds, xNext.eq(cfgW))
    let wrap = m.logic("wrap", comment: "the row ends and its code goes on in the next row")
    m.assign(wrap, rowEnds & ~lastRow)
    let fillEnd = m.logic("fill_end", comment: "filling: this segment holds the code's end")
    m.assign(fillEnd, rowEnds & lastRow)
    let overrun = m.logic("overrun", comment: "the run goes past the code's end")
    m.assign(overrun, ~lands & fillEnd)
    let rowDone = m.logic("row_done", comment: "the pair's level is the code's last value")
    m.assign(rowDone, lands & fillEnd)
    let lastPair = m.logic("last_pair")
    m.assign(lastPair, k.q.eq(rlc.pairsPerWord - 1))
    let gapBits = rlc.wordBits - 1 - rlc.pairsPerWord * rlc.pairBits
    // Bits between the last pair and the flag carry nothing (the golden codec ignores them too).
    if gapBits > 0 { m.markUnused("word_gap", [rsData.bits(rlc.wordBits - 2, rlc.pairsPerWord * rlc.pairBits)]) }
    let restZero = m.logic("rest_zero", comment: "every pair after pair k is 0")
    m.comb("Pairs after k") { b in
        b.set(restZero, .one)
        for i in 0..<rlc.pairsPerWord - 1 {
            let above = rsData.bits(rlc.pairsPerWord * rlc.pairBits - 1, (i + 1) * rlc.pairBits)
            b.when(k.q.eq(i)) { b in b.set(restZero, above.isZero) }
        }
    }
    let zerosAfterWide = m.logic("zeros_after_wide", cb, comment: "zeros of the run left for the next line")
    m.assign(zerosAfterWide, runW - slots)
    let zerosAfter = m.logic("zeros_after", rlc.runBits)
    m.assign(zerosAfter, zerosAfterWide.bits(rlc.runBits - 1, 0))
    // The run is below 2^runBits, so what is left of it is too.
    m.markUnused("zeros_after_high", [zerosAfterWide.bits(cb - 1, rlc.runBits)])
    // Buffer lines are glbLineBits wide; the field is wider.
    if p.glbLineBits < cb { m.markUnused("wl_high", [cfgWl.bits(cb - 1, p.glbLineBits)]) }
    let endsEarly = m.logic("ends_early", comment: "the word's last pair is in, flagged, and the row is short: fill it")
    m.assign(endsEarly, have & ~filling.q & lands & lastPair & ~rowDone & flagged)
    let step = m.logic("step", comment: "a segment is written this cycle")
    m.assign(step, have & (fill | ~overrun))
    let wordEnd = m.logic("word_end", comment: "the response line is finished with")
    m.assign(wordEnd, have & Expr.mux(fill, fillEnd, overrun | rowDone | (lands & lastPair & ~endsEarly)))
    let bad = m.logic("bad", comment: "the code is malformed")
    m.assign(bad, (padPair & ~restZero) | (have & ~fill & (overrun | (rowDone & (~flagged | ~restZero)))))
    let closeRow = m.logic("close_row", comment: "the head row is finished (or abandoned)")
    m.assign(closeRow, wordEnd & (rowDone | flagged | overrun))
    m.assign(pop, wordEnd)
    m.assign(rsReady, wordEnd)

    let levelLane = m.logic("level_lane", cb, comment: "where the level lands (when it lands here)")
    m.assign(levelLane, lane.zeroExtended(to: cb) + runW)
    let allLanes = Expr.lit((1 << p.lanes) - 1, width: p.lanes)
    let fromLane = m.logic("from_lane", p.lanes, comment: "lanes at or above the first value")
    m.assign(fromLane, allLanes.shiftedLeft(by: lane))
    let uptoLevel = m.logic("upto_level", p.lanes, comment: "lanes at or below the level")
    m.assign(uptoLevel, ~allLanes.shiftedLeft(by: levelLane + 1))
    var dataLanes: [Expr] = []
    for j in 0..<p.lanes {
        dataLanes.append(Expr.mux(~fill & lands & levelLane.eq(j), level, .lit(0, width: p.dataBits)))
    }
    let segmentLanes = m.logic("segment_lanes", p.lanes, comment: "lanes of this line inside the row")
    m.assign(segmentLanes, ~allLanes.shiftedLeft(by: lane.zeroExtended(to: cb) + slots))
    m.assign(wrMask, fromLane & segmentLanes & Expr.mux(~fill & lands, uptoLevel, allLanes))
    m.assign(wrEn, step)
    // A row never spans more lines than the buffer holds, so the buffer's line width bounds it.
    let lineInRowBits = min(cb - p.laneBits, p.glbLineBits)
    let lineInRow = m.logic("line_in_row", lineInRowBits)
    m.assign(lineInRow, headX.bits(p.laneBits + lineInRowBits - 1, p.laneBits))
    m.assign(wrLine, headGlb + lineInRow.resized(to: p.glbLineBits))
    m.assign(wrData, Expr.concat(dataLanes.reversed()))
    m.comb("Filling a row its flagged word left short") { b in
        b.set(filling.d, filling.q)
        b.when(endsEarly | padPair) { b in b.set(filling.d, .one) }
        b.when(wordEnd) { b in b.set(filling.d, .zero) }
        b.when(start) { b in b.set(filling.d, .zero) }
    }
    m.comb("Pair sequencing") { b in
        b.set(k.d, k.q)
        b.set(fresh.d, fresh.q)
        b.set(zerosLeft.d, zerosLeft.q)
        b.when(wordEnd) { b in
            b.set(k.d, .lit(0, width: rlc.pairIndexBits))
            b.set(fresh.d, .one)
        } otherwise: { b in
            b.when(step) { b in
                b.when(lands) { b in
                    b.set(k.d, k.q + 1)
                    b.set(fresh.d, .one)
                } otherwise: { b in
                    b.set(fresh.d, .zero)
                    b.set(zerosLeft.d, zerosAfter)
                }
            }
        }
    }

    // ------------------------------------------------------------------ row state
    m.section("Row state: open, request, decode, close")
    let lastOfChannel = m.logic("last_of_channel", comment: "the next row to open is its channel's last")
    m.assign(lastOfChannel, rowY.q.eq(cfgNRows - 1))
    let openLines = m.logic("open_lines", cb, comment: "buffer lines of the row to open")
    m.assign(openLines, Expr.mux(lastOfChannel, cfgLastCodeLines, cfgCodeLines))
    if p.glbLineBits < cb { m.markUnused("open_lines_high", [openLines.bits(cb - 1, p.glbLineBits)]) }
    m.comb("Tile walk") { b in
        for r in [busy, rowsLeft, rowY, rowAddr, chanAddr, rowGlb] { b.set(r.d, r.q) }
        b.when(start) { b in
            b.set(busy.d, .one)
            b.set(rowsLeft.d, cfgRows)
            b.set(rowY.d, .lit(0, width: cb))
            b.set(rowAddr.d, cfgAddr)
            b.set(chanAddr.d, cfgAddr)
            b.set(rowGlb.d, .lit(0, width: p.glbLineBits))
        } otherwise: { b in
            b.when(open) { b in
                b.set(rowsLeft.d, rowsLeft.q - 1)
                b.set(rowGlb.d, rowGlb.q + openLines.resized(to: p.glbLineBits))
                b.when(lastOfChannel) { b in
                    b.set(rowY.d, .lit(0, width: cb))
                    b.set(chanAddr.d, chanAddr.q + cfgChannelLines)
                    b.set(rowAddr.d, chanAddr.q + cfgChannelLines)
                } otherwise: { b in
                    b.set(rowY.d, rowY.q + 1)
                    b.set(rowAddr.d, rowAddr.q + cfgRowLines.zeroExtended(to: ab))
                }
            }
            let anyOpen = active.map { $0.q }.reduce(Expr.zero) { $0 | $1 }
            b.when(busy.q & rowsLeft.q.eq(0) & ~anyOpen) { b in b.set(busy.d, .zero) }
        }
    }
    for e in 0..<nw {
        m.comb("Row slot \(e)") { b in
            for r in [active[e], pending[e], addr[e], glb[e], xs[e], ys[e]] { b.set(r.d, r.q) }
            b.when(open & free.index.eq(e)) { b in
                b.set(active[e].d, .one)
                b.set(pending[e].d, .zero)
                b.set(addr[e].d, rowAddr.q)
                b.set(glb[e].d, rowGlb.q)
                b.set(xs[e].d, .lit(0, width: cb))
                b.set(ys[e].d, Expr.mux(lastOfChannel, cfgLastCodeRows, cfgCodeRows) - 1)
            }
            b.when(issue & reqRow.eq(e)) { b in
                b.set(pending[e].d, .one)
                b.set(addr[e].d, addr[e].q + 1)
            }
            b.when(have & tag.eq(e)) { b in
                b.when(step) { b in
                    b.set(xs[e].d, Expr.mux(wrap, .lit(0, width: cb), xNext))
                    b.when(wrap) { b in
                        b.set(glb[e].d, glb[e].q + cfgWl.resized(to: p.glbLineBits))
                        b.set(ys[e].d, ys[e].q - 1)
                    }
                }
                b.when(wordEnd) { b in b.set(pending[e].d, .zero) }
                b.when(closeRow) { b in b.set(active[e].d, .zero) }
            }
        }
    }
    m.assign(busyOut, busy.q)
    let error = m.register("error", reset: 0)
    m.comb("Sticky error") { b in
        b.set(error.d, error.q)
        b.when(clear) { b in b.set(error.d, .zero) } otherwise: { b in b.when(bad) { b in b.set(error.d, .one) } }
    }
    m.assign(errorOut, error.q)
    m.assertion("start_idle", !(start & busy.q), message: "a tile started while the last one is still loading")
    m.assertion("resp_requested", !(busy.q & rsValid & ~tagValid),
                message: "a DRAM response arrived while no coded-row read is outstanding")
    m.assertion("held_row_ready", !(held.q & (~active.map(\.q).enumerated().reduce(Expr.zero) { acc, e in
        acc | (heldRow.q.eq(e.offset) & e.element & ~pending[e.offset].q) })),
                message: "the row of a refused request is no longer waiting to request")
    return try m.build()
}

/// `eyeriss_rlc_encoder`: stores a finished psum tile as ofmap rows, through ReLU when asked,
/// pooled along each row when asked (`cfg_pool_i`: the maximum of windows of 2 or 3 values every
/// 2, `RowPool`), either run-length coded or raw (`cfg_coded_i`). It walks the tile filter by filter, row by
/// row, value by value; the tile holds a column's row as the stream `f`, then `k`
/// (docs/architecture.md, section 3), so a filter's values lie `p` words apart and each is its
/// own line read, issued while the value before is coded. Filters `k` and `k + 1` share that
/// line when `p` is even, so then two coders take a value each per cycle (a step), filter 0's
/// word going to DRAM before filter 1's; with `p` odd, one value per cycle. It keeps the
/// tile's configuration from `start_i` on and reads through a buffer port of its own, so the
/// controller can run the next pass while it stores. Coded, it collects pairs and writes each full word, and each row's last, to
/// the row's DRAM slot, or, by row chunk (`cfg_by_row_chunk_i`), codes each filter's rows of the
/// tile as one code in one slot; raw, it packs `lanes` values to a line (the row's last line
/// padded with zeros).
func makeRLCEncoder(_ p: TopParams, _ rlc: RLCParams, coder: Module, header: RTLHeader) throws -> Module {
    let m = ModuleBuilder("eyeriss_rlc_encoder", header: header.lines(
        purpose: "Ofmap store: ReLU, the row pool, then run-length coding or raw lines, psum tile from the global buffer to ofmap rows in DRAM.",
        parameters: ["code: \(rlc.pairsPerWord) pairs of (\(rlc.runBits)-bit run, \(rlc.levelBits)-bit level) + last flag per \(rlc.wordBits)-bit word (JSSC 2017)",
                     "line: \(p.lanes) words"]))
    let cb = p.countBits, ab = p.dramAddrBits, lw = p.lineBits
    m.portGroup("Clock and synchronous active-low reset")
    let clk = m.input("clk_i")
    let rst = m.input("rst_ni")
    m.portGroup("Control: start_i begins a tile; busy_o until its last word is written")
    let start = m.input("start_i")
    let busyOut = m.output("busy_o")
    m.portGroup("Tile, taken at start_i: p_i x t_i filters x epass_i rows of f_i values from fmap line psum_line_i on; a row of a filter group takes tile_row_lines_i lines")
    let inP = m.input("cfg_p_i", cb)
    let inTileRowLines = m.input("cfg_tile_row_lines_i", cb)
    let inT = m.input("cfg_t_i", cb)
    let inEpass = m.input("cfg_epass_i", cb)
    let inF = m.input("cfg_f_i", cb)
    let inCoded = m.input("cfg_coded_i")
    let inByRowChunk = m.input("cfg_by_row_chunk_i")
    let inRelu = m.input("cfg_relu_i")
    let inPool = m.input("cfg_pool_i", 2)  // bit 0: pool each row, windows every 2 values; bit 1: of 3 values (else 2)
    let inAddr = m.input("cfg_addr_i", ab)
    let inPlaneLines = m.input("cfg_plane_lines_i", ab)
    let inRowLines = m.input("cfg_row_lines_i", cb)
    let inLine = m.input("cfg_psum_line_i", p.glbLineBits)
    m.portGroup("Psum tile line reads (a port of its own), counted from the tile's first line ps_rd_base_o")
    let rdEn = m.output("ps_rd_en_o")
    let rdBase = m.output("ps_rd_base_o", p.glbLineBits)
    let rdLine = m.output("ps_rd_line_o", p.glbLineBits)
    m.portGroup("Whether the tile the cfg inputs describe (the running pass's) shares a bank with the tile taken at the last start")
    let sharesBank = m.output("shares_bank_o")
    let rdData = m.input("ps_rd_data_i", lw)
    m.portGroup("DRAM writes")
    let wrValid = m.output("wr_valid_o")
    let wrReady = m.input("wr_ready_i")
    let wrAddr = m.output("wr_addr_o", ab)
    let wrData = m.output("wr_data_o", lw)

    m.section("The tile's configuration, kept from the start")
    var kept: [(q: Expr, d: Expr, input: Expr)] = []
    func keep(_ name: String, _ input: Expr) -> Expr {
        let r = m.register("tile_\(name)", input.width, reset: 0)
        kept.append((r.q, r.d, input))
        return r.q
    }
    let cfgP = keep("p", inP), cfgTileRowLines = keep("row_lines", inTileRowLines), cfgT = keep("t", inT)
    let cfgEpass = keep("epass", inEpass), cfgF = keep("f", inF), cfgCoded = keep("coded", inCoded)
    let cfgRelu = keep("relu", inRelu), cfgPlaneLines = keep("plane_lines", inPlaneLines)
    let cfgByRowChunk = keep("by_row_chunk", inByRowChunk)
    let cfgPool = keep("pool", inPool)
    let cfgRowLines = keep("ofmap_row_lines", inRowLines), cfgBase = keep("psum_line", inLine)
    let cfgPair = p.lanes >= 2 ? keep("pair", ~inP.bit(0)) : Expr.zero
    m.comb { b in
        for k in kept { b.set(k.d, Expr.mux(start, k.input, k.q)) }
    }
    m.assign(rdBase, cfgBase)

    m.section("Banks of the tile, against the running pass's tile")
    // A tile's banks: from its first line's to its last line's (epass x t x tile_row_lines lines).
    func banks(_ name: String, base: Expr, epass: Expr, t: Expr, rowLines: Expr) -> (first: Expr, last: Expr) {
        let last = m.logic("\(name)_last_line", 32, comment: "first line + epass x t x tile_row_lines - 1")
        m.assign(last, base.zeroExtended(to: 32) + epass.zeroExtended(to: 32) * t.zeroExtended(to: 32) * rowLines.zeroExtended(to: 32)
            - .lit(1, width: 32))
        m.markUnused("\(name)_last_line_row", [last.bits(p.bankAddrBits - 1, 0)])
        return (base.bits(p.glbLineBits - 1, p.bankAddrBits).zeroExtended(to: 32 - p.bankAddrBits), last.bits(31, p.bankAddrBits))
    }
    let stored = banks("stored_tile", base: cfgBase, epass: cfgEpass, t: cfgT, rowLines: cfgTileRowLines)
    let running = banks("pass_tile", base: inLine, epass: inEpass, t: inT, rowLines: inTileRowLines)
    m.assign(sharesBank, running.first.le(stored.last) & stored.first.le(running.last))

    m.section("Tile walk")
    let busy = m.register("busy", reset: 0)
    let have = m.register("have_line", reset: 0, comment: "the buffer's read data holds the current value's line")
    let x = m.register("x", cb, reset: 0, comment: "value within the row")
    let er = m.register("er", cb, reset: 0, comment: "row within the filter's rows")
    let k = m.register("k", cb, reset: 0, comment: "filter within its group")
    let tg = m.register("tg", cb, reset: 0, comment: "filter group")
    let wb = p.glbWordBits
    let filterBase = m.register("filter_base", wb, reset: 0, comment: "tile word of the filter's first value: tg x rowWords + k")
    let rowBase = m.register("row_base", wb, reset: 0, comment: "tile word of the row's first value")
    let wp = m.register("wp", wb, reset: 0, comment: "tile word of the current value")
    let plane = m.register("plane", ab, reset: 0, comment: "DRAM line of the filter's plane")
    let slot = m.register("slot", ab, reset: 0, comment: "DRAM line of the row's slot")
    let groupWords = m.logic("group_words", wb, comment: "words of a filter group's row: tile_row_lines x lanes")
    m.assign(groupWords, cfgTileRowLines.resized(to: wb).shiftedLeft(by: .lit(p.laneBits, width: 8)))
    let rowStride = m.logic("row_stride", wb, comment: "words from a filter's row to its next: t x tile_row_lines x lanes")
    m.assign(rowStride, cfgT.resized(to: wb) * groupWords)

    m.section("Steps: the filters' coders")
    let canEmit = m.logic("can_emit", comment: "every filter's output register is free by the next edge")
    let go = m.logic("go", comment: "a step is stored this cycle: a value of each filter of the step")
    m.assign(go, busy.q & have.q & canEmit)
    let rowEnd = m.logic("row_end")
    m.assign(rowEnd, x.q.eq(cfgF - 1))

    m.section("Row pool: windows of 2 or 3 values every 2; the row's last value ends its last window")
    let pooling = cfgPool.bit(0), poolThree = cfgPool.bit(1)
    let xEven = m.logic("x_even")
    m.assign(xEven, ~x.q.bit(0))
    let take = m.logic("take", comment: "the value ends an output's window: the output goes to the code")
    m.assign(take, ~pooling | Expr.mux(poolThree, xEven & x.q.ne(0), ~xEven))
    let fresh = m.logic("fresh", comment: "the value opens a window no value before it is in")
    m.assign(fresh, ~pooling | Expr.mux(poolThree, x.q.eq(0), xEven))
    let outX = m.logic("out_x", cb, comment: "the output's place in the stored row: x, or the window's number")
    let half = m.logic("x_half", cb, comment: "x / 2")
    m.assign(half, x.q.bits(cb - 1, 1).zeroExtended(to: cb))
    m.assign(outX, Expr.mux(pooling, Expr.mux(poolThree, half - 1, half), x.q))
    let rawLane = m.logic("raw_lane", p.laneBits)
    m.assign(rawLane, outX.bits(p.laneBits - 1, 0))
    m.markUnused("out_x_high", [outX.bits(cb - 1, p.laneBits)])
    let wpLane = wp.q.bits(p.laneBits - 1, 0)
    // Filter 1 codes the filter after filter 0's, from the same line: only when p is even, so
    // that the pair's words never straddle a line (every other stride of the tile is a multiple
    // of the line).
    let filters = p.lanes >= 2 ? 2 : 1
    let outs = (0..<filters).map { i in
        (valid: m.logic("f\(i)_out_valid"), addr: m.logic("f\(i)_out_addr", ab), data: m.logic("f\(i)_out_data", lw),
         taken: m.logic("f\(i)_taken", comment: "the DRAM port takes filter \(i)'s word"))
    }
    // The DRAM port takes filter 0's word first.
    for (i, o) in outs.enumerated() {
        m.assign(o.taken, outs[..<i].reduce(o.valid & wrReady) { $0 & ~$1.valid })
    }
    let free = outs.map { ~$0.valid | $0.taken }
    m.assign(canEmit, free.dropFirst().reduce(free[0]) { $0 & $1 })
    let step = m.logic("step", cb, comment: "filters stored per step: 2 for a pair, else 1")
    m.assign(step, Expr.mux(cfgPair, .lit(2, width: cb), .lit(1, width: cb)))
    let planeStep = m.logic("plane_step", ab, comment: "DRAM lines from the step's first filter's plane to the next step's")
    m.assign(planeStep, Expr.mux(cfgPair, cfgPlaneLines.shiftedLeft(by: .lit(1, width: 8)), cfgPlaneLines))
    let lastRowOfFilter = m.logic("last_row_of_filter")
    m.assign(lastRowOfFilter, er.q.eq(cfgEpass - 1))
    let lastK = m.logic("last_k", comment: "the step holds the group's last filter")
    m.assign(lastK, k.q.eq(cfgP - step))
    let lastFilter = m.logic("last_filter")
    m.assign(lastFilter, lastK & tg.q.eq(cfgT - 1))
    let filterEnd = m.logic("filter_end", comment: "the filter's last value")
    m.assign(filterEnd, rowEnd & lastRowOfFilter)
    let codeEnd = m.logic("code_end", comment: "the code's last value: the row's, or by row chunk the filter's")
    m.assign(codeEnd, Expr.mux(cfgByRowChunk, filterEnd, rowEnd))
    let tileEnd = m.logic("tile_end")
    m.assign(tileEnd, go & filterEnd & lastFilter)
    let nextFilterBase = m.logic("next_filter_base", wb, comment: "the next step's first filter: k + step, or the next group's first")
    m.assign(nextFilterBase, Expr.mux(lastK, filterBase.q - cfgP.resized(to: wb) + step.resized(to: wb) + groupWords,
                                      filterBase.q + step.resized(to: wb)))
    let nextRowBase = m.logic("next_row_base", wb)
    m.assign(nextRowBase, Expr.mux(lastRowOfFilter, nextFilterBase, rowBase.q + rowStride))
    let nextWp = m.logic("next_wp", wb, comment: "tile word of the next value")
    m.assign(nextWp, Expr.mux(rowEnd, nextRowBase, wp.q + cfgP.resized(to: wb)))
    let readNow = m.logic("read_now", comment: "read the buffer this cycle")
    m.assign(readNow, busy.q & (~have.q | (go & ~tileEnd)))
    let readWord = m.logic("read_word", wb)
    m.assign(readWord, Expr.mux(have.q, nextWp, wp.q))
    m.assign(rdEn, readNow)
    m.assign(rdLine, readWord.bits(wb - 1, p.laneBits))
    m.markUnused("read_word_lane", [readWord.bits(p.laneBits - 1, 0)])  // the lane of the value: wp

    m.comb("Walk") { b in
        for r in [busy, have, x, er, k, tg, filterBase, rowBase, wp, plane, slot] { b.set(r.d, r.q) }
        b.when(start) { b in
            b.set(busy.d, inP.ne(0) & inT.ne(0) & inEpass.ne(0))
            b.set(have.d, .zero)
            for r in [x, er, k, tg] { b.set(r.d, .lit(0, width: cb)) }
            for r in [filterBase, rowBase, wp] { b.set(r.d, .lit(0, width: wb)) }
            b.set(plane.d, inAddr)
            b.set(slot.d, inAddr)
        } otherwise: { b in
            b.when(readNow) { b in b.set(have.d, .one) }
            b.when(go) { b in
                b.set(wp.d, nextWp)
                b.when(rowEnd) { b in
                    b.set(x.d, .lit(0, width: cb))
                    b.when(lastRowOfFilter) { b in
                        b.set(er.d, .lit(0, width: cb))
                        b.set(k.d, Expr.mux(lastK, .lit(0, width: cb), k.q + step))
                        b.set(tg.d, Expr.mux(lastK, tg.q + 1, tg.q))
                        b.set(filterBase.d, nextFilterBase)
                        b.set(rowBase.d, nextFilterBase)
                        b.set(plane.d, plane.q + planeStep)
                        b.set(slot.d, plane.q + planeStep)
                    } otherwise: { b in
                        b.set(er.d, er.q + 1)
                        b.set(rowBase.d, nextRowBase)
                        // By row chunk the filter's rows share one code and its slot.
                        b.when(~cfgByRowChunk) { b in b.set(slot.d, slot.q + cfgRowLines.zeroExtended(to: ab)) }
                    }
                    b.when(tileEnd) { b in b.set(busy.d, .zero) }
                } otherwise: { b in b.set(x.d, x.q + 1) }
            }
        }
    }
    for (i, o) in outs.enumerated() {
        m.instance(coder, "u_coder_f\(i)", inputs: [
            "clk_i": clk, "rst_ni": rst, "start_i": start, "go_i": i == 0 ? go : go & cfgPair, "take_i": take, "fresh_i": fresh,
            "row_end_i": rowEnd,
            "code_end_i": codeEnd,
            "coded_i": cfgCoded, "relu_i": cfgRelu, "line_i": rdData, "lane_i": i == 0 ? wpLane : wpLane + i,
            "raw_lane_i": rawLane,
            // Filter i's row slot lies i planes after the step's first.
            "slot_i": i == 0 ? slot.q : slot.q + cfgPlaneLines, "taken_i": o.taken,
        ], outputs: ["out_valid_o": o.valid, "out_addr_o": o.addr, "out_data_o": o.data],
           comment: "filter \(i) of the step")
    }
    let anyOut = outs.dropFirst().reduce(outs[0].valid) { $0 | $1.valid }
    m.assign(busyOut, busy.q | anyOut)
    m.assertion("start_idle", !(start & (busy.q | anyOut)), message: "a tile started while the last one is still being stored")
    m.assign(wrValid, anyOut)
    m.comb("DRAM write: filter 0's word first") { b in
        b.set(wrAddr, outs[0].addr)
        b.set(wrData, outs[0].data)
        for o in outs.dropFirst().reversed() {
            b.when(~outs[0].valid & o.valid) { b in
                b.set(wrAddr, o.addr)
                b.set(wrData, o.data)
            }
        }
    }
    return try m.build()
}

/// `eyeriss_rlc_coder`: one filter's coder in the store engine. On each step it takes part in
/// (`go_i`), its word of the line goes through ReLU and into the running maximum of the row
/// pool's window (`fresh_i`: the window starts with it); the value that ends a window (`take_i`,
/// every value without the pool) takes the window's maximum into the run-length pair and word, or
/// the raw line, and stays the running maximum, as the next window's first value with windows of 3; a full word, or the row's last, goes to its output register, addressed at
/// `slot_i` plus the words already written for the row, and leaves when `taken_i`. The zeros a
/// coded row ends with get no pair (`RunLengthCode`): its last word is the one with its last
/// pair (or, for a row of zeros only, a word without pairs), flagged, or, when that word was
/// full and already written, that word again with the flag.
func makeRLCCoder(_ p: TopParams, _ rlc: RLCParams, header: RTLHeader) throws -> Module {
    let m = ModuleBuilder("eyeriss_rlc_coder", header: header.lines(
        purpose: "Ofmap store, one filter's coder: ReLU, the row pool's maximum, then a run-length code word or a raw line to its output register.",
        parameters: ["code: \(rlc.pairsPerWord) pairs of (\(rlc.runBits)-bit run, \(rlc.levelBits)-bit level) + last flag per \(rlc.wordBits)-bit word (JSSC 2017)",
                     "line: \(p.lanes) words"]))
    let dw = p.dataBits, lw = p.lineBits, ab = p.dramAddrBits, wordBits = rlc.pairsPerWord * rlc.pairBits
    m.portGroup("Clock and synchronous active-low reset")
    m.input("clk_i")
    m.input("rst_ni")
    m.portGroup("Step: start_i clears the coder for a tile; go_i takes word lane_i of line_i into the row pool's window (fresh_i: it opens the window); with take_i it ends the window, whose maximum is the stored row's value raw_lane_i (mod lanes)")
    let start = m.input("start_i")
    let goIn = m.input("go_i")
    let take = m.input("take_i")  // every value without the row pool
    let fresh = m.input("fresh_i")  // every value without the row pool
    let rowEnd = m.input("row_end_i")
    let codeEnd = m.input("code_end_i")  // coded: the code's last value (a row's, or a row chunk's)
    let coded = m.input("coded_i")
    let relu = m.input("relu_i")
    let line = m.input("line_i", lw)
    let lane = m.input("lane_i", p.laneBits)
    let rawLane = m.input("raw_lane_i", p.laneBits)
    let slot = m.input("slot_i", ab)
    m.portGroup("Output word: to DRAM line out_addr_o; taken_i frees the register")
    let takenIn = m.input("taken_i")
    let validOut = m.output("out_valid_o")
    let addrOut = m.output("out_addr_o", ab)
    let dataOut = m.output("out_data_o", lw)

    m.section("Coder")
    let runR = m.register("run", rlc.runBits, reset: 0, comment: "zeros waiting for their pair")
    let pairs = m.register("pairs", rlc.pairIndexBits, reset: 0, comment: "pairs collected in the word")
    let buf = m.register("buf", wordBits, reset: 0)
    let rawLine = m.register("raw_line", lw, reset: 0, comment: "raw: the values of the line so far")
    let word = m.register("word", p.countBits, reset: 0, comment: "words written for the row")
    let lastWord = m.register("last_word", wordBits, reset: 0, comment: "coded: the row's last word written, to flag it again")
    let outValid = m.register("out_valid", reset: 0)
    let outAddr = m.register("out_addr", ab)
    let outData = m.register("out_data", lw)
    let raw = m.logic("raw", dw, comment: "the filter's word of the line")
    laneSelect(m, line: line, lane: lane, wordBits: dw, lanes: p.lanes, into: raw)
    let activated = m.logic("activated", dw, comment: "after ReLU")
    m.assign(activated, Expr.mux(relu & raw.bit(dw - 1), .lit(0, width: dw), raw))
    m.section("Row pool: the window's running maximum")
    let acc = m.register("pool_max", dw, reset: 0, comment: "the largest value of the open window so far")
    // Two's complement order is the unsigned order with the sign bit inverted.
    func ordered(_ v: Expr) -> Expr { Expr.concat([~v.bit(dw - 1), v.bits(dw - 2, 0)]) }
    let value = m.logic("value", dw, comment: "the output: the window's maximum with this value")
    m.assign(value, Expr.mux(fresh | ordered(activated).gt(ordered(acc.q)), activated, acc.q))
    let go = m.logic("go", comment: "an output goes to the code or the raw line")
    m.assign(go, goIn & take)
    let extend = m.logic("extend", comment: "coded: the value joins the run")
    m.assign(extend, coded & value.isZero & runR.q.ne(rlc.maxRun) & ~codeEnd)
    let pairNow = m.logic("pair_now", rlc.pairBits)
    m.assign(pairNow, Expr.concat([value, runR.q]))
    let merged = m.logic("merged", wordBits)
    m.comb("The pair joins the word") { b in
        b.set(merged, buf.q)
        for k in 0..<rlc.pairsPerWord {
            let above: [Expr] = k < rlc.pairsPerWord - 1 ? [buf.q.bits(wordBits - 1, (k + 1) * rlc.pairBits)] : []
            let below: [Expr] = k > 0 ? [buf.q.bits(k * rlc.pairBits - 1, 0)] : []
            b.when(pairs.q.eq(k)) { b in b.set(merged, Expr.concat(above + [pairNow] + below)) }
        }
    }
    let rawMerged = m.logic("raw_merged", lw, comment: "raw: the line with this value in its lane, the lanes above zero")
    m.comb("The value joins the raw line") { b in
        b.set(rawMerged, rawLine.q)
        for l in 0..<p.lanes {
            let below: [Expr] = l > 0 ? [rawLine.q.bits(dw * l - 1, 0)] : []
            let above: [Expr] = l < p.lanes - 1 ? [Expr.lit(0, width: dw * (p.lanes - 1 - l))] : []
            b.when(rawLane.eq(l)) { b in b.set(rawMerged, Expr.concat(above + [value] + below)) }
        }
    }
    let emit = m.logic("emit", comment: "a word goes out")
    m.assign(emit, go & Expr.mux(coded, ~extend & (codeEnd | pairs.q.eq(rlc.pairsPerWord - 1)),
                                 rowEnd | rawLane.eq(p.lanes - 1)))
    let trailing = m.logic("trailing", comment: "coded: the row ends in zeros, which get no pair")
    m.assign(trailing, coded & codeEnd & value.isZero)
    let reflag = m.logic("reflag", comment: "the row's last pair filled a word already written: write it again, flagged")
    m.assign(reflag, trailing & pairs.q.eq(0) & word.q.ne(0))
    let lastPairs = m.logic("last_pairs", wordBits, comment: "the pairs of the row's last word")
    m.assign(lastPairs, Expr.mux(trailing, Expr.mux(reflag, lastWord.q, buf.q), merged))
    let pad = lw - 1 - wordBits
    let flagged = Expr.concat([codeEnd] + (pad > 0 ? [Expr.lit(0, width: pad)] : []) + [lastPairs])
    let wordAt = m.logic("word_at", p.countBits, comment: "the word's place in the row's slot")
    m.assign(wordAt, Expr.mux(reflag, word.q - 1, word.q))

    m.comb("Code and emit") { b in
        for r in [runR, pairs, buf, rawLine, word, lastWord, outValid, outAddr, outData, acc] { b.set(r.d, r.q) }
        // The value that ends a window opens the next with windows of 3 (and is overwritten by
        // the next fresh value with windows of 2).
        b.when(goIn) { b in b.set(acc.d, Expr.mux(take, activated, value)) }
        b.when(takenIn) { b in b.set(outValid.d, .zero) }
        b.when(start) { b in
            b.set(word.d, .lit(0, width: p.countBits))
            b.set(runR.d, .lit(0, width: rlc.runBits))
            b.set(pairs.d, .lit(0, width: rlc.pairIndexBits))
            b.set(buf.d, .lit(0, width: wordBits))
            b.set(rawLine.d, .lit(0, width: lw))
        } otherwise: { b in
            b.when(go) { b in
                b.when(emit) { b in
                    b.set(outValid.d, .one)
                    b.set(outAddr.d, slot + wordAt.zeroExtended(to: ab))
                    b.set(outData.d, Expr.mux(coded, flagged, rawMerged))
                    b.set(word.d, word.q + 1)
                    b.set(lastWord.d, merged)
                }
                b.when(coded) { b in
                    b.when(extend) { b in b.set(runR.d, runR.q + 1) } otherwise: { b in
                        b.set(runR.d, .lit(0, width: rlc.runBits))
                        b.when(emit) { b in
                            b.set(pairs.d, .lit(0, width: rlc.pairIndexBits))
                            b.set(buf.d, .lit(0, width: wordBits))
                        } otherwise: { b in
                            b.set(pairs.d, pairs.q + 1)
                            b.set(buf.d, merged)
                        }
                    }
                } otherwise: { b in
                    b.set(rawLine.d, Expr.mux(emit, .lit(0, width: lw), rawMerged))
                }
                b.when(Expr.mux(coded, codeEnd, rowEnd)) { b in b.set(word.d, .lit(0, width: p.countBits)) }
            }
        }
    }
    m.assign(validOut, outValid.q)
    m.assign(addrOut, outAddr.q)
    m.assign(dataOut, outData.q)
    return try m.build()
}
