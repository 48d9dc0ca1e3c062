import EyerissConfig
import HDL

/// The issue/output handshake every feeder shares: stage A walks a loop nest and issues a
/// synchronous buffer read; stage B holds the word (the buffer's read register) with its tags
/// until the network takes it. A new read is issued only when stage B is empty or emptying,
/// so the buffer's read data never changes under a waiting word.
struct FeederControl {
    let busy: Expr
    let issue: Expr
    let outValid: Expr

    init(_ m: ModuleBuilder, start: Expr, outReady: Expr, finalWord: Expr) {
        let busy = m.register("busy", reset: 0, comment: "words left to issue")
        let valid = m.register("out_valid", reset: 0, comment: "stage B holds a word")
        let issue = m.logic("issue", comment: "stage A issues a word this cycle")
        m.assign(issue, busy.q & (~valid.q | outReady))
        m.comb { b in
            b.set(busy.d, busy.q)
            b.set(valid.d, valid.q)
            b.when(start) { b in b.set(busy.d, .one) }
            b.when(issue & finalWord) { b in b.set(busy.d, .zero) }
            b.when(issue) { b in b.set(valid.d, .one) } otherwise: { b in b.when(outReady) { b in b.set(valid.d, .zero) } }
        }
        self.busy = busy.q
        self.issue = issue
        outValid = valid.q
    }
}

/// Common ports of a feeder: start/busy, and the tagged word towards a GIN.
struct FeederPorts {
    let start: Expr
    let busyOut: Expr
    let outValid: Expr
    let outReady: Expr
    let outData: Expr
    let rowTag: Expr
    let colTag: Expr

    init(_ m: ModuleBuilder, dataBits: Int, rowTagBits: Int, colTagBits: Int) {
        m.portGroup("Clock and synchronous active-low reset")
        m.input("clk_i")
        m.input("rst_ni")
        m.portGroup("Pass control: start pulses once the configuration is stable")
        start = m.input("start_i")
        busyOut = m.output("busy_o")
        m.portGroup("Tagged words to the global input network")
        outValid = m.output("out_valid_o")
        outReady = m.input("out_ready_i")
        outData = m.output("out_data_o", dataBits)
        rowTag = m.output("out_row_tag_o", rowTagBits)
        colTag = m.output("out_col_tag_o", colTagBits)
    }
}

