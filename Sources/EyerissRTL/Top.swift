import EyerissConfig
import HDL

/// `eyeriss_top`: the whole accelerator. The PE array with its vertical psum links, the three
/// global input networks (filters, ifmaps, psums), the global output network, the global
/// buffer and the controller, with the DRAM port and the configuration interface outside.
///
/// Wiring per pass (docs/architecture.md): PE (ρ, c) takes psums from PE (ρ-1, c), except row 0,
/// which takes them from the psum GIN; the top row of each chain (`row_top`) sends to the GON.
/// Inactive PEs are never started and never match a network tag, so they do not toggle and
/// count nothing.
public func makeTop(_ p: TopParams, header: RTLHeader, pe: Module, options: GeneratorOptions = GeneratorOptions(),
                    design: inout Design) throws -> Module {
    let glb = try makeGlobalBuffer(p, header: header)
    let ctrl = try makeController(p, header: header)
    let filterGIN = try makeFilterGIN(p, header: header, options: options)
    // The psum GIN carries a line of psums for one column and how many it holds.
    let psumGIN = try makeGIN(rowTagBits: p.rowTagBits, columnTagBits: p.columnTagBits, dataBits: p.lineBits + p.laneBits + 1,
                              rows: p.rows, columns: p.columns, header: header, options: options)
    let ifmapGIN = try makeGIN(rowTagBits: p.rowTagBits, columnTagBits: p.ifmapColumnTagBits, dataBits: p.dataBits,
                               rows: p.rows, columns: p.columns, header: header, options: options)
    let filterFeeder = try makeFilterFeeder(p, header: header)
    let ifmapFeeder = try makeIfmapFeeder(p, header: header)
    let psumFeeder = try makePsumFeeder(p, header: header)
    let psumLines = try makeFIFO(width: p.lineBits + p.laneBits + 1, depth: p.psumUnpackerLines, header: header)
    let psumUnpacker = try makePsumUnpacker(p, lineFIFO: psumLines, header: header)
    let gon = try makeOutputNetwork(p, header: header)
    let rlc = p.rlc
    let rlcTags = try makeFIFO(width: max(1, bitsToHold(p.rlcRowsInFlight - 1)), depth: p.rlcRowsInFlight, header: header)
    let rlcLoader = try makeRLCLoader(p, rlc, tagFIFO: rlcTags, header: header)
    let rlcCoder = try makeRLCCoder(p, rlc, header: header)
    let rlcEncoder = try makeRLCEncoder(p, rlc, coder: rlcCoder, header: header)
    for module in [glb, ctrl, filterGIN, ifmapGIN, psumGIN, filterFeeder, ifmapFeeder, psumFeeder, psumLines, psumUnpacker, gon, rlcTags,
                   rlcLoader, rlcCoder, rlcEncoder] {
        try design.add(module)
    }

    let m = ModuleBuilder("eyeriss_top", header: header.lines(
        purpose: "Eyeriss accelerator: PE array, multicast NoC, global buffer, controller, DRAM port.",
        parameters: [
            "PE array: \(p.rows) x \(p.columns) (JSSC 2017: 12 x 14)",
            "global buffer: \(p.fmapBanks) x \(p.bankWords) x \(p.lineBits) b + filter buffer \(p.filterLines) x \(p.lineBits) b",
            "DRAM: \(p.lineBits)-bit lines, valid/ready, in-order read responses",
        ] + options.headerNote))
    let rows = p.rows, cols = p.columns, n = p.peCount, dw = p.dataBits, cb = p.countBits
    m.portGroup("Clock and synchronous active-low reset")
    let clk = m.input("clk_i")
    let rst = m.input("rst_ni")
    m.portGroup("Configuration interface; progress_o pulses with every transfer (for watchdogs); rlc_error_o: a coded ifmap row was malformed (sticky until the next start)")
    let cfgValid = m.input("cfg_valid_i")
    let cfgAddr = m.input("cfg_addr_i", 8)
    let cfgData = m.input("cfg_data_i", 32)
    let busy = m.output("busy_o")
    let done = m.output("done_o")
    let stateOut = m.output("state_o", 4)
    let passesOut = m.output("passes_o", 32)
    let progress = m.output("progress_o")
    let rlcError = m.output("rlc_error_o")
    m.portGroup("DRAM port")
    let rqValid = m.output("dram_rd_req_valid_o")
    let rqReady = m.input("dram_rd_req_ready_i")
    let rqAddr = m.output("dram_rd_req_addr_o", p.dramAddrBits)
    let rsValid = m.input("dram_rd_resp_valid_i")
    let rsReady = m.output("dram_rd_resp_ready_o")
    let rsData = m.input("dram_rd_resp_data_i", p.lineBits)
    let wrValid = m.output("dram_wr_valid_o")
    let wrReady = m.input("dram_wr_ready_i")
    let wrAddr = m.output("dram_wr_addr_o", p.dramAddrBits)
    let wrData = m.output("dram_wr_data_o", p.lineBits)
    m.portGroup("Readout, driven only while dbg_en_i is set (zero otherwise: the wide readout muxes stay still)")
    let dbgEn = m.input("dbg_en_i")
    m.portGroup("Activity counters: PE dbg_pe_sel_i, counter dbg_cnt_sel_i (0 MACs .. 7 psum writes)")
    let dbgPE = m.input("dbg_pe_sel_i", p.peIndexBits)
    let dbgCnt = m.input("dbg_cnt_sel_i", p.counterSelectBits)
    let dbgOut = m.output("dbg_cnt_o", p.pe.counterBits)
    let cyclesOut = m.output("cycles_o", p.cycleBits)
    m.portGroup("Performance counters (eyeriss_perf_counters): counter perf_sel_i on perf_cnt_o")
    let perfSel = m.input("perf_sel_i", PerfCounter.selectBits)
    let perfOut = m.output("perf_cnt_o", p.cycleBits)
    m.portGroup("Debug: every PE's dbg_status_o (state, FIFOs full and empty), PE i at bits [9i+8:9i], for watchdog dumps")
    let dbgPEStatus = m.output("dbg_pe_status_o", n * PEParams.debugStatusBits)

    // ------------------------------------------------------------------ controller
    m.section("Controller")
    func sig(_ name: String, _ width: Int = 1, signed: Bool = false, comment: String? = nil) -> Expr {
        m.logic(name, width, signed: signed, comment: comment)
    }
    let glbIfWrEn = sig("glb_if_wr_en"), glbFWrEn = sig("glb_f_wr_en")
    let glbWrLine = sig("glb_wr_line", max(p.glbLineBits, p.filterLineBits)), glbWrData = sig("glb_wr_data", p.lineBits)
    let glbPsRdData = sig("glb_ps_rd_data", p.lineBits)
    let runStart = sig("run_start"), accumulate = sig("accumulate"), chainRows = sig("chain_rows", cb)
    let keepFilters = sig("keep_filters")
    let feedersBusy = sig("feeders_busy"), pesIdle = sig("pes_idle"), gonWords = sig("gon_words", 32)
    let ffBusy = sig("ff_busy")
    let rowG = sig("row_g", rows * p.rowTagBits), rowI = sig("row_i", rows * p.ifmapColumnTagBits)
    let rowActive = sig("row_active", rows), rowTop = sig("row_top", rows)
    let colTG = sig("col_tg", cols * cb), colJ = sig("col_j", cols * cb)
    let colJStride = sig("col_jstride", cols * p.ifmapColumnTagBits), colActive = sig("col_active", cols)
    var field: [DescriptorField: Expr] = [:]
    for f in ControllerFields.exported { field[f] = sig("pass_\(f.name)", f.width(p), signed: f == .yStart) }
    let ctrlRqValid = sig("ctrl_rd_req_valid"), ctrlRqAddr = sig("ctrl_rd_req_addr", p.dramAddrBits)
    let ctrlRsReady = sig("ctrl_rd_resp_ready")
    let rlcLoadStart = sig("rlc_load_start"), rlcLoadBusy = sig("rlc_load_busy")
    let rlcStoreStart = sig("rlc_store_start"), rlcStoreBusy = sig("rlc_store_busy"), relu = sig("relu")
    let storeCoded = sig("store_coded")
    var ctrlOutputs: [String: Expr] = [
        "busy_o": busy, "done_o": done, "state_o": stateOut, "passes_o": passesOut,
        "dram_rd_req_valid_o": ctrlRqValid, "dram_rd_req_addr_o": ctrlRqAddr, "dram_rd_resp_ready_o": ctrlRsReady,
        "rlc_load_start_o": rlcLoadStart, "rlc_store_start_o": rlcStoreStart, "relu_o": relu, "store_coded_o": storeCoded,
        "glb_if_wr_en_o": glbIfWrEn, "glb_f_wr_en_o": glbFWrEn, "glb_wr_line_o": glbWrLine, "glb_wr_data_o": glbWrData,
        "run_start_o": runStart, "accumulate_o": accumulate, "keep_filters_o": keepFilters, "chain_rows_o": chainRows,
        "row_g_o": rowG, "row_i_o": rowI, "row_active_o": rowActive, "row_top_o": rowTop,
        "col_tg_o": colTG, "col_j_o": colJ, "col_jstride_o": colJStride, "col_active_o": colActive,
    ]
    for f in ControllerFields.exported { ctrlOutputs["pass_\(f.name)_o"] = field[f]! }
    var load: [DescriptorField: Expr] = [:]
    for f in ControllerFields.loadView {
        load[f] = sig("load_\(f.name)", f.width(p), comment: f == .q ? "the ifmap tile being loaded: this pass's, or the next's" : nil)
        ctrlOutputs["load_\(f.name)_o"] = load[f]!
    }
    let encRdEn = sig("enc_rd_en"), encRdLine = sig("enc_rd_line", p.glbLineBits), encRdBase = sig("enc_rd_base", p.glbLineBits)
    let storeSharesBank = sig("store_shares_bank", comment: "the running pass's psum tile shares a bank with the tile being stored")
    let encRdData = sig("enc_rd_data", p.lineBits)
    let ifmapLoading = sig("ifmap_loading")
    ctrlOutputs["ifmap_loading_o"] = ifmapLoading
    let storeByRowChunk = sig("store_by_row_chunk")
    ctrlOutputs["store_by_row_chunk_o"] = storeByRowChunk
    let storePool = sig("store_pool", 2)
    ctrlOutputs["store_pool_o"] = storePool
    m.instance(ctrl, "u_controller",
               inputs: ["clk_i": clk, "rst_ni": rst, "cfg_valid_i": cfgValid, "cfg_addr_i": cfgAddr, "cfg_data_i": cfgData,
                        "dram_rd_req_ready_i": rqReady, "dram_rd_resp_valid_i": rsValid, "dram_rd_resp_data_i": rsData,
                        "feeders_busy_i": feedersBusy,
                        "filter_feeder_busy_i": ffBusy, "pes_idle_i": pesIdle, "gon_words_i": gonWords,
                        "rlc_load_busy_i": rlcLoadBusy, "rlc_store_busy_i": rlcStoreBusy, "store_shares_bank_i": storeSharesBank],
               outputs: ctrlOutputs)

    // ------------------------------------------------------------------ run-length codec
    m.section("Run-length codec between DRAM and the global buffer")
    let programStart = sig("program_start", comment: "the start command: counters restart with each program")
    m.assign(programStart, cfgValid & cfgAddr.eq(1) & cfgData.eq(1))
    // The PEs clear their counters a cycle later, from a register: no PE logic then depends
    // combinationally on a top-level input, which Verilator would re-evaluate in every PE on
    // every input change (the clock's too). Nothing reaches a PE that soon after the start.
    let peCounterClear = m.register("pe_cnt_clear", 1, reset: 0, comment: "the start command, a cycle later, for the PEs")
    m.assign(peCounterClear.d, programStart)
    let ldRqValid = sig("ld_rd_req_valid"), ldRqAddr = sig("ld_rd_req_addr", p.dramAddrBits), ldRsReady = sig("ld_rd_resp_ready")
    let ldWrEn = sig("ld_wr_en"), ldWrLine = sig("ld_wr_line", p.glbLineBits), ldWrData = sig("ld_wr_data", p.lineBits)
    let ldWrMask = sig("ld_wr_mask", p.lanes)
    // Each channel of the tile is ifmap_tile_codes codes of ifmap_code_rows rows, the last
    // shorter (a code per row: 1 row, nRows codes).
    let codesPerChannel = load[.ifmapTileCodes]!, codeRows = load[.ifmapCodeRows]!
    let lastCodeRows = sig("rlc_last_code_rows", cb, comment: "rows of a channel's last code: nRows - codeRows x (codes - 1)")
    m.assign(lastCodeRows, load[.nRows]! - (codeRows * (codesPerChannel - .lit(1, width: cb))).resized(to: cb))
    let codeLines = sig("rlc_code_lines", cb, comment: "buffer lines of a code: wl x its rows")
    m.assign(codeLines, (codeRows * load[.wl]!).resized(to: cb))
    let lastCodeLines = sig("rlc_last_code_lines", cb, comment: "buffer lines of a channel's last code")
    m.assign(lastCodeLines, (lastCodeRows * load[.wl]!).resized(to: cb))
    let tileRows = sig("rlc_tile_rows", 32, comment: "q x r x codes per channel: the codes of the tile")
    m.assign(tileRows, load[.q]!.zeroExtended(to: 32) * load[.r]!.zeroExtended(to: 32) * codesPerChannel.zeroExtended(to: 32))
    m.instance(rlcLoader, "u_rlc_loader",
               inputs: ["clk_i": clk, "rst_ni": rst, "start_i": rlcLoadStart, "clear_i": programStart,
                        "cfg_rows_i": tileRows, "cfg_nrows_i": codesPerChannel, "cfg_code_rows_i": codeRows,
                        "cfg_last_code_rows_i": lastCodeRows, "cfg_code_lines_i": codeLines,
                        "cfg_last_code_lines_i": lastCodeLines, "cfg_addr_i": load[.ifmapAddress]!,
                        "cfg_channel_lines_i": load[.ifmapChannelLines]!, "cfg_row_lines_i": load[.ifmapRowLines]!,
                        "cfg_w_i": load[.w]!, "cfg_wl_i": load[.wl]!,
                        "rd_req_ready_i": rqReady, "rd_resp_valid_i": rsValid, "rd_resp_data_i": rsData],
               outputs: ["busy_o": rlcLoadBusy, "error_o": rlcError, "rd_req_valid_o": ldRqValid, "rd_req_addr_o": ldRqAddr,
                         "rd_resp_ready_o": ldRsReady, "wr_en_o": ldWrEn, "wr_line_o": ldWrLine, "wr_data_o": ldWrData,
                         "wr_mask_o": ldWrMask])
    let encWrValid = sig("enc_wr_valid"), encWrAddr = sig("enc_wr_addr", p.dramAddrBits), encWrData = sig("enc_wr_data", p.lineBits)
    // A row of the psum tile: one column's p x F psums (f, then k), lanes to a line.
    let tileRowWords = sig("psum_tile_row_words", cb, comment: "p x F psums in a row of a filter group")
    m.assign(tileRowWords, field[.p]! * field[.f]!)
    let rowWordsRoundedUp = sig("psum_tile_row_words_up", cb, comment: "p x F + lanes - 1")
    m.assign(rowWordsRoundedUp, tileRowWords + .lit(p.lanes - 1, width: cb))
    let tileRowLines = sig("psum_tile_row_lines", cb, comment: "ceil(p x F / lanes): tile lines of such a row")
    m.assign(tileRowLines, rowWordsRoundedUp.bits(cb - 1, p.laneBits).resized(to: cb))
    m.markUnused("psum_tile_row_words_up_low", [rowWordsRoundedUp.bits(p.laneBits - 1, 0)])
    m.instance(rlcEncoder, "u_rlc_encoder",
               inputs: ["clk_i": clk, "rst_ni": rst, "start_i": rlcStoreStart, "cfg_p_i": field[.p]!, "cfg_tile_row_lines_i": tileRowLines,
                        "cfg_t_i": field[.t]!, "cfg_coded_i": storeCoded, "cfg_by_row_chunk_i": storeByRowChunk, "cfg_pool_i": storePool,
                        "cfg_epass_i": field[.epass]!, "cfg_f_i": field[.f]!, "cfg_relu_i": relu,
                        "cfg_addr_i": field[.ofmapAddress]!, "cfg_plane_lines_i": field[.ofmapPlaneLines]!,
                        "cfg_row_lines_i": field[.ofmapRowLines]!, "cfg_psum_line_i": field[.psumLine]!,
                        "ps_rd_data_i": encRdData, "wr_ready_i": wrReady],
               outputs: ["busy_o": rlcStoreBusy, "ps_rd_en_o": encRdEn, "ps_rd_line_o": encRdLine, "ps_rd_base_o": encRdBase,
                         "shares_bank_o": storeSharesBank,
                         "wr_valid_o": encWrValid, "wr_addr_o": encWrAddr, "wr_data_o": encWrData])
    // The controller and the loader never use the DRAM read port at the same time; only the
    // store engine writes.
    m.assign(rqValid, ctrlRqValid | ldRqValid)
    m.assign(rqAddr, Expr.mux(ldRqValid, ldRqAddr, ctrlRqAddr))
    m.assign(rsReady, ctrlRsReady | ldRsReady)
    m.assign(wrValid, encWrValid)
    m.assign(wrAddr, encWrAddr)
    m.assign(wrData, encWrData)

    // ------------------------------------------------------------------ global buffer and feeders
    m.section("Global buffer and feeders")
    let ifRdEn = sig("if_rd_en"), ifRdWord = sig("if_rd_word", p.glbWordBits), ifRdData = sig("if_rd_data", dw)
    let ifRdWordInRegion = sig("if_rd_word_in_region", p.glbWordBits, comment: "the feeder's tile word, from the tile's base")
    m.assign(ifRdWordInRegion, ifRdWord + Expr.concat([field[.ifmapBase]!, .lit(0, width: p.laneBits)]))
    let psWrEn = sig("ps_wr_en"), psWrLine = sig("ps_wr_line", p.glbLineBits), psWrData = sig("ps_wr_data", p.lineBits)
    let psWrMask = sig("ps_wr_mask", p.lanes)
    let psRdEnFeeder = sig("ps_rd_en_feeder"), psRdLineFeeder = sig("ps_rd_line_feeder", p.glbLineBits)
    let fRdEn = sig("f_rd_en"), fRdLine = sig("f_rd_line", p.filterLineBits), fRdData = sig("f_rd_data", p.lineBits)
    let psRdEn = sig("ps_rd_en"), psRdLine = sig("ps_rd_line", p.glbLineBits)
    m.assign(psRdEn, psRdEnFeeder)
    m.assign(psRdLine, psRdLineFeeder)
    let ifWrEn = sig("if_wr_en"), ifWrLine = sig("if_wr_line", p.glbLineBits), ifWrData = sig("if_wr_data", p.lineBits)
    let ifWrMask = sig("if_wr_mask", p.lanes)
    m.assign(ifWrEn, glbIfWrEn | ldWrEn)
    // The controller's lines already count from the tile's base; the loader's from 0.
    m.assign(ifWrLine, Expr.mux(ldWrEn, ldWrLine + load[.ifmapBase]!, glbWrLine.resized(to: p.glbLineBits)))
    m.assign(ifWrData, Expr.mux(ldWrEn, ldWrData, glbWrData))
    m.assign(ifWrMask, Expr.mux(ldWrEn, ldWrMask, .lit((1 << p.lanes) - 1, width: p.lanes)))
    m.instance(glb, "u_glb",
               inputs: ["clk_i": clk, "rst_ni": rst, "cfg_psum_line_i": field[.psumLine]!,
                        "if_wr_en_i": ifWrEn, "if_wr_line_i": ifWrLine, "if_wr_data_i": ifWrData, "if_wr_mask_i": ifWrMask,
                        "if_rd_en_i": ifRdEn, "if_rd_word_i": ifRdWordInRegion,
                        "ps_wr_en_i": psWrEn, "ps_wr_line_i": psWrLine, "ps_wr_data_i": psWrData, "ps_wr_mask_i": psWrMask,
                        "ps_rd_en_i": psRdEn, "ps_rd_line_i": psRdLine,
                        "f_wr_en_i": glbFWrEn, "f_wr_line_i": glbWrLine.resized(to: p.filterLineBits), "f_wr_data_i": glbWrData,
                        "f_rd_en_i": fRdEn, "f_rd_line_i": fRdLine,
                        // The store engine reads the tile it stores through a port of its own.
                        "st_rd_en_i": encRdEn, "st_rd_base_i": encRdBase, "st_rd_line_i": encRdLine],
               outputs: ["if_rd_data_o": ifRdData, "ps_rd_data_o": glbPsRdData, "st_rd_data_o": encRdData,
                         "f_rd_data_o": fRdData])


    // Filter feeder
    let ffValid = sig("ff_valid"), ffReady = sig("ff_ready"), ffData = sig("ff_data", p.lineBits)
    let ffRow = sig("ff_row_base", p.rowIndexBits), ffCount = sig("ff_count", p.laneBits + 1)
    let ffCol = sig("ff_col_tag", p.columnTagBits)
    let wordsPerPE = sig("words_per_pe", cb)
    m.assign(wordsPerPE, field[.p]! * field[.q]! * field[.s]!)
    m.instance(filterFeeder, "u_filter_feeder",
               inputs: ["clk_i": clk, "rst_ni": rst, "start_i": runStart & ~keepFilters, "out_ready_i": ffReady,
                        "cfg_words_per_pe_i": wordsPerPE, "cfg_chain_rows_i": chainRows, "cfg_groups_i": field[.t]!,
                        "f_rd_data_i": fRdData],
               outputs: ["busy_o": ffBusy, "out_valid_o": ffValid, "out_data_o": ffData, "out_row_tag_o": ffRow,
                         "out_count_o": ffCount, "out_col_tag_o": ffCol, "f_rd_en_o": fRdEn, "f_rd_line_o": fRdLine])
    // Ifmap feeder
    let ifValid = sig("if_valid"), ifReady = sig("if_ready"), ifData = sig("if_data", dw)
    let ifRow = sig("if_row_tag", p.rowTagBits), ifCol = sig("if_col_tag", p.ifmapColumnTagBits), ifBusy = sig("if_busy")
    var ifInputs: [String: Expr] = ["clk_i": clk, "rst_ni": rst, "start_i": runStart, "out_ready_i": ifReady,
                                    "if_rd_data_i": ifRdData]
    let ifFields: [(String, DescriptorField)] = [("s", .s), ("step", .step), ("stride", .stride), ("f", .f), ("q", .q),
                                                 ("r", .r), ("e", .e), ("job_rows", .jobRows), ("ycount", .yCount),
                                                 ("pad", .pad), ("w", .w), ("h", .h), ("ystart", .yStart), ("ylo", .yLo),
                                                 ("nrows", .nRows), ("wl", .wl), ("row_phase", .ifmapRowPhase)]
    for (port, f) in ifFields { ifInputs["cfg_\(port)_i"] = field[f]! }
    m.instance(ifmapFeeder, "u_ifmap_feeder", inputs: ifInputs,
               outputs: ["busy_o": ifBusy, "out_valid_o": ifValid, "out_data_o": ifData, "out_row_tag_o": ifRow,
                         "out_col_tag_o": ifCol, "if_rd_en_o": ifRdEn, "if_rd_word_o": ifRdWord])
    // Psum feeder: only passes that accumulate onto earlier psums start it.
    let pfValid = sig("pf_valid"), pfReady = sig("pf_ready"), pfData = sig("pf_data", p.lineBits)
    let pfCount = sig("pf_count", p.laneBits + 1, comment: "psums in the psum feeder's line")
    let pfRow = sig("pf_row_tag", p.rowTagBits), pfCol = sig("pf_col_tag", p.columnTagBits), pfBusy = sig("pf_busy")
    var pfInputs: [String: Expr] = ["clk_i": clk, "rst_ni": rst, "start_i": runStart & accumulate, "out_ready_i": pfReady,
                                    "ps_rd_data_i": glbPsRdData]
    for (port, f) in [("e", DescriptorField.e), ("t", .t), ("pitch", .pitch), ("job_rows", .jobRows)] { pfInputs["cfg_\(port)_i"] = field[f]! }
    pfInputs["cfg_tile_row_words_i"] = tileRowWords
    pfInputs["cfg_tile_row_lines_i"] = tileRowLines
    m.instance(psumFeeder, "u_psum_feeder", inputs: pfInputs,
               outputs: ["busy_o": pfBusy, "out_valid_o": pfValid, "out_data_o": pfData, "out_count_o": pfCount,
                         "out_row_tag_o": pfRow,
                         "out_col_tag_o": pfCol, "ps_rd_en_o": psRdEnFeeder, "ps_rd_line_o": psRdLineFeeder])
    m.assign(feedersBusy, ffBusy | ifBusy | pfBusy)

    // ------------------------------------------------------------------ multicast IDs
    m.section("Per-pass multicast IDs of every PE")
    let peActive = sig("pe_active", n, comment: "active rows x active columns")
    m.assign(peActive, Expr.concat((0..<n).reversed().map { i in rowActive.bit(i / cols) & colActive.bit(i % cols) }))
    let ctb = p.columnTagBits, itb = p.ifmapColumnTagBits, rtb = p.rowTagBits
    let filterColIDs = sig("filter_col_ids", n * ctb, comment: "filter group tg of the PE's column")
    m.assign(filterColIDs, Expr.concat((0..<n).reversed().map { i in
        colTG.bits((i % cols) * cb + ctb - 1, (i % cols) * cb)
    }))
    let ifmapColIDs = sig("ifmap_col_ids", n * itb, comment: "j x stride + i: the relative ifmap row the PE needs")
    let jsPlusI = (0..<n).map { i -> Expr in
        let id = sig("pe\(i)_ifmap_id", itb)
        let c = i % cols, r = i / cols
        let sum = colJStride.bits(c * itb + itb - 1, c * itb) + rowI.bits(r * itb + itb - 1, r * itb)
        m.assign(id, options.has(.ifmapMulticastIdOffByOne) ? sum + 1 : sum)
        return id
    }
    m.assign(ifmapColIDs, Expr.concat(jsPlusI.reversed()))
    let psumColIDs = Expr.concat((0..<n).reversed().map { Expr.lit($0 % cols, width: ctb) })
    let psumActive = sig("psum_gin_active", n, comment: "only the bottom row takes psums from the buffer")
    m.assign(psumActive, Expr.concat((0..<n).reversed().map { i in i < cols ? peActive.bit(i) : Expr.zero }))
    m.markUnused("col_tg_high", (0..<cols).map { c in colTG.bits(c * cb + cb - 1, c * cb + ctb) })

    // ------------------------------------------------------------------ networks
    m.section("Global input networks")
    let filterPEValid = sig("filter_pe_valid", n), filterPEReady = sig("filter_pe_ready", n)
    let filterRowData = sig("filter_row_data", rows * dw, comment: "the filter word on each X-bus")
    m.instance(filterGIN, "u_filter_gin",
               inputs: ["in_valid_i": ffValid, "in_data_i": ffData, "in_row_base_i": ffRow, "in_count_i": ffCount,
                        "in_col_tag_i": ffCol, "cfg_rows_i": chainRows.resized(to: p.rowIndexBits),
                        "col_id_i": filterColIDs, "pe_active_i": peActive, "pe_ready_i": filterPEReady],
               outputs: ["in_ready_o": ffReady, "pe_valid_o": filterPEValid, "row_data_o": filterRowData])
    let ifmapPEValid = sig("ifmap_pe_valid", n), ifmapPEReady = sig("ifmap_pe_ready", n), ifmapPEData = sig("ifmap_pe_data", dw)
    m.instance(ifmapGIN, "u_ifmap_gin",
               inputs: ["in_valid_i": ifValid, "in_data_i": ifData, "in_row_tag_i": ifRow, "in_col_tag_i": ifCol,
                        "row_id_i": rowG, "col_id_i": ifmapColIDs, "pe_active_i": peActive, "pe_ready_i": ifmapPEReady],
               outputs: ["in_ready_o": ifReady, "pe_valid_o": ifmapPEValid, "pe_data_o": ifmapPEData])
    let psumPEValid = sig("psum_pe_valid", n), psumPEReady = sig("psum_pe_ready", n)
    let psumPEData = sig("psum_pe_data", p.lineBits + p.laneBits + 1, comment: "{count, line} on the psum GIN")
    m.instance(psumGIN, "u_psum_gin",
               inputs: ["in_valid_i": pfValid, "in_data_i": Expr.concat([pfCount, pfData]), "in_row_tag_i": pfRow,
                        "in_col_tag_i": pfCol,
                        "row_id_i": Expr.lit(0, width: rows * rtb), "col_id_i": psumColIDs, "pe_active_i": psumActive,
                        "pe_ready_i": psumPEReady],
               outputs: ["in_ready_o": pfReady, "pe_valid_o": psumPEValid, "pe_data_o": psumPEData])

    // ------------------------------------------------------------------ PE array
    m.section("PE array and local psum links")
    let peStart = sig("pe_start", n)
    m.assign(peStart, Expr.mux(runStart, peActive, .lit(0, width: n)))
    // Every PE gets the same job configuration, as the PE ports see it.
    let cfgS = field[.s]!.resized(to: p.pe.windowFieldBits), cfgQ = field[.q]!.resized(to: p.pe.windowFieldBits)
    let cfgP = field[.p]!.resized(to: p.pe.filtersFieldBits), cfgStep = field[.step]!.resized(to: p.pe.windowFieldBits)
    var idles: [Expr] = [], filterReadies: [Expr] = [], ifmapReadies: [Expr] = [], psumGinReadies: [Expr] = []
    var peChecks: [(name: String, flags: Expr)] = []
    var outValid: [[Expr]] = [], outData: [[Expr]] = [], inReadyOf: [[Expr]] = []
    var counters: [[Expr]] = [], peStatus: [Expr] = []
    let counterPorts = ["macs", "gated", "filter_reads", "filter_writes", "ifmap_reads", "ifmap_writes", "psum_reads", "psum_writes"]
    // Declare every PE's outputs first: links refer to neighbours.
    for r in 0..<rows {
        var v: [Expr] = [], d: [Expr] = [], rd: [Expr] = []
        for c in 0..<cols {
            v.append(sig("pe_r\(r)_c\(c)_psum_out_valid"))
            d.append(sig("pe_r\(r)_c\(c)_psum_out_data", dw))
            rd.append(sig("pe_r\(r)_c\(c)_psum_in_ready"))
        }
        outValid.append(v); outData.append(d); inReadyOf.append(rd)
    }
    let gonValid = sig("gon_col_valid", cols), gonReady = sig("gon_col_ready", cols), gonData = sig("gon_col_data", cols * dw)
    // Each column's bottom PE takes the psum GIN's lines through an unpacker, a word per cycle.
    var unpackedValid: [Expr] = [], unpackedData: [Expr] = [], unpackerReady: [Expr] = []
    for c in 0..<cols {
        let name = "psum_unpack_c\(c)"
        let v = sig("\(name)_valid"), d = sig("\(name)_data", dw), r = sig("\(name)_in_ready")
        m.instance(psumUnpacker, "u_\(name)",
                   inputs: ["clk_i": clk, "rst_ni": rst, "in_valid_i": psumPEValid.bit(c),
                            "in_data_i": psumPEData.bits(p.lineBits - 1, 0),
                            "in_count_i": psumPEData.bits(p.lineBits + p.laneBits, p.lineBits),
                            "out_ready_i": inReadyOf[0][c]],
                   outputs: ["in_ready_o": r, "out_valid_o": v, "out_data_o": d])
        unpackedValid.append(v); unpackedData.append(d); unpackerReady.append(r)
    }
    for r in 0..<rows {
        for c in 0..<cols {
            let i = r * cols + c
            let name = "pe_r\(r)_c\(c)"
            let idle = sig("\(name)_idle")
            let fReady = sig("\(name)_filter_ready"), iReady = sig("\(name)_ifmap_ready")
            // Psums in: from the psum GIN at the bottom, else from the PE below.
            let inValid = r == 0 ? unpackedValid[c] : (outValid[r - 1][c] & ~rowTop.bit(r - 1))
            let inData = r == 0 ? unpackedData[c] : outData[r - 1][c]
            // Psums out: to the GON at the top of the chain, else to the PE above.
            // The planted fault: the output network never takes column 0's psums.
            let gonTakes = c == 0 && options.has(.outputNetworkStuck) ? Expr.zero : gonReady.bit(c)
            let outReady = r == rows - 1 ? gonTakes & rowTop.bit(r)
                : Expr.mux(rowTop.bit(r), gonTakes, inReadyOf[r + 1][c])
            let psumInEn = r == 0 ? accumulate : Expr.one
            var cnt: [Expr] = []
            var outs: [String: Expr] = ["idle_o": idle, "filter_ready_o": fReady, "ifmap_ready_o": iReady,
                                        "psum_in_ready_o": inReadyOf[r][c], "psum_out_valid_o": outValid[r][c],
                                        "psum_out_data_o": outData[r][c]]
            for port in counterPorts {
                let s = sig("\(name)_cnt_\(port)", p.pe.counterBits)
                outs["cnt_\(port)_o"] = s
                cnt.append(s)
            }
            counters.append(cnt)
            peStatus.append(sig("\(name)_dbg_status", PEParams.debugStatusBits))
            outs["dbg_status_o"] = peStatus[i]
            let checks = sig("\(name)_chk", pe.port("chk_o")?.width ?? 1)
            outs["chk_o"] = checks
            m.instance(pe, "u_\(name)",
                       inputs: ["clk_i": clk, "rst_ni": rst, "start_i": peStart.bit(i),
                                "cfg_filter_width_i": cfgS, "cfg_channels_i": cfgQ, "cfg_filters_i": cfgP,
                                "cfg_step_i": cfgStep, "cfg_outputs_i": field[.f]!, "cfg_rows_i": field[.jobRows]!,
                                "cfg_shift_i": field[.shift]!, "cfg_psum_in_en_i": psumInEn,
                                "cfg_keep_filters_i": keepFilters,
                                "filter_valid_i": filterPEValid.bit(i), "filter_data_i": filterRowData.bits(r * dw + dw - 1, r * dw),
                                "ifmap_valid_i": ifmapPEValid.bit(i), "ifmap_data_i": ifmapPEData,
                                "psum_in_valid_i": inValid, "psum_in_data_i": inData,
                                "psum_out_ready_i": outReady, "cnt_clear_i": peCounterClear.q],
                       outputs: outs)
            peChecks.append(("u_\(name)", checks))
            idles.append(idle); filterReadies.append(fReady); ifmapReadies.append(iReady)
            psumGinReadies.append(r == 0 ? unpackerReady[c] : Expr.zero)
        }
    }
    // One assertion for the whole array: it names the PE and its failed check.
    m.assertChecks(ofInstances: peChecks, module: pe, label: "pe_checks")
    m.assign(filterPEReady, Expr.concat(filterReadies.reversed()))
    m.assign(ifmapPEReady, Expr.concat(ifmapReadies.reversed()))
    m.assign(psumPEReady, Expr.concat(psumGinReadies.reversed()))
    if rows > 1 { m.markUnused("psum_pe_valid_upper_rows", [psumPEValid.bits(n - 1, cols)]) }
    let idleAll = sig("pe_idle", n)
    m.assign(idleAll, Expr.concat(idles.reversed()))
    // A PE takes start_i only while idle: checked once here for the whole array, not per PE.
    let jobStart = (peStart & idleAll).anySet
    for check in peJobChecks(p.pe, filterWidth: cfgS, channels: cfgQ, filters: cfgP, step: cfgStep,
                             outputs: field[.f]!, rows: field[.jobRows]!) {
        m.assertion("pe_\(check.name)", !jobStart | check.condition, message: "PE array: " + check.message)
    }
    m.assign(pesIdle, (~idleAll).isZero)
    // Gated by the read enable: a simulator evaluates an ungated readout of every PE each cycle.
    m.comb("PE status readout") { b in
        b.set(dbgPEStatus, .lit(0, width: n * PEParams.debugStatusBits))
        b.when(dbgEn) { b in b.set(dbgPEStatus, Expr.concat(peStatus.reversed())) }
    }

    // ------------------------------------------------------------------ output network
    m.section("Global output network")
    m.assign(gonValid, Expr.concat((0..<cols).reversed().map { c in
        if c == 0 && options.has(.outputNetworkStuck) { return Expr.zero }
        return (0..<rows).map { r in outValid[r][c] & rowTop.bit(r) }.reduce(Expr.zero) { $0 | $1 }
    }))
    m.assign(gonData, Expr.concat((0..<cols).reversed().map { c in
        (0..<rows).reversed().reduce(Expr.lit(0, width: dw)) { acc, r in Expr.mux(rowTop.bit(r), outData[r][c], acc) }
    }))
    var gonInputs: [String: Expr] = ["clk_i": clk, "rst_ni": rst, "start_i": runStart, "col_tg_i": colTG, "col_j_i": colJ,
                                     "col_valid_i": gonValid, "col_data_i": gonData, "cfg_tile_row_lines_i": tileRowLines]
    for (port, f) in [("p", DescriptorField.p), ("e", .e), ("t", .t), ("f", .f), ("job_rows", .jobRows)] {
        gonInputs["cfg_\(port)_i"] = field[f]!
    }
    m.instance(gon, "u_gon", inputs: gonInputs,
               outputs: ["words_o": gonWords, "col_ready_o": gonReady, "ps_wr_en_o": psWrEn, "ps_wr_line_o": psWrLine,
                         "ps_wr_data_o": psWrData, "ps_wr_mask_o": psWrMask])

    // ------------------------------------------------------------------ counters
    m.section("Counters: read through a select, still while dbg_en_i is low")
    m.comb("Selected PE counter") { b in
        b.set(dbgOut, .lit(0, width: p.pe.counterBits))
        b.when(dbgEn) { b in
            for (i, cnt) in counters.enumerated() {
                b.when(dbgPE.eq(i)) { b in
                    for (k, value) in cnt.enumerated() {
                        b.when(dbgCnt.eq(k)) { b in b.set(dbgOut, value) }
                    }
                }
            }
        }
    }
    m.assign(progress, (ffValid & ffReady) | (ifValid & ifReady) | (pfValid & pfReady) | psWrEn
        | (rqValid & rqReady) | (rsValid & rsReady) | (wrValid & wrReady) | ldWrEn | encRdEn)
    let cycles = m.register("cycles", p.cycleBits, reset: 0, comment: "cycles spent running programs")
    m.assign(cycles.d, Expr.mux(busy, cycles.q + 1, cycles.q))
    m.assign(cyclesOut, cycles.q)
    let stateIs = { (code: Int) in stateOut.eq(.lit(code, width: ControllerStateCode.bits)) }
    let lanesWords = Expr.lit(p.lanes, width: bitsToHold(p.lanes)), noWords = Expr.lit(0, width: bitsToHold(p.lanes))
    // A filter line's words, counted when the network delivers it: each line the feeder reads
    // is delivered once, so the buffer's filter reads add up to the same words.
    let filterLineWords = Expr.mux(ffValid & ffReady, ffCount.resized(to: lanesWords.width), noWords)
    // Psum lines likewise: the words the psum network delivers and the GON writes.
    let psumLineWords = Expr.mux(pfValid & pfReady, pfCount.resized(to: lanesWords.width), noWords)
    let gonLineWords = Expr.mux(psWrEn, popCount(psWrMask, width: lanesWords.width), noWords)
    let links = (0..<max(0, rows - 1)).map { r in (0..<cols).map { c in outValid[r][c] & ~rowTop.bit(r) & inReadyOf[r + 1][c] } }
    try instantiatePerfCounters(m, clk: clk, rst: rst, clear: programStart, events: [
        .cyclesBusy: busy, .cyclesPEBusy: ~pesIdle,
        .cyclesDRAMStall: stateIs(ControllerStateCode.fetch) | stateIs(ControllerStateCode.loadFilter)
            | stateIs(ControllerStateCode.loadIfmap) | stateIs(ControllerStateCode.store)
            | stateIs(ControllerStateCode.prefetchWait) | stateIs(ControllerStateCode.storeWait)
            | stateIs(ControllerStateCode.finish),
        .cyclesNoCStall: (ffValid & ~ffReady) | (ifValid & ~ifReady) | (pfValid & ~pfReady),
        .ginFilterWords: filterLineWords, .ginIfmapWords: ifValid & ifReady, .ginPsumWords: psumLineWords,
        .gonWords: gonLineWords, .localPsumWords: .zero,
        .glbFilterReads: filterLineWords, .glbFilterWrites: Expr.mux(glbFWrEn, lanesWords, noWords), .glbIfmapReads: ifRdEn,
        .glbIfmapWrites: Expr.mux(ifWrEn, popCount(ifWrMask, width: lanesWords.width), noWords),
        // The store engine reads a line for each value it stores.
        .glbPsumReads: psumLineWords + encRdEn.zeroExtended(to: lanesWords.width),
        .glbPsumWrites: gonLineWords, .dramLinesRead: rsValid & rsReady, .dramLinesWritten: wrValid & wrReady,
        // Filter lines also arrive during Run (the prefetch): count the filter buffer's line writes.
        .dramFilterLinesRead: glbFWrEn,
        .dramIfmapLinesRead: rsValid & rsReady & ifmapLoading,
    ], links: links, sel: perfSel, out: perfOut, header: header, design: &design)
    addDRAMPortAssertions(m, read: (ctrlRqValid, ldRqValid, ctrlRsReady, ldRsReady),
                          port: (rqValid, rqReady, rqAddr, wrValid, wrReady, wrAddr, wrData))
    // A GIN delivers a word only when every PE it goes to is ready: anything else loses it.
    for (net, valid, ready, what) in [("filter", filterPEValid, filterPEReady, "while it was not loading filters"),
                                      ("ifmap", ifmapPEValid, ifmapPEReady, "whose ifmap FIFO was full"),
                                      ("psum", psumPEValid, psumPEReady, "whose psum-in FIFO was full")] {
        m.assertion("\(net)_gin_no_overflow", (valid & ~ready).isZero,
                    message: "\(net) network overflow: a word was delivered to a PE \(what) (the word is lost)")
    }
    return try m.build()
}

