import EyerissConfig
import HDL

/// The row-stationary processing element, `eyeriss_pe`.
///
/// A *job* (started by `start_i` while `idle_o`) loads p x q x S filter weights into the filter
/// spad (unless `cfg_keep_filters_i`: the spad still holds the last job's, which are this
/// job's too), then runs `cfg_rows_i` 1-D row convolutions with them. Each row convolution produces
/// `cfg_outputs_i` outputs, each made of p psums (one per filter), accumulating q channels of an
/// S-wide window of the ifmap row:
///
///     psum_out[k] = psum_in[k] + sum over s, c of product(w[k][c][s], x[c][f*stride + s])
///
/// Stream orders (the feeder in the array or the testbench follows them):
/// - filter words: for s, for c, for k: w[k][c][s]. The spad is then read sequentially.
/// - ifmap words: per row, S + (F-1) x step columns, each as q words (c = 0..q-1); `step` is
///   min(stride, S): when the stride is wider than the filter, the feeder drops the columns
///   no window touches. The ifmap spad is a circular buffer of S x q words, so the next window
///   starts where the last fill stopped and no address is ever multiplied.
/// - psum words in and out: per output f, for k = 0..p-1.
///
/// Pipeline (JSSC 2017: a spad access stage, then a two-stage multiply and add):
/// issue (ifmap spad read, filter spad read) -> multiply/shift/saturate -> accumulate in the
/// psum spad. An output's p psums are sent by an output stage of their own, while the sequencer
/// already takes the next window's columns and computes the next output: its first MACs, which
/// overwrite the psum spad, wait until the output stage has sent the psum they overwrite. A zero activation is *gated*: no filter spad read, the product register does not
/// switch and the psum keeps its value (counted in `cnt_gated_o`). The fixed-point rules are
/// those of `EyerissGolden/FixedPoint.swift`.
///
/// Handshakes: filter words are taken directly into the spad (ready while loading); the ifmap
/// and psum inputs and the psum output pass through FIFOs of `fifoDepth` words. Configuration
/// inputs must be held constant while the PE is busy. Verilator gives all instances one copy
/// of the PE's code (`shareCodeAcrossInstances`), so the array's per-cycle code does not grow
/// with its PE count; the PE's checks therefore leave it as flags on `chk_o`. The inputs every
/// PE shares (clock, reset, configuration, the ifmap word, the counter clear) are `broadcast`:
/// Verilator reads the array's signals directly, with one clock trigger for the whole design.
public func makePE(_ p: PEParams, header: RTLHeader, options: GeneratorOptions = GeneratorOptions(),
                   design: inout Design) throws -> Module {
    let ifmapFifo = try makeFIFO(width: p.dataBits, depth: p.fifoDepth, header: header)
    let psumFifo = try makeFIFO(width: p.psumBits, depth: p.fifoDepth, header: header)
    try design.add(ifmapFifo)
    try design.add(psumFifo)

    let m = ModuleBuilder("eyeriss_pe", header: header.lines(
        purpose: "Row-stationary processing element: filter/ifmap/psum scratchpads, pipelined MAC, zero gating.",
        parameters: [
            "data: \(p.dataBits) b signed fixed point; psums: \(p.psumBits) b (JSSC 2017: 16 b)",
            "filter spad: \(p.filterSpadWords) words x \(p.dataBits) b (JSSC 2017: 224 x 16 b, SRAM)",
            "ifmap spad: \(p.ifmapSpadWords) words x \(p.dataBits) b (JSSC 2017: 12 x 16 b, registers)",
            "psum spad: \(p.psumSpadWords) words x \(p.psumBits) b (JSSC 2017: 24 x 16 b, registers)",
            "FIFO depth: \(p.fifoDepth) words (ifmap in, psum in, psum out)",
            "activity counters: \(p.counterBits) b",
        ] + options.headerNote))
    m.shareCodeAcrossInstances()
    m.reportChecks()
    let dw = p.dataBits, pw = p.psumBits
    let fw = p.filterAddrBits + 1, iw = p.ifmapAddrBits + 1  // one spare bit: counts reach the depth

    // ------------------------------------------------------------------ ports
    m.portGroup("Clock and synchronous active-low reset")
    let clk = m.input("clk_i", broadcast: true)
    let rst = m.input("rst_ni", broadcast: true)
    m.portGroup("Job control: start is taken while idle; configuration is held while busy")
    let start = m.input("start_i")
    let idle = m.output("idle_o")
    let cfgS = m.input("cfg_filter_width_i", p.windowFieldBits, broadcast: true)
    let cfgQ = m.input("cfg_channels_i", p.windowFieldBits, broadcast: true)
    let cfgP = m.input("cfg_filters_i", p.filtersFieldBits, broadcast: true)
    let cfgStep = m.input("cfg_step_i", p.windowFieldBits, broadcast: true)
    let cfgOutputs = m.input("cfg_outputs_i", p.countFieldBits, broadcast: true)
    let cfgRows = m.input("cfg_rows_i", p.countFieldBits, broadcast: true)
    let cfgShift = m.input("cfg_shift_i", p.shiftBits, broadcast: true)
    let cfgPsumIn = m.input("cfg_psum_in_en_i")
    let cfgKeepFilters = m.input("cfg_keep_filters_i", broadcast: true)
    m.portGroup("Filter weights, straight into the filter spad")
    let filterValid = m.input("filter_valid_i")
    let filterReady = m.output("filter_ready_o")
    let filterData = m.input("filter_data_i", dw)
    m.portGroup("Ifmap activations")
    let ifmapValidIn = m.input("ifmap_valid_i")
    let ifmapReadyOut = m.output("ifmap_ready_o")
    let ifmapDataIn = m.input("ifmap_data_i", dw, broadcast: true)
    m.portGroup("Psums from the PE below or the psum network")
    let psumInValidIn = m.input("psum_in_valid_i")
    let psumInReadyOut = m.output("psum_in_ready_o")
    let psumInDataIn = m.input("psum_in_data_i", pw)
    m.portGroup("Psums to the PE above or the output network")
    let psumOutValidOut = m.output("psum_out_valid_o")
    let psumOutReadyIn = m.input("psum_out_ready_i")
    let psumOutDataOut = m.output("psum_out_data_o", pw)
    m.portGroup("Activity counters (cleared by cnt_clear_i)")
    let cntClear = m.input("cnt_clear_i", broadcast: true)
    let counterNames = ["macs", "gated", "filter_reads", "filter_writes", "ifmap_reads", "ifmap_writes",
                        "psum_reads", "psum_writes"]
    let counterOutputs = counterNames.map { m.output("cnt_\($0)_o", p.counterBits) }
    m.portGroup("Debug status for watchdog dumps: {state[2:0], psum out full, empty, psum in full, empty, ifmap full, empty}")
    let dbgStatus = m.output("dbg_status_o", PEParams.debugStatusBits)

    // ------------------------------------------------------------------ FIFOs
    m.section("Input and output FIFOs")
    let ifmapValid = m.logic("ifmap_fifo_valid")
    let ifmapData = m.logic("ifmap_fifo_data", dw, signed: false)
    let ifmapPop = m.logic("ifmap_fifo_pop")
    m.fifo(ifmapFifo, "u_ifmap_fifo",
           inputs: ["clk_i": clk, "rst_ni": rst, "in_valid_i": ifmapValidIn,
                    "in_data_i": ifmapDataIn, "out_ready_i": ifmapPop],
           outputs: ["in_ready_o": ifmapReadyOut, "out_valid_o": ifmapValid, "out_data_o": ifmapData],
           checks: .proven)
    let psumInValid = m.logic("psum_in_fifo_valid")
    let psumInData = m.logic("psum_in_fifo_data", pw)
    let psumInPop = m.logic("psum_in_fifo_pop")
    m.fifo(psumFifo, "u_psum_in_fifo",
           inputs: ["clk_i": clk, "rst_ni": rst, "in_valid_i": psumInValidIn,
                    "in_data_i": psumInDataIn, "out_ready_i": psumInPop],
           outputs: ["in_ready_o": psumInReadyOut, "out_valid_o": psumInValid, "out_data_o": psumInData],
           checks: .proven)
    let psumOutReady = m.logic("psum_out_fifo_ready")
    let psumOutPush = m.logic("psum_out_fifo_push")
    let psumOutData = m.logic("psum_out_fifo_data", pw)
    m.fifo(psumFifo, "u_psum_out_fifo",
           inputs: ["clk_i": clk, "rst_ni": rst, "in_valid_i": psumOutPush,
                    "in_data_i": psumOutData, "out_ready_i": psumOutReadyIn],
           outputs: ["in_ready_o": psumOutReady, "out_valid_o": psumOutValidOut, "out_data_o": psumOutDataOut],
           checks: .proven)

    // ------------------------------------------------------------------ scratchpads
    m.section("Scratchpads")
    let filterSpad = m.memory("filter_spad_q", width: dw, depth: p.filterSpadWords, comment: "filter weights, read sequentially")
    let ifmapSpad = m.memory("ifmap_spad_q", width: dw, depth: p.ifmapSpadWords, comment: "circular window of S x q activations")
    let psumSpad = m.memory("psum_spad_q", width: pw, depth: p.psumSpadWords, comment: "one psum per filter")

    // ------------------------------------------------------------------ control
    m.section("Job sequencing")
    let sb = 3
    let stIdle = m.constant("StIdle", 0, width: sb, comment: "waiting for start_i")
    let stLoadFilter = m.constant("StLoadFilter", 1, width: sb, comment: "taking p x q x S filter words")
    let stFill = m.constant("StFill", 2, width: sb, comment: "taking the window's new ifmap columns")
    let stCompute = m.constant("StCompute", 3, width: sb, comment: "issuing p x q x S MACs")
    let stOutput = m.constant("StOutput", 4, width: sb, comment: "the job's last output: waiting for the output stage")
    let state = m.register("state", sb, reset: 0)

    // Sizes of this job, from the configuration (all small products, no address multiplies later).
    let filterWords = m.logic("filter_words", fw)
    let windowWords = m.logic("window_words", iw)
    let stepWords = m.logic("step_words", iw)
    m.assign(filterWords, (cfgP.resized(to: fw) * cfgQ.resized(to: fw) * cfgS.resized(to: fw)))
    m.assign(windowWords, cfgQ.resized(to: iw) * cfgS.resized(to: iw))
    m.assign(stepWords, cfgQ.resized(to: iw) * cfgStep.resized(to: iw))

    let filterAddr = m.register("filter_addr", fw, reset: 0, comment: "filter spad write, then read, address")
    let ifmapWrPtr = m.register("ifmap_wr_ptr", iw, reset: 0, comment: "next ifmap spad slot to fill")
    let ifmapRdPtr = m.register("ifmap_rd_ptr", iw, reset: 0, comment: "ifmap spad slot being used")
    let fillLeft = m.register("fill_left", iw, reset: 0, comment: "ifmap words still to take for this window")
    let filterIdx = m.register("filter_idx", p.filtersFieldBits, reset: 0, comment: "k: filter of the current MAC or psum")
    let pairIdx = m.register("pair_idx", iw, reset: 0, comment: "j = s x q + c of the current MAC")
    let outputIdx = m.register("output_idx", p.countFieldBits, reset: 0, comment: "f: output within the row")
    let rowIdx = m.register("row_idx", p.countFieldBits, reset: 0, comment: "row within the job")
    let outPending = m.register("out_pending", reset: 0, comment: "the output stage has psums of a finished output to send")
    let outWait = m.register("out_wait", 2, reset: 0, comment: "cycles until the output's last MACs are in the psum spad")
    let outIdx = m.register("out_idx", p.filtersFieldBits, reset: 0, comment: "k: the next psum the output stage sends")

    // Pipeline registers: issue -> multiply -> accumulate.
    m.section("MAC pipeline")
    let mulValid = m.register("mul_valid", reset: 0)
    let mulGated = m.register("mul_gated")
    let mulFirst = m.register("mul_first")
    let mulK = m.register("mul_k", p.filtersFieldBits)
    let mulAct = m.register("mul_act", dw, signed: true, comment: "activation, held while gated")
    let mulWeight = m.register("mul_weight", dw, signed: true, comment: "filter spad read data, held while gated")
    let accValid = m.register("acc_valid", reset: 0)
    let accGated = m.register("acc_gated")
    let accFirst = m.register("acc_first")
    let accK = m.register("acc_k", p.filtersFieldBits)
    let accProduct = m.register("acc_product", pw, signed: true, comment: "shifted, saturated product")

    let issue = m.logic("issue", comment: "a MAC enters the pipeline this cycle")
    let lastK = m.logic("last_k")
    let lastPair = m.logic("last_pair")
    let activation = m.logic("activation", dw, signed: true)
    let actIsZero = m.logic("act_is_zero")
    let takeFilter = m.logic("take_filter")
    let takeIfmap = m.logic("take_ifmap")
    let sendPsum = m.logic("send_psum")
    let psumOut = m.logic("psum_spad_out", pw, comment: "psum spad word k being sent")
    let psumAddend = m.logic("psum_addend", pw, comment: "incoming psum, or 0 at the bottom of a column")

    m.assign(idle, state.q.eq(stIdle))
    // A first MAC of an output overwrites psum k: only once the output stage has sent the last
    // output's psum k. An output's last MAC waits for the stage to be free for it.
    let firstPair = m.logic("first_pair")
    m.assign(firstPair, pairIdx.q.eq(0))
    let issueBlocked = m.logic("issue_blocked", comment: "the output stage still needs what this MAC would overwrite")
    m.assign(issueBlocked, outPending.q & ((firstPair & outIdx.q.le(filterIdx.q)) | (lastPair & lastK)))
    m.assign(issue, state.q.eq(stCompute) & ~issueBlocked)
    m.assign(lastK, filterIdx.q.eq(cfgP - 1))
    m.assign(lastPair, pairIdx.q.eq(windowWords - 1))
    m.assign(activation, ifmapSpad[ifmapRdPtr.q.resized(to: p.ifmapAddrBits)].asSigned)
    m.assign(actIsZero, options.has(.gateOnes) ? activation.asUnsigned.isZero | activation.eq(.lit(1, width: dw, signed: true))
                                               : options.has(.noZeroGating) ? .zero : activation.asUnsigned.isZero)
    m.assign(takeFilter, state.q.eq(stLoadFilter) & filterValid)
    m.assign(filterReady, state.q.eq(stLoadFilter))
    m.assign(takeIfmap, state.q.eq(stFill) & ifmapValid)
    m.assign(ifmapPop, takeIfmap)
    m.assign(psumAddend, Expr.mux(cfgPsumIn, psumInData, .lit(0, width: pw)))
    m.assign(sendPsum, outPending.q & outWait.q.isZero & (options.has(.psumOutIgnoresFull) ? .one : psumOutReady)
                           & (~cfgPsumIn | psumInValid))
    m.assign(psumInPop, sendPsum & cfgPsumIn)
    m.assign(psumOutPush, sendPsum)
    m.assign(psumOut, psumSpad[outIdx.q.resized(to: p.psumAddrBits)])
    m.assign(psumOutData, psumOut + psumAddend)

    let wrapIfmap = { (ptr: Expr) in Expr.mux(ptr.eq(windowWords - 1), .lit(0, like: ptr), ptr + 1) }
    let lastOutput = outputIdx.q.eq(cfgOutputs - 1)
    let lastRow = rowIdx.q.eq(cfgRows - 1)
    // The filters are in the spad: take the first window's ifmap columns next.
    let enterFill = { (b: StmtBuilder) in
        b.set(state.d, stFill)
        b.set(fillLeft.d, windowWords)
        b.set(outputIdx.d, .lit(0, width: p.countFieldBits))
    }
    let lastOut = m.logic("last_out", comment: "the output stage sends its last psum")
    m.assign(lastOut, sendPsum & outIdx.q.eq(cfgP - 1))
    let outputDone = m.logic("output_done", comment: "the compute finishes an output: hand it to the output stage")
    m.assign(outputDone, issue & lastK & lastPair)
    m.comb("Output stage: after the pipeline drains, send psums k = 0 ..< p") { b in
        b.set(outPending.d, outPending.q)
        b.set(outWait.d, Expr.mux(outWait.q.isZero, outWait.q, outWait.q - 1))
        b.set(outIdx.d, outIdx.q)
        b.when(sendPsum) { b in
            b.set(outIdx.d, outIdx.q + 1)
            b.when(lastOut) { b in b.set(outPending.d, .zero) }
        }
        b.when(outputDone) { b in
            b.set(outPending.d, .one)
            b.set(outWait.d, .lit(2, width: 2))
            b.set(outIdx.d, .lit(0, width: p.filtersFieldBits))
        }
    }
    m.comb("Sequencer: counters advance as words are taken, MACs issued and psums handed on") { b in
        for r in [state, filterAddr, ifmapWrPtr, ifmapRdPtr, fillLeft, filterIdx, pairIdx, outputIdx, rowIdx] {
            b.set(r.d, r.q)
        }
        b.switchOn(state.q, arms: [
            ([stIdle], { b in
                b.when(start) { b in
                    b.set(filterAddr.d, .lit(0, width: fw))
                    b.set(rowIdx.d, .lit(0, width: p.countFieldBits))
                    // The window size may differ from the last job's: restart the circular buffer.
                    b.set(ifmapWrPtr.d, .lit(0, width: iw))
                    b.when(cfgKeepFilters) { b in enterFill(b) } otherwise: { b in b.set(state.d, stLoadFilter) }
                }
            }),
            ([stLoadFilter], { b in
                b.when(takeFilter) { b in
                    b.set(filterAddr.d, filterAddr.q + 1)
                    b.when(filterAddr.q.eq(filterWords - 1)) { b in enterFill(b) }
                }
            }),
            ([stFill], { b in
                b.when(takeIfmap) { b in
                    b.set(ifmapWrPtr.d, wrapIfmap(ifmapWrPtr.q))
                    b.set(fillLeft.d, fillLeft.q - 1)
                    b.when(fillLeft.q.eq(1)) { b in
                        // The window now starts at the oldest column, which is where the
                        // write pointer points after this word.
                        b.set(state.d, stCompute)
                        b.set(ifmapRdPtr.d, wrapIfmap(ifmapWrPtr.q))
                        b.set(filterAddr.d, .lit(0, width: fw))
                        b.set(filterIdx.d, .lit(0, width: p.filtersFieldBits))
                        b.set(pairIdx.d, .lit(0, width: iw))
                    }
                }
            }),
            ([stCompute], { b in
                b.when(issue) { b in
                    b.set(filterAddr.d, filterAddr.q + 1)
                    b.when(lastK) { b in
                        b.set(filterIdx.d, .lit(0, width: p.filtersFieldBits))
                        b.set(pairIdx.d, pairIdx.q + 1)
                        if !options.has(.ifmapAddressStuck) { b.set(ifmapRdPtr.d, wrapIfmap(ifmapRdPtr.q)) }
                        b.when(lastPair) { b in
                            // The output stage sends this output's psums; take the next window.
                            b.set(outputIdx.d, outputIdx.q + 1)
                            b.set(state.d, stFill)
                            b.set(fillLeft.d, stepWords)
                            b.when(lastOutput) { b in
                                b.set(outputIdx.d, .lit(0, width: p.countFieldBits))
                                b.set(rowIdx.d, rowIdx.q + 1)
                                b.set(fillLeft.d, windowWords)
                                b.when(lastRow) { b in b.set(state.d, stOutput) }
                            }
                        }
                    } otherwise: {  b in
                        b.set(filterIdx.d, filterIdx.q + 1)
                    }
                }
            }),
            ([stOutput], { b in
                b.when(~outPending.q) { b in b.set(state.d, stIdle) }
            }),
        ], default: { b in b.set(state.d, stIdle) })
    }

    // ------------------------------------------------------------------ datapath
    m.section("Multiply, shift, saturate, accumulate")
    m.memoryWrite(filterSpad, enable: takeFilter, index: filterAddr.q.resized(to: p.filterAddrBits), data: filterData)
    m.memoryWrite(ifmapSpad, enable: takeIfmap, index: ifmapWrPtr.q.resized(to: p.ifmapAddrBits), data: ifmapData)

    let readWeight = m.logic("read_weight", comment: "filter spad read enable: off for zero activations")
    m.assign(readWeight, issue & ~actIsZero)
    let weightAddr = m.logic("weight_addr", p.filterAddrBits)
    let addr = filterAddr.q.resized(to: p.filterAddrBits)
    m.assign(weightAddr, options.has(.filterAddressOffByOne) ? addr + 1 : addr)
    m.comb("Issue stage: the filter spad is read only for non-zero activations") { b in
        b.set(mulValid.d, issue)
        b.set(mulGated.d, actIsZero)
        b.set(mulFirst.d, pairIdx.q.eq(0))
        b.set(mulK.d, filterIdx.q)
        b.set(mulAct.d, mulAct.q)
        b.set(mulWeight.d, mulWeight.q)
        b.when(readWeight) { b in
            b.set(mulAct.d, activation)
            b.set(mulWeight.d, filterSpad[weightAddr].asSigned)
        }
    }

    let fullBits = 2 * dw
    let fullProduct = m.logic("full_product", fullBits, signed: true)
    let shifted = m.logic("shifted_product", fullBits, signed: true)
    let saturated = m.logic("saturated_product", pw, signed: true)
    m.assign(fullProduct, mulWeight.q.signExtended(to: fullBits) * mulAct.q.signExtended(to: fullBits))
    m.assign(shifted, fullProduct.shiftedRightArithmetic(by: cfgShift))
    if pw == fullBits {
        m.assign(saturated, shifted)
    } else {
        // In range when the bits above the kept window all equal its sign bit.
        let upper = shifted.bits(fullBits - 1, pw - 1)
        let inRange = m.logic("product_in_range")
        m.assign(inRange, upper.isZero | (~upper).isZero)
        let maxP = Expr.lit((1 << (pw - 1)) - 1, width: pw, signed: true)
        let minP = Expr.lit(-(1 << (pw - 1)), width: pw, signed: true)
        m.assign(saturated, Expr.mux(inRange, shifted.truncated(to: pw),
                                     Expr.mux(shifted.bit(fullBits - 1), minP, maxP)))
    }
    m.comb("Multiply stage: the product register holds still for gated MACs") { b in
        b.set(accValid.d, mulValid.q)
        b.set(accGated.d, mulGated.q)
        b.set(accFirst.d, mulFirst.q)
        b.set(accK.d, mulK.q)
        b.set(accProduct.d, Expr.mux(mulValid.q & ~mulGated.q, saturated, accProduct.q))
    }

    let accAddr = accK.q.resized(to: p.psumAddrBits)
    let psumWrite = m.logic("psum_write", comment: "a MAC result, or the 0 that starts a gated first MAC")
    let psumNext = m.logic("psum_next", pw)
    let accRead = m.logic("acc_read", comment: "the accumulate stage reads the old psum")
    m.assign(psumWrite, accValid.q & (~accGated.q | accFirst.q))
    m.assign(accRead, accValid.q & ~accGated.q & ~accFirst.q)
    m.assign(psumNext, Expr.mux(accGated.q, .lit(0, width: pw),
                                Expr.mux(accFirst.q, accProduct.q.asUnsigned, psumSpad[accAddr] + accProduct.q.asUnsigned)))
    let macResult = options.has(.macAddsOne) ? m.logic("faulty_psum_next", pw) : psumNext
    if options.has(.macAddsOne) { m.assign(macResult, psumNext + 1) }
    m.memoryWrite(psumSpad, enable: psumWrite, index: accAddr, data: macResult)

    // ------------------------------------------------------------------ counters
    m.section("Activity counters")
    // Each counter adds its events of the cycle; only the psum spad can be read twice in one
    // cycle (an accumulation and the output stage).
    let events: [[Expr]] = [
        [accValid.q & ~accGated.q],                 // macs
        [accValid.q & accGated.q],                  // gated
        [readWeight],                               // filter_reads
        [takeFilter],                               // filter_writes
        [issue & filterIdx.q.eq(0)],                // ifmap_reads: latched once per (s, c) pair
        [takeIfmap],                                // ifmap_writes
        [accRead, sendPsum],                        // psum_reads
        [psumWrite],                                // psum_writes
    ]
    let cw = p.counterBits
    for (i, name) in counterNames.enumerated() {
        let c = m.register("cnt_\(name)", cw, reset: 0)
        let any = events[i].dropFirst().reduce(events[i][0]) { $0 | $1 }
        let step = events[i].count == 1 ? Expr.lit(1, width: cw)
            : events[i].map { $0.zeroExtended(to: cw) }.reduce(Expr.lit(0, width: cw)) { $0 + $1 }
        m.comb { b in
            b.set(c.d, c.q)
            b.when(cntClear) { b in b.set(c.d, .lit(0, width: cw)) }
                otherwise: { b in b.when(any) { b in b.set(c.d, c.q + step) } }
        }
        m.assign(counterOutputs[i], c.q)
    }
    // No per-cycle wrap check here: in 168 PEs, 8 counter checks a cycle each cost more
    // simulation time than the rest of the array's checks. Each counter adds at most
    // `PEParams.maxCounterStep` a cycle from its clear at the program's start, so none can
    // wrap within `PEParams.wrapFreeCycles` cycles; the shims stop a run that reaches it.

    // ------------------------------------------------------------------ debug and checks
    m.assign(dbgStatus, Expr.concat([state.q, ~psumOutReady, ~psumOutValidOut, ~psumInReadyOut, ~psumInValid,
                                     ~ifmapReadyOut, ~ifmapValid]))
    // Valid/ready on the psum input (the array's networks are checked at the top, where their
    // deliver-only-when-ready rule is known).
    m.assertion("psum_in_fifo_no_overflow",
                !Expr.past(psumInValidIn & ~psumInReadyOut) | (psumInValidIn & psumInDataIn.eq(Expr.past(psumInDataIn))),
                message: "psum-in FIFO overflow: a psum refused while the FIFO was full was withdrawn or changed (the word is lost)")
    // What the sequencer takes and gives.
    m.assertion("ifmap_fifo_no_underflow", !(ifmapPop & ~ifmapValid),
                message: "ifmap FIFO underflow: the PE took an activation from an empty FIFO")
    m.assertion("psum_in_fifo_no_underflow", !(psumInPop & ~psumInValid),
                message: "psum-in FIFO underflow: the PE took a psum from an empty FIFO")
    m.assertion("psum_out_fifo_no_overflow", !(psumOutPush & ~psumOutReady),
                message: "psum-out FIFO overflow: the PE sent a psum while the FIFO was full")
    // The job checks (`peJobChecks`) are made once, by eyeriss_top, on the configuration it
    // broadcasts: here they were evaluated by every PE in every cycle.
    return try m.build()
}