/// `eyeriss_filter_feeder`: sends the filter buffer's lines in order to the filter GIN, one
/// line per cycle. Per filter group `tg < t`, the block holds item `w * rows + ρ` (word `w` of
/// the `p x q x S` words of PE row `ρ < Rc x r`) in line `item / L`, lane `item % L`, with
/// `L = min(lanes, rows)` (docs/architecture.md, section 4). A line is tagged with the PE row of
/// its lane 0, the number of words it holds and the filter group: its words go to `L`
/// consecutive PE rows (modulo `rows`), never two to the same row.
public func makeFilterFeeder(_ p: TopParams, header: RTLHeader) throws -> Module {
    let m = ModuleBuilder("eyeriss_filter_feeder", header: header.lines(
        purpose: "Filter feeder: filter buffer -> filter GIN, a line per cycle, tagged (first PE row, words, filter group).",
        parameters: ["filter buffer: \(p.filterLines) lines of \(p.lanes) words"]))
    let rb = p.rowIndexBits, cb = p.countBits
    let io = FeederPorts(m, dataBits: p.lineBits, rowTagBits: rb, colTagBits: p.columnTagBits)
    let countOut = m.output("out_count_o", p.laneBits + 1)
    m.portGroup("Pass configuration")
    let perPE = m.input("cfg_words_per_pe_i", cb)
    let chainRows = m.input("cfg_chain_rows_i", cb)
    let groups = m.input("cfg_groups_i", cb)
    m.portGroup("Filter buffer read port")
    let rdEn = m.output("f_rd_en_o")
    let rdLine = m.output("f_rd_line_o", p.filterLineBits)
    let rdData = m.input("f_rd_data_i", p.lineBits)

    m.section("Position: word w of the PE rows from rho0 on, in filter group tg")
    let word = m.register("word", cb, reset: 0, comment: "w of the line's lane 0")
    let rho0 = m.register("rho0", cb, reset: 0, comment: "PE row of the line's lane 0")
    let group = m.register("group", cb, reset: 0, comment: "filter group tg")
    let perLine = m.logic("per_line", cb, comment: "L = min(lanes, rows): words per line")
    m.assign(perLine, Expr.mux(chainRows.lt(.lit(p.lanes, width: cb)), chainRows, .lit(p.lanes, width: cb)))
    let rhoNext = m.logic("rho_next", cb)
    m.assign(rhoNext, rho0.q + perLine)
    let wraps = m.logic("wraps", comment: "the line reaches past the last PE row")
    m.assign(wraps, rhoNext.ge(chainRows))
    let lastLine = m.logic("group_last_line", comment: "the group's last line: its last word, from rho0 to the last row")
    m.assign(lastLine, word.q.eq(perPE - 1) & wraps)
    let lastGroup = m.logic("last_group")
    m.assign(lastGroup, group.q.eq(groups - 1))
    let ctl = FeederControl(m, start: io.start, outReady: io.outReady, finalWord: lastLine & lastGroup)
    let issue = ctl.issue
    m.comb { b in
        b.set(word.d, word.q)
        b.set(rho0.d, rho0.q)
        b.set(group.d, group.q)
        b.when(io.start) { b in
            b.set(word.d, .lit(0, width: cb))
            b.set(rho0.d, .lit(0, width: cb))
            b.set(group.d, .lit(0, width: cb))
        } otherwise: { b in
            b.when(issue) { b in
                b.when(lastLine) { b in
                    b.set(word.d, .lit(0, width: cb))
                    b.set(rho0.d, .lit(0, width: cb))
                    b.set(group.d, group.q + 1)
                } otherwise: { b in
                    b.when(wraps) { b in
                        b.set(word.d, word.q + 1)
                        b.set(rho0.d, rhoNext - chainRows)
                    } otherwise: { b in b.set(rho0.d, rhoNext) }
                }
            }
        }
    }
    let line = m.register("line", p.filterLineBits, reset: 0, comment: "next filter buffer line")
    m.comb { b in
        b.set(line.d, line.q)
        b.when(io.start) { b in b.set(line.d, .lit(0, width: p.filterLineBits)) }
            otherwise: { b in b.when(issue) { b in b.set(line.d, line.q + 1) } }
    }
    m.assign(rdEn, issue)
    m.assign(rdLine, line.q)

    m.section("Stage B: the line and its tags")
    let rowTag = m.register("row_tag", rb)
    let count = m.register("count", p.laneBits + 1)
    let colTag = m.register("col_tag", p.columnTagBits)
    let words = m.logic("line_words", cb, comment: "L, or what is left of the group's last word")
    m.assign(words, Expr.mux(lastLine, chainRows - rho0.q, perLine))
    m.markUnused("line_words_high", [words.bits(cb - 1, p.laneBits + 1)])  // at most L <= lanes
    m.comb { b in
        b.set(rowTag.d, rowTag.q)
        b.set(count.d, count.q)
        b.set(colTag.d, colTag.q)
        b.when(issue) { b in
            b.set(rowTag.d, rho0.q.resized(to: rb))
            b.set(count.d, words.resized(to: p.laneBits + 1))
            b.set(colTag.d, group.q.resized(to: p.columnTagBits))
        }
    }
    m.assign(io.outData, rdData)
    m.assign(io.outValid, ctl.outValid)
    m.assign(io.rowTag, rowTag.q)
    m.assign(countOut, count.q)
    m.assign(io.colTag, colTag.q)
    m.assign(io.busyOut, ctl.busy | ctl.outValid)
    return try m.build()
}

/// Drives `into` with word `lane` of `line`.
func laneSelect(_ m: ModuleBuilder, line: Expr, lane: Expr, wordBits: Int, lanes: Int, into: Expr) {
    m.comb("Word of the line") { b in
        b.set(into, .lit(0, width: wordBits))
        b.switchOn(lane, arms: (0..<lanes).map { l in
            ([Expr.lit(l, width: lane.width)], { b in b.set(into, line.bits(wordBits * l + wordBits - 1, wordBits * l)) })
        }, default: { _ in })
    }
}