/// Simulation-only checks of the DRAM port, whose read channel the controller and the RLC loader
/// share through plain OR-muxes: at most one of them drives it at a time, and a request or
/// write the DRAM refuses stays offered, unchanged, until it is taken.
private func addDRAMPortAssertions(_ m: ModuleBuilder, read: (ctrl: Expr, loader: Expr, ctrlResp: Expr, loaderResp: Expr),
                                   port: (rqValid: Expr, rqReady: Expr, rqAddr: Expr, wrValid: Expr, wrReady: Expr,
                                          wrAddr: Expr, wrData: Expr)) {
    m.assertion("dram_rd_one_requester", !(read.ctrl & read.loader),
                message: "DRAM read port: the controller and the RLC loader request at once")
    m.assertion("dram_rd_one_receiver", !(read.ctrlResp & read.loaderResp),
                message: "DRAM read port: the controller and the RLC loader both take responses")
    m.assertion("dram_rd_req_held",
                !Expr.past(port.rqValid & ~port.rqReady) | (port.rqValid & port.rqAddr.eq(Expr.past(port.rqAddr))),
                message: "DRAM read request withdrawn or its address changed before dram_rd_req_ready_i")
    m.assertion("dram_wr_held",
                !Expr.past(port.wrValid & ~port.wrReady)
                    | (port.wrValid & port.wrAddr.eq(Expr.past(port.wrAddr)) & port.wrData.eq(Expr.past(port.wrData))),
                message: "DRAM write withdrawn or its address or data changed before dram_wr_ready_i")
}