/// What every job must satisfy, as (label, condition that holds, message): it fits the
/// scratchpads and counts at least once per loop (or the PE's loop counters would wrap). The PEs
/// share one configuration, so eyeriss_top asserts these once, on that configuration, whenever a
/// PE starts a job; under the PE shim, `PEJob.validate` checks the same on the host.
public func peJobChecks(_ p: PEParams, filterWidth cfgS: Expr, channels cfgQ: Expr, filters cfgP: Expr,
                        step cfgStep: Expr, outputs cfgOutputs: Expr, rows cfgRows: Expr)
    -> [(name: String, condition: Expr, message: String)] {
    let wide = max(p.filtersFieldBits + 2 * p.windowFieldBits, bitsToHold(p.filterSpadWords)) + 1
    let need = cfgP.resized(to: wide) * cfgQ.resized(to: wide) * cfgS.resized(to: wide)
    let window = cfgQ.resized(to: wide) * cfgS.resized(to: wide)
    var checks: [(name: String, condition: Expr, message: String)] = [
        ("job_fits_filter_spad", need.le(.lit(p.filterSpadWords, width: wide)),
         "filter spad overflow: a job of p x q x S weights exceeds the filter spad"),
        ("job_fits_ifmap_spad", window.le(.lit(p.ifmapSpadWords, width: wide)),
         "ifmap spad overflow: a job's q x S window exceeds the ifmap spad"),
    ]
    // Only where the p field can exceed the spad: a check that cannot fail is a lint warning.
    if (1 << p.filtersFieldBits) - 1 > p.psumSpadWords {
        checks.append(("job_fits_psum_spad", cfgP.resized(to: wide).le(.lit(p.psumSpadWords, width: wide)),
                       "psum spad overflow: a job's p filters exceed the psum spad"))
    }
    checks.append(("job_counts_nonzero",
                   cfgP.anySet & cfgQ.anySet & cfgS.anySet & cfgStep.anySet & cfgOutputs.anySet & cfgRows.anySet,
                   "a job with a zero p, q, S, step, output or row count: its loop counters would wrap"))
    return checks
}