/// `eyeriss_ifmap_feeder`: sends ifmap words to the ifmap GIN in the order of
/// docs/architecture.md section 4: for each strip, each column of the sliding windows, each
/// relative ifmap row yr and each channel, tagged (channel set g, yr). Words outside the image
/// (zero padding) are sent as 0 without a buffer read.
public func makeIfmapFeeder(_ p: TopParams, header: RTLHeader) throws -> Module {
    let m = ModuleBuilder("eyeriss_ifmap_feeder", header: header.lines(
        purpose: "Ifmap feeder: ifmap tile -> ifmap GIN, tagged (channel set, relative ifmap row); generates zero padding.",
        parameters: ["ifmap region: \(p.glbWordBits)-bit word addresses"]))
    let io = FeederPorts(m, dataBits: p.dataBits, rowTagBits: p.rowTagBits, colTagBits: p.ifmapColumnTagBits)
    let cb = p.countBits, w32 = 32
    m.portGroup("Pass configuration (see the descriptor fields)")
    let cfgS = m.input("cfg_s_i", cb)
    let cfgStep = m.input("cfg_step_i", cb)
    let cfgStride = m.input("cfg_stride_i", cb)
    let cfgF = m.input("cfg_f_i", cb)
    let cfgQ = m.input("cfg_q_i", cb)
    let cfgR = m.input("cfg_r_i", cb)
    let cfgE = m.input("cfg_e_i", cb)
    let cfgJobRows = m.input("cfg_job_rows_i", cb)
    let cfgYCount = m.input("cfg_ycount_i", cb)
    let cfgPad = m.input("cfg_pad_i", cb)
    let cfgW = m.input("cfg_w_i", cb)
    let cfgH = m.input("cfg_h_i", cb)
    let cfgYStart = m.input("cfg_ystart_i", w32, signed: true)
    let cfgYLo = m.input("cfg_ylo_i", cb)
    let cfgNRows = m.input("cfg_nrows_i", cb)
    let cfgWl = m.input("cfg_wl_i", cb)
    let cfgRowPhase = m.input("cfg_row_phase_i", cb)
    m.portGroup("Ifmap region read port (word, data the next cycle)")
    let rdEn = m.output("if_rd_en_o")
    let rdWord = m.output("if_rd_word_o", p.glbWordBits)
    let rdData = m.input("if_rd_data_i", p.dataBits)

    m.section("Loop nest: channel in set, set, relative row, window column, output, strip")
    let issueSig = m.logic("issue_word")
    let firstWindow = m.logic("first_window")
    let colLimit = m.logic("col_limit", cb, comment: "S columns in the first window, step after")
    let nest = LoopNest(m, "loop", levels: [("cq", cb, cfgQ), ("g", cb, cfgR), ("yr", cb, cfgYCount),
                                            ("col", cb, colLimit), ("f", cb, cfgF), ("strip", cb, cfgJobRows)],
                        advance: issueSig, restart: io.start)
    let (cq, g, yr, col, f, strip) = (nest.counters[0], nest.counters[1], nest.counters[2], nest.counters[3],
                                      nest.counters[4], nest.counters[5])
    m.assign(firstWindow, f.isZero)
    m.assign(colLimit, Expr.mux(firstWindow, cfgS, cfgStep))
    let ctl = FeederControl(m, start: io.start, outReady: io.outReady, finalWord: nest.lastAll)
    m.assign(issueSig, ctl.issue)

    m.section("Coordinates and address")
    func wide(_ e: Expr) -> Expr { e.zeroExtended(to: w32).asSigned }
    let xp = m.logic("xp", w32, signed: true, comment: "column in padded coordinates")
    m.assign(xp, Expr.mux(firstWindow, wide(col), wide(f) * wide(cfgStride) + wide(cfgS) - wide(cfgStep) + wide(col)))
    let x = m.logic("x", w32, signed: true)
    m.assign(x, xp - wide(cfgPad))
    let y = m.logic("y", w32, signed: true)
    m.assign(y, cfgYStart + wide(strip) * wide(cfgE) * wide(cfgStride) + wide(yr))
    let inside = m.logic("in_image", comment: "the word lies in the image (else it is zero padding)")
    let zero32 = Expr.lit(0, width: w32, signed: true)
    m.assign(inside, x.ge(zero32) & x.lt(wide(cfgW)) & y.ge(zero32) & y.lt(wide(cfgH)))
    let ch = m.logic("channel", w32, signed: true)
    m.assign(ch, wide(g) * wide(cfgQ) + wide(cq))
    let wordAddr = m.logic("word_addr", w32, signed: true)
    let rowWords = m.logic("row_words", w32, signed: true)
    m.assign(rowWords, wide(cfgWl).shiftedLeft(by: .lit(p.laneBits, width: 8)))
    // The tile's rows sit as in a ring (Pass.ifmapRowPhase): row y at (y - yLo + phase) mod nRows.
    let ringRow = m.logic("ring_row", w32, signed: true, comment: "y - yLo + phase: below 2 x nRows")
    m.assign(ringRow, y - wide(cfgYLo) + wide(cfgRowPhase))
    let place = m.logic("ring_place", w32, signed: true, comment: "the row's place in the channel's rows of the slot")
    m.assign(place, Expr.mux(ringRow.ge(wide(cfgNRows)), ringRow - wide(cfgNRows), ringRow))
    m.assign(wordAddr, (ch * wide(cfgNRows) + place) * rowWords + x)
    m.assign(rdEn, ctl.issue & inside)
    m.assign(rdWord, wordAddr.bits(p.glbWordBits - 1, 0))
    m.markUnused("word_addr_high", [wordAddr.bits(w32 - 1, p.glbWordBits)])

    m.section("Stage B")
    let isPad = m.register("is_padding")
    let rowTag = m.register("row_tag", p.rowTagBits)
    let colTag = m.register("col_tag", p.ifmapColumnTagBits)
    m.comb { b in
        b.set(isPad.d, isPad.q)
        b.set(rowTag.d, rowTag.q)
        b.set(colTag.d, colTag.q)
        b.when(ctl.issue) { b in
            b.set(isPad.d, ~inside)
            b.set(rowTag.d, g.resized(to: p.rowTagBits))
            b.set(colTag.d, yr.resized(to: p.ifmapColumnTagBits))
        }
    }
    m.assign(io.outData, Expr.mux(isPad.q, .lit(0, width: p.dataBits), rdData))
    m.assign(io.outValid, ctl.outValid)
    m.assign(io.rowTag, rowTag.q)
    m.assign(io.colTag, colTag.q)
    m.assign(io.busyOut, ctl.busy | ctl.outValid)
    return try m.build()
}

/// `eyeriss_psum_feeder`: when a pass accumulates onto earlier psums, sends them from the psum
/// tile to the bottom PE of each column through the psum GIN, a buffer line at a time, tagged
/// (0, column): for each strip, each line of a column's row of psums (the stream `f`, then `k`,
/// `lanes` words to a line), each column, column `tg x pitch + j` (docs/architecture.md section 4). `out_count_o` says how
/// many words the line holds (fewer on a row's last line); the column's unpacker hands them to
/// its PE one by one.
public func makePsumFeeder(_ p: TopParams, header: RTLHeader) throws -> Module {
    let m = ModuleBuilder("eyeriss_psum_feeder", header: header.lines(
        purpose: "Psum feeder: psum tile -> psum GIN, a line of up to \(p.lanes) psums for one column, tagged (0, column), for passes that accumulate.",
        parameters: ["psum region: \(p.glbLineBits)-bit line addresses"]))
    let io = FeederPorts(m, dataBits: p.lineBits, rowTagBits: p.rowTagBits, colTagBits: p.columnTagBits)
    let countOut = m.output("out_count_o", p.laneBits + 1)
    let cb = p.countBits
    m.portGroup("Pass configuration")
    let cfgRowWords = m.input("cfg_tile_row_words_i", cb)
    let cfgRowLines = m.input("cfg_tile_row_lines_i", cb)
    let cfgE = m.input("cfg_e_i", cb)
    let cfgT = m.input("cfg_t_i", cb)
    let cfgPitch = m.input("cfg_pitch_i", DescriptorField.pitch.bits)
    let cfgJobRows = m.input("cfg_job_rows_i", cb)
    m.portGroup("Psum region read port (line, data the next cycle)")
    let rdEn = m.output("ps_rd_en_o")
    let rdLine = m.output("ps_rd_line_o", p.glbLineBits)
    let rdData = m.input("ps_rd_data_i", p.lineBits)

    let issueSig = m.logic("issue_line")
    let nest = LoopNest(m, "loop", levels: [("j", cb, cfgE), ("tg", cb, cfgT), ("li", cb, cfgRowLines),
                                            ("strip", cb, cfgJobRows)],
                        advance: issueSig, restart: io.start)
    let (j, tg, li, strip) = (nest.counters[0], nest.counters[1], nest.counters[2], nest.counters[3])
    let ctl = FeederControl(m, start: io.start, outReady: io.outReady, finalWord: nest.lastAll)
    m.assign(issueSig, ctl.issue)
    let line = psumTileLine(m, "tile_line", tg: tg, li: li, j: j, strip: strip, e: cfgE, t: cfgT,
                            rowLines: cfgRowLines, lineBits: p.glbLineBits)
    m.assign(rdEn, ctl.issue)
    m.assign(rdLine, line)
    let column = m.logic("column", p.columnTagBits, comment: "c = tg x pitch + j")
    let ctb = p.columnTagBits
    m.assign(column, tg.resized(to: ctb) * cfgPitch.resized(to: ctb) + j.resized(to: ctb))
    // The pitch is at most the column count, which a column tag holds (the controller asserts it).
    if DescriptorField.pitch.bits > ctb { m.markUnused("cfg_pitch_high", [cfgPitch.bits(DescriptorField.pitch.bits - 1, ctb)]) }
    let words = m.logic("line_words", cb, comment: "lanes, or the words left on the row's last line")
    m.assign(words, Expr.mux(nest.last[2], cfgRowWords - li.shiftedLeft(by: .lit(p.laneBits, width: 8)), .lit(p.lanes, width: cb)))
    m.markUnused("line_words_high", [words.bits(cb - 1, p.laneBits + 1)])  // at most lanes

    let count = m.register("count", p.laneBits + 1)
    let colTag = m.register("col_tag", p.columnTagBits)
    m.comb { b in
        b.set(count.d, count.q)
        b.set(colTag.d, colTag.q)
        b.when(ctl.issue) { b in
            b.set(count.d, words.resized(to: p.laneBits + 1))
            b.set(colTag.d, column)
        }
    }
    m.assign(io.outData, rdData)
    m.assign(countOut, count.q)
    m.assign(io.outValid, ctl.outValid)
    m.assign(io.rowTag, .lit(0, width: p.rowTagBits))
    m.assign(io.colTag, colTag.q)
    m.assign(io.busyOut, ctl.busy | ctl.outValid)
    return try m.build()
}

/// `eyeriss_psum_unpacker`: between the psum GIN and the bottom PE of a column, hands the
/// `count` psums of a delivered line to the PE one per cycle, lane 0 first. Lines wait in
/// `lineFIFO` (a FIFO of line + count, `TopParams.psumUnpackerLines` deep): the psum feeder
/// serves the columns in turn, so a column whose PEs are a little behind would otherwise hold
/// up every other column's psums, and with them the whole array.
public func makePsumUnpacker(_ p: TopParams, lineFIFO: Module, header: RTLHeader) throws -> Module {
    let m = ModuleBuilder("eyeriss_psum_unpacker", header: header.lines(
        purpose: "Psum unpacker: psum GIN lines (up to \(p.lanes) psums each) to the column's bottom PE, a word per cycle.",
        parameters: ["line: \(p.lanes) words of \(p.dataBits) b", "lines buffered: \(p.psumUnpackerLines) + the one being unpacked"]))
    let dw = p.dataBits, lw = p.lineBits, nb = p.laneBits + 1
    m.portGroup("Clock and synchronous active-low reset")
    let clk = m.input("clk_i")
    let rst = m.input("rst_ni")
    m.portGroup("Line from the psum GIN")
    let inValid = m.input("in_valid_i")
    let inReady = m.output("in_ready_o")
    let inData = m.input("in_data_i", lw)
    let inCount = m.input("in_count_i", nb)
    m.portGroup("Psums to the PE")
    let outValid = m.output("out_valid_o")
    let outReady = m.input("out_ready_i")
    let outData = m.output("out_data_o", dw)

    let queued = m.logic("queued_valid")
    let queuedLine = m.logic("queued_line", lw + nb)
    let take = m.logic("take_line")
    m.fifo(lineFIFO, "u_line_fifo",
           inputs: ["clk_i": clk, "rst_ni": rst, "in_valid_i": inValid,
                    "in_data_i": Expr.concat([inCount, inData]), "out_ready_i": take],
           outputs: ["in_ready_o": inReady, "out_valid_o": queued, "out_data_o": queuedLine])

    let valid = m.register("valid", reset: 0, comment: "a line is held")
    let line = m.register("line", lw)
    let count = m.register("count", nb)
    let index = m.register("index", p.laneBits, comment: "lane of the next word")
    let lastWord = m.logic("last_word")
    m.assign(lastWord, index.q.zeroExtended(to: nb).eq(count.q - 1))
    m.assign(take, queued & (~valid.q | (outReady & lastWord)))
    m.comb { b in
        b.set(valid.d, valid.q)
        b.set(line.d, line.q)
        b.set(count.d, count.q)
        b.set(index.d, index.q)
        b.when(valid.q & outReady) { b in
            b.set(index.d, index.q + 1)
            b.when(lastWord) { b in b.set(valid.d, .zero) }
        }
        b.when(take) { b in
            b.set(valid.d, .one)
            b.set(line.d, queuedLine.bits(lw - 1, 0))
            b.set(count.d, queuedLine.bits(lw + nb - 1, lw))
            b.set(index.d, .lit(0, width: p.laneBits))
        }
    }
    laneSelect(m, line: line.q, lane: index.q, wordBits: dw, lanes: p.lanes, into: outData)
    m.assign(outValid, valid.q)
    m.assertion("count_nonzero", !(inValid & inReady & inCount.isZero), message: "psum unpacker: a line of no words")
    return try m.build()
}
