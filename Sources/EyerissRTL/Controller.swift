import EyerissConfig
import HDL

/// How the controller keeps each descriptor field (`DescriptorField`, in EyerissConfig, is the
/// one definition of the format): its Verilog name and the width of its register.
extension DescriptorField {
    var name: String {
        switch self {
        case .opcode: return "opcode"
        case .nextLines: return "next_lines"
        case .flags: return "flags"
        case .s: return "s"
        case .stride: return "stride"
        case .f: return "f"
        case .q: return "q"
        case .p: return "p"
        case .rc: return "rc"
        case .r: return "r"
        case .e: return "e"
        case .t: return "t"
        case .jobRows: return "job_rows"
        case .shift: return "shift"
        case .pad: return "pad"
        case .w: return "w"
        case .h: return "h"
        case .yStart: return "ystart"
        case .yLo: return "ylo"
        case .nRows: return "nrows"
        case .wl: return "wl"
        case .yCount: return "ycount"
        case .filterAddress: return "filter_addr"
        case .filterLines: return "filter_lines"
        case .ifmapAddress: return "ifmap_addr"
        case .ifmapChannelLines: return "ifmap_channel_lines"
        case .psumLine: return "psum_line"
        case .epass: return "epass"
        case .fl: return "fl"
        case .ofmapAddress: return "ofmap_addr"
        case .ofmapPlaneLines: return "ofmap_plane_lines"
        case .step: return "step"
        case .ifmapRowLines: return "ifmap_row_lines"
        case .ofmapRowLines: return "ofmap_row_lines"
        case .ifmapBase: return "ifmap_base"
        case .nextFilterAddress: return "next_filter_addr"
        case .nextFilterLines: return "next_filter_lines"
        case .nextFilterBase: return "next_filter_base"
        case .ifmapCodeRows: return "ifmap_code_rows"
        case .ifmapTileCodes: return "ifmap_tile_codes"
        case .ifmapLoadRows: return "ifmap_load_rows"
        case .ifmapRowPhase: return "ifmap_row_phase"
        case .pitch: return "pitch"
        }
    }

    func width(_ p: TopParams) -> Int {
        switch self {
        case .opcode: return DescriptorField.opcode.bits
        case .flags: return 12  // PassFlags: bits 0-11
        case .shift: return p.pe.shiftBits
        case .pitch: return DescriptorField.pitch.bits
        case .psumLine: return p.glbLineBits
        case .nextLines: return DescriptorField.linesPerDescriptor
        case .ifmapBase: return p.glbLineBits
        case .nextFilterBase: return p.filterLineBits
        case .yStart, .filterAddress, .ifmapAddress, .ifmapChannelLines, .ofmapAddress, .ofmapPlaneLines,
             .nextFilterAddress: return 32
        default: return p.countBits
        }
    }

    /// Fields the controller keeps: all but `fl` (lines of a raw ofmap row), which the hardware
    /// no longer needs: psum tile lines run over filters, and the store engine packs raw rows
    /// itself. The field stays in the format for the tools that read programs.
    static var kept: [DescriptorField] { allCases.filter { $0 != .fl } }
}

/// Outputs of the controller that the top wires to the rest of the accelerator.
struct ControllerFields {
    static let exported: [DescriptorField] = [.s, .stride, .f, .q, .p, .r, .e, .t, .jobRows, .shift, .pad, .w, .h,
                                              .yStart, .yLo, .nRows, .wl, .yCount, .psumLine, .epass, .step,
                                              .ofmapAddress, .ofmapPlaneLines, .ofmapRowLines, .ifmapBase, .ifmapRowPhase, .pitch]
    /// Fields of the ifmap tile load, as `load_*_o`: the current pass's, or the next pass's
    /// while the prefetch loads its tile.
    static let loadView: [DescriptorField] = [.q, .r, .nRows, .w, .wl, .ifmapAddress, .ifmapChannelLines, .ifmapRowLines,
                                               .ifmapBase, .ifmapCodeRows, .ifmapTileCodes]
}

/// `eyeriss_controller`: runs the program of pass descriptors that the mapper wrote to DRAM.
///
/// For each PASS it loads the filter block and the ifmap tile from DRAM into the global buffer,
/// sets up the per-pass multicast IDs (per PE row: channel set g and filter row i; per column:
/// filter group tg, strip column j and j x stride; group tg's columns start at tg x pitch, the
/// pitch being e but for a row chunk narrower than the layer's widest, so that its PEs keep the
/// filters the wider chunk's feed put there), starts the active PEs, the three feeders and
/// the output network, waits until every psum is back and every PE idle, and stores the psum
/// tile when the pass ends an accumulation group. DRAM reads are pipelined (requests run ahead of
/// responses, which come back in order); every transfer is valid/ready.
///
/// Descriptors are compact in DRAM: line 0, then the lines the descriptor before named in its
/// `nextLines` mask (the first of a program is whole, `DescriptorField.linesPerDescriptor` lines, 12). A fetch reads just those lines,
/// one after the other, into the lines of the field registers they are; the others keep the
/// values of the pass before.
///
/// Prefetch: once the filter feeder has sent the whole filter block (the filter buffer is then
/// free) and while the pass computes, the idle DRAM read port fetches the NEXT descriptor into a
/// shadow register set and, when that pass loads filters, its filter block into the filter
/// buffer, and, when it loads an ifmap tile into another slot of the ifmap region, that tile
/// (raw, or through the RLC loader). The next pass then skips Fetch, LoadFilter and LoadIfmap.
/// The pass waits for the prefetch (`StPrefetchWait`) before its store, so the store never
/// shares the DRAM port with it.
public func makeController(_ p: TopParams, header: RTLHeader) throws -> Module {
    let m = ModuleBuilder("eyeriss_controller", header: header.lines(
        purpose: "Top-level controller: fetches pass descriptors, moves data DRAM <-> global buffer, sequences passes.",
        parameters: ["array: \(p.rows) x \(p.columns)", "descriptor: up to \(DescriptorField.linesPerDescriptor) lines",
                     "DRAM line: \(p.lineBits) b, \(p.dramAddrBits)-bit line addresses"]))
    // The configuration's validation keeps every register within its field (buffer lines);
    // the rest are fixed widths of the generator.
    for f in DescriptorField.kept where f.width(p) > f.bits {
        throw ConfigErrors(errors: [ConfigError(field: "descriptor field \(f)", value: "\(f.width(p)) bits",
                                                rule: "the controller's register must fit the field's \(f.bits) bits in DRAM")])
    }
    let cb = p.countBits, lw = p.lineBits, ab = p.dramAddrBits
    m.portGroup("Clock and synchronous active-low reset")
    m.input("clk_i")
    m.input("rst_ni")
    m.portGroup("Configuration interface: register 0 = program base line; writing 1 starts")
    let cfgValid = m.input("cfg_valid_i")
    let cfgAddr = m.input("cfg_addr_i", 8)
    let cfgData = m.input("cfg_data_i", 32)
    let busyOut = m.output("busy_o")
    let doneOut = m.output("done_o")
    let stateOut = m.output("state_o", 4)
    let passesOut = m.output("passes_o", 32)
    m.portGroup("DRAM read request / response (in order); the store engine writes")
    let rqValid = m.output("dram_rd_req_valid_o")
    let rqReady = m.input("dram_rd_req_ready_i")
    let rqAddr = m.output("dram_rd_req_addr_o", ab)
    let rsValid = m.input("dram_rd_resp_valid_i")
    let rsReady = m.output("dram_rd_resp_ready_o")
    let rsData = m.input("dram_rd_resp_data_i", lw)
    m.portGroup("Global buffer: ifmap and filter line writes")
    let glbIfWrEn = m.output("glb_if_wr_en_o")
    let glbFWrEn = m.output("glb_f_wr_en_o")
    let glbWrLine = m.output("glb_wr_line_o", max(p.glbLineBits, p.filterLineBits))
    let glbWrData = m.output("glb_wr_data_o", lw)
    m.portGroup("Pass run: start pulses for PEs, feeders and the output network; their status")
    let runStart = m.output("run_start_o")
    let accumulate = m.output("accumulate_o")
    let keepFilters = m.output("keep_filters_o")
    let feedersBusy = m.input("feeders_busy_i")
    let filterFeederBusy = m.input("filter_feeder_busy_i")
    let pesIdle = m.input("pes_idle_i")
    let gonWords = m.input("gon_words_i", 32)
    m.portGroup("Ifmap tile loads: the fields of the tile being loaded (this pass's or, prefetching, the next's)")
    var loadOut: [DescriptorField: Expr] = [:]
    for f in ControllerFields.loadView { loadOut[f] = m.output("load_\(f.name)_o", f.width(p)) }
    let ifmapLoadingOut = m.output("ifmap_loading_o")
    m.portGroup("Run-length codec: coded ifmap loads; the store engine: ofmap stores, coded or raw, ReLU")
    let rlcLoadStart = m.output("rlc_load_start_o")
    let rlcLoadBusy = m.input("rlc_load_busy_i")
    let rlcStoreStart = m.output("rlc_store_start_o")
    let rlcStoreBusy = m.input("rlc_store_busy_i")
    // The tile being stored shares a bank with this pass's psum tile (the store engine compares).
    let storeSharesBank = m.input("store_shares_bank_i")
    let reluOut = m.output("relu_o")
    let storeByRowChunkOut = m.output("store_by_row_chunk_o")  // coded stores: each filter's rows of the tile one code
    let storeCodedOut = m.output("store_coded_o")
    let storePoolOut = m.output("store_pool_o", 2)  // stores pool each row: bit 0 windows every 2 values, bit 1 of 3 (else 2)
    m.portGroup("Per-pass multicast IDs and active rows and columns")
    let rowG = m.output("row_g_o", p.rows * p.rowTagBits)
    let rowI = m.output("row_i_o", p.rows * p.ifmapColumnTagBits)
    let rowActive = m.output("row_active_o", p.rows)
    let rowTop = m.output("row_top_o", p.rows)
    let chainRowsOut = m.output("chain_rows_o", cb)
    let colTG = m.output("col_tg_o", p.columns * cb)
    let colJ = m.output("col_j_o", p.columns * cb)
    let colJStride = m.output("col_jstride_o", p.columns * p.ifmapColumnTagBits)
    let colActive = m.output("col_active_o", p.columns)
    m.portGroup("Pass fields for the datapath")
    var fieldOut: [DescriptorField: Expr] = [:]
    for f in ControllerFields.exported {
        fieldOut[f] = m.output("pass_\(f.name)_o", f.width(p), signed: f == .yStart)
    }

    // ------------------------------------------------------------------ state
    m.section("Sequencer")
    let sb = 4
    let stIdle = m.constant("StIdle", 0, width: sb, comment: "waiting for a start")
    let stFetch = m.constant("StFetch", 1, width: sb, comment: "reading a descriptor")
    let stDecode = m.constant("StDecode", 2, width: sb, comment: "END or PASS")
    let stLoadFilter = m.constant("StLoadFilter", 3, width: sb, comment: "filter block -> filter buffer")
    let stLoadIfmap = m.constant("StLoadIfmap", 4, width: sb, comment: "ifmap tile -> ifmap region")
    let stSetup = m.constant("StSetup", 5, width: sb, comment: "per-row and per-column multicast IDs")
    let stRunStart = m.constant("StRunStart", 6, width: sb, comment: "start pulse to PEs and feeders")
    let stRun = m.constant("StRun", 7, width: sb, comment: "waiting for every psum and every PE")
    let stStore = m.constant("StStore", 8, width: sb, comment: "hand the psum tile to the store engine once it is free")
    let stDone = m.constant("StDone", 9, width: sb, comment: "program finished")
    let stPrefetchWait = m.constant("StPrefetchWait", 10, width: sb,
                                    comment: "pass computed; the next descriptor or filter block is still arriving")
    let stStoreWait = m.constant("StStoreWait", 11, width: sb,
                                 comment: "the store engine still reads this pass's psum banks (an earlier tile there)")
    let stFinish = m.constant("StFinish", 12, width: sb, comment: "END: the store engine finishes the last tile")
    let state = m.register("state", sb, reset: 0)
    let progPtr = m.register("prog_ptr", ab, reset: 0, comment: "line of the current descriptor")
    let progBase = m.register("prog_base", ab, reset: 0)
    let lb = DescriptorField.linesPerDescriptor
    let descLen = m.register("desc_len", 8, reset: 0, comment: "lines of the current descriptor in DRAM")
    let fetchLeft = m.register("fetch_left", lb, reset: 0, comment: "lines of the descriptor being fetched still to come")

    // Descriptor field registers, loaded line by line.
    m.section("Descriptor")
    var field: [DescriptorField: Expr] = [:]
    var fieldRegs: [(DescriptorField, (q: Expr, d: Expr))] = []
    for f in DescriptorField.kept {
        let reg = m.register("desc_\(f.name)", f.width(p), signed: f == .yStart, reset: 0)
        field[f] = reg.q
        fieldRegs.append((f, reg))
    }
    for f in ControllerFields.exported { m.assign(fieldOut[f]!, field[f]!) }
    let flags = field[.flags]!
    let flagLoadFilter = flags.bit(0), flagLoadIfmap = flags.bit(1), flagAccumulate = flags.bit(2), flagStore = flags.bit(3)
    let flagIfmapRLC = flags.bit(4), flagOfmapRLC = flags.bit(5), flagRelu = flags.bit(6), flagKeepFilters = flags.bit(7)
    m.assign(accumulate, flagAccumulate)
    m.assign(keepFilters, flagKeepFilters)
    m.assign(reluOut, flagRelu)
    m.assign(storeCodedOut, flagOfmapRLC)
    m.assign(storeByRowChunkOut, flags.bit(8))
    m.assign(storePoolOut, flags.bits(11, 10))

    // The next pass's descriptor, fetched while this pass computes. A second register set
    // rather than a small memory or a partial fetch: the fields of this pass stay in use until
    // its store ends, a partial fetch (opcode, flags, filter address and lines) would leave
    // most of the descriptor's lines to read, exposed, before every pass, and a memory of
    // descriptor lines would need a read-out sequence; the copy is one cycle. About 600 flops
    // with 16-bit counts, next to kilobytes of buffer and spads. Not reset: the prefetch starts them as a copy of this pass's
    // fields (a compact descriptor sends only the lines that differ) and reads them only once
    // the whole descriptor is in.
    m.section("Prefetch: next descriptor and its filter block, while this pass computes")
    let pb = 3
    let pfIdle = m.constant("PfIdle", 0, width: pb, comment: "nothing prefetched for the next pass")
    let pfFetch = m.constant("PfFetch", 1, width: pb, comment: "next descriptor -> shadow registers")
    let pfFilter = m.constant("PfFilter", 2, width: pb, comment: "next filter block -> filter buffer")
    let pfReady = m.constant("PfReady", 3, width: pb, comment: "next descriptor (and its filter block and tile) in place")
    let pfIfmap = m.constant("PfIfmap", 4, width: pb, comment: "next ifmap tile -> another slot of the ifmap region")
    let pfHint = m.constant("PfHint", 5, width: pb, comment: "a later pass's filter block -> filter buffer (this pass keeps its filters)")
    let pf = m.register("pf_state", pb, reset: 0)
    var next: [DescriptorField: Expr] = [:]
    var nextRegs: [(DescriptorField, (q: Expr, d: Expr))] = []
    for f in DescriptorField.kept {
        let reg = m.register("next_\(f.name)", f.width(p), signed: f == .yStart)
        next[f] = reg.q
        nextRegs.append((f, reg))
    }
    let pfFetching = m.logic("pf_fetching", comment: "the prefetch reads the next descriptor")
    let pfLoadingFilters = m.logic("pf_loading_filters", comment: "the prefetch loads the next filter block")
    let pfLoadingIfmap = m.logic("pf_loading_ifmap", comment: "the prefetch loads the next ifmap tile")
    let pfBusy = m.logic("pf_busy", comment: "the prefetch owns the DRAM read port")
    let pfIsReady = m.logic("pf_ready", comment: "the next descriptor is in the shadow registers")
    m.assign(pfFetching, pf.q.eq(pfFetch))
    m.assign(pfLoadingFilters, pf.q.eq(pfFilter))
    m.assign(pfLoadingIfmap, pf.q.eq(pfIfmap))
    let pfHinting = m.logic("pf_hinting", comment: "the prefetch loads the filter block this pass names for a later pass")
    m.assign(pfHinting, pf.q.eq(pfHint))
    m.assign(pfBusy, pfFetching | pfLoadingFilters | pfLoadingIfmap | pfHinting)
    m.assign(pfIsReady, pf.q.eq(pfReady))
    let nextLoadsFilters = m.logic("next_loads_filters", comment: "the next descriptor is a PASS that loads filters")
    m.assign(nextLoadsFilters, next[.opcode]!.eq(1) & next[.flags]!.bit(0))
    let nextLoadsIfmap = m.logic("next_loads_ifmap",
                                 comment: "the next descriptor is a PASS that loads its tile into a slot this pass does not read")
    m.assign(nextLoadsIfmap, next[.opcode]!.eq(1) & next[.flags]!.bit(1) & next[.ifmapBase]!.ne(field[.ifmapBase]!))
    let nextIfmapRLC = next[.flags]!.bit(4)
    let prefetched = m.register("desc_prefetched", reset: 0,
                                comment: "this pass's descriptor (and filter block) came from the prefetch")
    let ifmapPrefetched = m.register("ifmap_prefetched", reset: 0, comment: "this pass's ifmap tile came from the prefetch")
    let pfIfmapStart = m.logic("pf_ifmap_start", comment: "the prefetch starts loading the next tile")

    // ------------------------------------------------------------------ DMA reads
    m.section("DMA reads: requests run ahead, responses land in order")
    let loading = m.logic("loading", comment: "a DRAM -> chip transfer is in progress")
    let fetching = m.logic("fetching", comment: "reading a descriptor (this one or, prefetching, the next)")
    let loadingFilters = m.logic("loading_filters", comment: "reading a filter block into the filter buffer")
    m.assign(fetching, state.q.eq(stFetch) | pfFetching)
    m.assign(loadingFilters, state.q.eq(stLoadFilter) | pfLoadingFilters | pfHinting)
    // While the prefetch runs, the load fields are the next pass's: they are only used once its
    // tile load starts (at the end of the prefetch's fetch or filter load), by then complete.
    let ifmapFromNext = m.logic("ifmap_from_next", comment: "the tile being loaded is the next pass's")
    m.assign(ifmapFromNext, pfBusy)
    var load: [DescriptorField: Expr] = [:]
    for f in ControllerFields.loadView {
        load[f] = m.logic("load_\(f.name)", f.width(p))
        m.assign(load[f]!, Expr.mux(ifmapFromNext, next[f]!, field[f]!))
        m.assign(loadOut[f]!, load[f]!)
    }
    // The raw load's ring fields, which only the controller uses.
    for f in [DescriptorField.ifmapLoadRows, .ifmapRowPhase] {
        load[f] = m.logic("load_\(f.name)", f.width(p))
        m.assign(load[f]!, Expr.mux(ifmapFromNext, next[f]!, field[f]!))
    }
    let loadingIfmap = m.logic("loading_ifmap", comment: "an ifmap tile is being loaded (raw or coded)")
    m.assign(loadingIfmap, state.q.eq(stLoadIfmap) | pfLoadingIfmap)
    m.assign(ifmapLoadingOut, loadingIfmap)
    let loadRLC = Expr.mux(pfLoadingIfmap, nextIfmapRLC, flagIfmapRLC)
    m.assign(loading, fetching | loadingFilters | (loadingIfmap & ~loadRLC))
    let total = m.logic("load_lines", 32, comment: "lines this transfer moves")
    let ifmapTileLines = m.logic("ifmap_tile_lines", 32, comment: "lines the tile load brings: q x r channels of load_rows rows")
    m.assign(ifmapTileLines, load[.q]!.zeroExtended(to: 32) * load[.r]!.zeroExtended(to: 32)
        * load[.ifmapLoadRows]!.zeroExtended(to: 32) * load[.wl]!.zeroExtended(to: 32))
    let filterLines = Expr.mux(pfLoadingFilters, next[.filterLines]!, Expr.mux(pfHinting, field[.nextFilterLines]!, field[.filterLines]!))
    let filterAddress = Expr.mux(pfLoadingFilters, next[.filterAddress]!,
                                 Expr.mux(pfHinting, field[.nextFilterAddress]!, field[.filterAddress]!))
    // Line 0 (opcode, nextLines) always comes: a corrupt mask cannot make a fetch read nothing.
    let nextMask = m.logic("next_desc_mask", lb, comment: "lines of the descriptor after this one")
    m.assign(nextMask, field[.nextLines]! | .lit(1, width: lb))
    let nextLen = m.logic("next_desc_len", 8, comment: "DRAM lines of the descriptor after this one")
    m.assign(nextLen, popCount(nextMask, width: 8))
    m.assign(total, Expr.mux(fetching, Expr.mux(pfFetching, nextLen, descLen.q).zeroExtended(to: 32),
                             Expr.mux(loadingFilters, filterLines.zeroExtended(to: 32), ifmapTileLines)))
    let reqCount = m.register("req_count", 32, reset: 0, comment: "lines requested")
    let respCount = m.register("resp_count", 32, reset: 0, comment: "lines received")
    let reqLine = m.register("req_line", 32, reset: 0, comment: "ifmap: line within the channel")
    let reqChannelBase = m.register("req_channel_base", ab, reset: 0, comment: "ifmap: DRAM line of the channel")
    let channelLines = m.logic("channel_lines", 32)
    m.assign(channelLines, load[.ifmapLoadRows]!.zeroExtended(to: 32) * load[.wl]!.zeroExtended(to: 32))
    let reqFire = m.logic("req_fire")
    let respFire = m.logic("resp_fire")
    m.assign(rqValid, loading & reqCount.q.lt(total))
    m.assign(reqFire, rqValid & rqReady)
    m.assign(rsReady, loading)
    m.assign(respFire, rsValid & loading)
    let descLine = Expr.mux(pfFetching, progPtr.q + descLen.q.zeroExtended(to: ab), progPtr.q)
    m.assign(rqAddr, Expr.mux(fetching, descLine + reqCount.q,
                              Expr.mux(loadingFilters, filterAddress + reqCount.q,
                                       reqChannelBase.q + reqLine.q)))
    let loadDone = m.logic("load_done", comment: "every line of the transfer has arrived")
    m.assign(loadDone, respCount.q.eq(total))
    let startLoad = m.logic("start_load", comment: "the next state begins a transfer")

    // Where a received line goes. A raw tile's rows sit in its slot as in a ring of nRows rows
    // per channel: row k of the tile at (k + ifmap_row_phase) mod nRows (Pass.ifmapRowPhase), so
    // a load may bring only the rows the slot lacks, its first or (flag 9) its last load_rows.
    m.assign(glbIfWrEn, respFire & loadingIfmap)
    m.assign(glbFWrEn, respFire & loadingFilters)
    let wlb = max(p.glbLineBits, p.filterLineBits)
    let loadTail = Expr.mux(ifmapFromNext, next[.flags]!.bit(9), flags.bit(9))
    let ringFirst = m.logic("ring_first_row", cb, comment: "ring place of the first row the load brings")
    let ringSum = m.logic("ring_first_sum", cb + 1, comment: "tile row of that row + phase, below 2 x nRows")
    m.assign(ringSum, Expr.mux(loadTail, load[.nRows]! - load[.ifmapLoadRows]!, .lit(0, width: cb)).zeroExtended(to: cb + 1)
        + load[.ifmapRowPhase]!.zeroExtended(to: cb + 1))
    let ringWrapped = m.logic("ring_first_wrapped", cb + 1, comment: "ring_first_sum mod nRows")
    m.assign(ringWrapped, Expr.mux(ringSum.ge(load[.nRows]!.zeroExtended(to: cb + 1)),
                                   ringSum - load[.nRows]!.zeroExtended(to: cb + 1), ringSum))
    m.assign(ringFirst, ringWrapped.truncated(to: cb))
    m.markUnused("ring_first_wrapped_high", [ringWrapped.bit(cb)])  // below nRows
    let wrCol = m.register("wr_col", cb, reset: 0, comment: "raw tile load: line of the arriving row")
    let wrPlace = m.register("wr_place", cb, reset: 0, comment: "raw tile load: ring place of the arriving row")
    let wrRowsLeft = m.register("wr_rows_left", cb, reset: 0, comment: "raw tile load: rows of the channel still to come")
    let wrRowBase = m.register("wr_row_base", 32, reset: 0, comment: "wr_place x Wl")
    let wrChannelBase = m.register("wr_channel_base", 32, reset: 0, comment: "channel x nRows x Wl")
    let ringFirstBase = m.logic("ring_first_base", 32, comment: "ring_first_row x Wl")
    let tileChannelLines = m.logic("tile_channel_lines", 32, comment: "a channel's lines in the slot: nRows x Wl")
    m.assign(tileChannelLines, load[.nRows]!.zeroExtended(to: 32) * load[.wl]!.zeroExtended(to: 32))
    m.assign(ringFirstBase, ringFirst.zeroExtended(to: 32) * load[.wl]!.zeroExtended(to: 32))
    m.comb("Raw tile load: the ring place of each arriving line") { b in
        b.set(wrCol.d, wrCol.q)
        b.set(wrPlace.d, wrPlace.q)
        b.set(wrRowsLeft.d, wrRowsLeft.q)
        b.set(wrRowBase.d, wrRowBase.q)
        b.set(wrChannelBase.d, wrChannelBase.q)
        b.when(startLoad) { b in
            b.set(wrCol.d, .lit(0, width: cb))
            b.set(wrPlace.d, ringFirst)
            b.set(wrRowsLeft.d, load[.ifmapLoadRows]!)
            b.set(wrRowBase.d, ringFirstBase)
            b.set(wrChannelBase.d, .lit(0, width: 32))
        } otherwise: { b in
            b.when(respFire & loadingIfmap) { b in
                b.set(wrCol.d, wrCol.q + 1)
                b.when(wrCol.q.eq(load[.wl]! - 1)) { b in
                    b.set(wrCol.d, .lit(0, width: cb))
                    b.set(wrRowsLeft.d, wrRowsLeft.q - 1)
                    b.set(wrPlace.d, wrPlace.q + 1)
                    b.set(wrRowBase.d, wrRowBase.q + load[.wl]!.zeroExtended(to: 32))
                    b.when(wrPlace.q.eq(load[.nRows]! - 1)) { b in
                        b.set(wrPlace.d, .lit(0, width: cb))
                        b.set(wrRowBase.d, .lit(0, width: 32))
                    }
                    b.when(wrRowsLeft.q.eq(.lit(1, width: cb))) { b in
                        b.set(wrRowsLeft.d, load[.ifmapLoadRows]!)
                        b.set(wrPlace.d, ringFirst)
                        b.set(wrRowBase.d, ringFirstBase)
                        b.set(wrChannelBase.d, wrChannelBase.q + tileChannelLines)
                    }
                }
            }
        }
    }
    let ifmapWrLine = m.logic("ifmap_wr_line", 32, comment: "slot base + channel x nRows x Wl + ring place x Wl + line")
    m.assign(ifmapWrLine, load[.ifmapBase]!.zeroExtended(to: 32) + wrChannelBase.q + wrRowBase.q + wrCol.q.zeroExtended(to: 32))
    m.markUnused("ifmap_wr_line_high", [ifmapWrLine.bits(31, wlb)])  // within the region
    m.assign(glbWrLine, Expr.mux(loadingIfmap, ifmapWrLine.truncated(to: wlb),
                                 respCount.q.truncated(to: wlb)
                                    + Expr.mux(pfHinting, field[.nextFilterBase]!, .lit(0, width: p.filterLineBits)).zeroExtended(to: wlb)))
    m.assign(glbWrData, rsData)

    // ------------------------------------------------------------------ setup
    m.section("Setup: per-row (g, i) and per-column (tg, j, j x stride) tables")
    let idxBits = max(p.rowIndexBits, p.columnIndexBits)
    let setupIdx = m.register("setup_idx", idxBits, reset: 0)
    let setupLast = m.logic("setup_last")
    m.assign(setupLast, setupIdx.q.eq(max(p.rows, p.columns) - 1))
    let runG = m.register("setup_g", cb, reset: 0)
    let runI = m.register("setup_i", cb, reset: 0)
    let runTG = m.register("setup_tg", cb, reset: 0)
    let runJ = m.register("setup_j", cb, reset: 0)
    let runJS = m.register("setup_jstride", cb, reset: 0)
    let inSetup = m.logic("in_setup")
    m.assign(inSetup, state.q.eq(stSetup))
    let iLast = m.logic("setup_i_last")
    let jLast = m.logic("setup_j_last")
    m.assign(iLast, runI.q.eq(field[.rc]! - 1))
    let pitch = m.logic("pitch_count", cb, comment: "the pitch as a count")
    m.assign(pitch, field[.pitch]!.zeroExtended(to: cb))
    m.assign(jLast, runJ.q.eq(pitch - 1))
    m.comb("Setup counters: i wraps at Rc (then g steps), j wraps at the pitch (then tg steps)") { b in
        for r in [setupIdx, runG, runI, runTG, runJ, runJS] { b.set(r.d, r.q) }
        b.when(inSetup) { b in
            b.set(setupIdx.d, setupIdx.q + 1)
            b.when(iLast) { b in
                b.set(runI.d, .lit(0, width: cb))
                b.set(runG.d, runG.q + 1)
            } otherwise: { b in b.set(runI.d, runI.q + 1) }
            b.when(jLast) { b in
                b.set(runJ.d, .lit(0, width: cb))
                b.set(runJS.d, .lit(0, width: cb))
                b.set(runTG.d, runTG.q + 1)
            } otherwise: { b in
                b.set(runJ.d, runJ.q + 1)
                b.set(runJS.d, runJS.q + field[.stride]!)
            }
        } otherwise: { b in
            for r in [setupIdx, runG, runI, runTG, runJ, runJS] { b.set(r.d, .lit(0, width: r.q.width)) }
        }
    }
    let chainRows = m.logic("chain_rows", cb, comment: "Rc x r: PE rows in each column's psum chain")
    m.assign(chainRows, field[.rc]! * field[.r]!)
    m.assign(chainRowsOut, chainRows)
    let usedColumns = m.logic("used_columns", cb, comment: "e x t: how many columns are active (they lie at the pitch)")
    m.assign(usedColumns, field[.e]! * field[.t]!)
    var gOut: [Expr] = [], iOut: [Expr] = [], aOut: [Expr] = [], topOut: [Expr] = []
    for r in 0..<p.rows {
        let g = m.register("row\(r)_g", p.rowTagBits)
        let i = m.register("row\(r)_i", p.ifmapColumnTagBits)
        let a = m.register("row\(r)_active", reset: 0)
        let top = m.register("row\(r)_top", reset: 0)
        let hit = inSetup & setupIdx.q.eq(r)
        m.comb { b in
            b.set(g.d, g.q); b.set(i.d, i.q); b.set(a.d, a.q); b.set(top.d, top.q)
            b.when(hit) { b in
                b.set(g.d, runG.q.resized(to: p.rowTagBits))
                b.set(i.d, runI.q.resized(to: p.ifmapColumnTagBits))
                b.set(a.d, Expr.lit(r, width: cb).lt(chainRows))
                b.set(top.d, Expr.lit(r + 1, width: cb).eq(chainRows))
            }
        }
        gOut.append(g.q); iOut.append(i.q); aOut.append(a.q); topOut.append(top.q)
    }
    m.assign(rowG, Expr.concat(gOut.reversed()))
    m.assign(rowI, Expr.concat(iOut.reversed()))
    m.assign(rowActive, Expr.concat(aOut.reversed()))
    m.assign(rowTop, Expr.concat(topOut.reversed()))
    var tgOut: [Expr] = [], jOut: [Expr] = [], jsOut: [Expr] = [], caOut: [Expr] = []
    for c in 0..<p.columns {
        let tg = m.register("col\(c)_tg", cb)
        let j = m.register("col\(c)_j", cb)
        let js = m.register("col\(c)_jstride", p.ifmapColumnTagBits)
        let a = m.register("col\(c)_active", reset: 0)
        let hit = inSetup & setupIdx.q.eq(c)
        m.comb { b in
            b.set(tg.d, tg.q); b.set(j.d, j.q); b.set(js.d, js.q); b.set(a.d, a.q)
            b.when(hit) { b in
                b.set(tg.d, runTG.q)
                b.set(j.d, runJ.q)
                b.set(js.d, runJS.q.resized(to: p.ifmapColumnTagBits))
                b.set(a.d, runJ.q.lt(field[.e]!) & runTG.q.lt(field[.t]!))
            }
        }
        tgOut.append(tg.q); jOut.append(j.q); jsOut.append(js.q); caOut.append(a.q)
    }
    // The tables depend on Rc, r, e, t, the pitch and the stride only: a pass that repeats the
    // geometry of the last setup (every pass of an accumulation loop, every image of a batch)
    // skips it.
    let tableKey = Expr.concat([field[.rc]!, field[.r]!, field[.e]!, field[.t]!, pitch, field[.stride]!])
    let tablesFor = m.register("tables_key", tableKey.width, comment: "the geometry the tables were set up for")
    let tablesValid = m.register("tables_valid", reset: 0)
    let setupNeeded = m.logic("setup_needed", comment: "the tables do not hold this pass's geometry")
    m.assign(setupNeeded, ~tablesValid.q | ~tablesFor.q.eq(tableKey))
    let setupDone = inSetup & setupLast
    m.assign(tablesValid.d, tablesValid.q | setupDone)
    m.assign(tablesFor.d, Expr.mux(setupDone, tableKey, tablesFor.q))
    m.assign(colTG, Expr.concat(tgOut.reversed()))
    m.assign(colJ, Expr.concat(jOut.reversed()))
    m.assign(colJStride, Expr.concat(jsOut.reversed()))
    m.assign(colActive, Expr.concat(caOut.reversed()))

    // ------------------------------------------------------------------ run
    m.section("Run: wait for every psum and every PE")
    let expected = m.register("expected_words", 32, reset: 0, comment: "psums the output network must deliver")
    m.assign(expected.d, field[.jobRows]!.zeroExtended(to: 32) * field[.f]!.zeroExtended(to: 32)
        * field[.p]!.zeroExtended(to: 32) * usedColumns.zeroExtended(to: 32))
    let settle = m.register("run_settle", reset: 0, comment: "one cycle for the start pulse to land")
    m.assign(runStart, state.q.eq(stRunStart))
    let runDone = m.logic("run_done")
    m.assign(runDone, state.q.eq(stRun) & settle.q & ~feedersBusy & pesIdle & gonWords.eq(expected.q))

    // ------------------------------------------------------------------ stores
    m.section("Store: the store engine writes the psum tile to DRAM while the next passes run")
    // A tile is handed over once the engine is free; the pass is then over. A later pass whose
    // psum tile shares a bank with the tile being stored waits for it: each bank has one read
    // port for the psum feeder and the engine together. Tiles open at once (the images and row
    // chunks of an interleaved batch) are packed one after the other, so neighbours may share a
    // bank; the mapper places the tiles of consecutive passes apart.
    let storeDone = m.logic("store_done", comment: "the tile goes to the store engine")
    m.assign(storeDone, state.q.eq(stStore) & ~rlcStoreBusy)
    let storeConflict = m.logic("store_conflict", comment: "this pass's psum tile shares a bank the engine still reads")
    m.assign(storeConflict, rlcStoreBusy & storeSharesBank)

    // ------------------------------------------------------------------ next state
    m.section("Next state")
    let opcodeEnd = m.logic("opcode_end")
    m.assign(opcodeEnd, field[.opcode]!.eq(0))
    let startCmd = m.logic("start_cmd", comment: "configuration write of 1 to register 1")
    m.assign(startCmd, cfgValid & cfgAddr.eq(1) & cfgData.eq(1))
    let afterDecode = m.logic("after_decode", sb)
    let afterFilter = m.logic("after_filter", sb)
    let afterRun = m.logic("after_run", sb)
    let nextDescriptor = m.logic("next_descriptor", sb, comment: "decode the prefetched descriptor, else fetch it")
    let afterSetup = m.logic("after_setup", sb)
    m.assign(afterSetup, Expr.mux(storeConflict, stStoreWait, stRunStart))
    let afterIfmap = m.logic("after_ifmap", sb)
    m.assign(afterIfmap, Expr.mux(setupNeeded, stSetup, afterSetup))
    m.assign(afterFilter, Expr.mux(flagLoadIfmap & ~ifmapPrefetched.q, stLoadIfmap, afterIfmap))
    m.assign(afterDecode, Expr.mux(opcodeEnd, stFinish,
                                   Expr.mux(flagLoadFilter & ~prefetched.q, stLoadFilter, afterFilter)))
    m.assign(nextDescriptor, Expr.mux(pfIsReady, stDecode, stFetch))
    m.assign(afterRun, Expr.mux(flagStore, stStore, nextDescriptor))
    let runExit = m.logic("run_exit", comment: "the pass has computed and the prefetch is not using the DRAM port")
    m.assign(runExit, ((state.q.eq(stRun) & runDone) | state.q.eq(stPrefetchWait)) & ~pfBusy)
    let passEnd = m.logic("pass_end", comment: "the pass is over: on to the next descriptor")
    m.assign(passEnd, (runExit & ~flagStore) | storeDone)
    let pfStart = m.logic("pf_start", comment: "the filter feeder is done: the filter buffer is free")
    m.assign(pfStart, state.q.eq(stRun) & settle.q & ~filterFeederBusy & ~runDone & pf.q.eq(pfIdle))
    let pfHintDone = m.logic("pf_hint_done")
    m.assign(pfHintDone, pfHinting & loadDone)
    let pfFetchDone = m.logic("pf_fetch_done")
    m.assign(pfFetchDone, pfFetching & loadDone)
    m.assign(pfIfmapStart, nextLoadsIfmap & ((pfFetchDone & ~nextLoadsFilters) | (pfLoadingFilters & loadDone)))
    let pfIfmapDone = m.logic("pf_ifmap_done")
    m.assign(pfIfmapDone, pfLoadingIfmap & Expr.mux(nextIfmapRLC, ~rlcLoadBusy, loadDone))
    m.assign(startLoad, (state.q.eq(stIdle) & startCmd) | (state.q.eq(stDone) & startCmd)
        | state.q.eq(stDecode) | (state.q.eq(stLoadFilter) & loadDone) | (passEnd & ~pfIsReady)
        | pfStart | pfHintDone | (pfFetchDone & nextLoadsFilters) | pfIfmapStart)
    m.assign(rlcStoreStart, storeDone)

    let ifmapLoaded = m.logic("ifmap_loaded")
    m.assign(ifmapLoaded, Expr.mux(flagIfmapRLC, ~rlcLoadBusy, loadDone))
    m.assign(rlcLoadStart, (flagIfmapRLC & ((state.q.eq(stDecode) & afterDecode.eq(stLoadIfmap))
        | (state.q.eq(stLoadFilter) & loadDone & afterFilter.eq(stLoadIfmap)))) | (pfIfmapStart & nextIfmapRLC))
    m.comb("State machine and program pointer") { b in
        b.set(state.d, state.q)
        b.set(progPtr.d, progPtr.q)
        b.set(progBase.d, progBase.q)
        b.set(settle.d, .zero)
        b.when(cfgValid & cfgAddr.eq(0)) { b in b.set(progBase.d, cfgData.zeroExtended(to: ab)) }
        b.switchOn(state.q, arms: [
            ([stIdle, stDone], { b in
                b.when(startCmd) { b in
                    b.set(state.d, stFetch)
                    b.set(progPtr.d, progBase.q)
                }
            }),
            ([stFetch], { b in b.when(loadDone) { b in b.set(state.d, stDecode) } }),
            ([stDecode], { b in b.set(state.d, afterDecode) }),
            ([stLoadFilter], { b in b.when(loadDone) { b in b.set(state.d, afterFilter) } }),
            ([stLoadIfmap], { b in b.when(ifmapLoaded) { b in b.set(state.d, afterIfmap) } }),
            ([stSetup], { b in b.when(setupLast) { b in b.set(state.d, afterSetup) } }),
            ([stStoreWait], { b in b.when(~storeConflict) { b in b.set(state.d, stRunStart) } }),
            ([stFinish], { b in b.when(~rlcStoreBusy) { b in b.set(state.d, stDone) } }),
            ([stRunStart], { b in
                b.set(state.d, stRun)
                b.set(settle.d, .one)
            }),
            ([stRun], { b in
                b.set(settle.d, .one)
                b.when(runDone) { b in b.set(state.d, stPrefetchWait) }
            }),
            ([stStore], { b in b.when(storeDone) { b in b.set(state.d, nextDescriptor) } }),
            ([stPrefetchWait], { _ in }),
        ], default: { b in b.set(state.d, stIdle) })
        // Leaving Run (directly, or from StPrefetchWait once the prefetch is in).
        b.when(runExit) { b in b.set(state.d, afterRun) }
        b.when(passEnd) { b in b.set(progPtr.d, progPtr.q + descLen.q.zeroExtended(to: ab)) }
    }
    m.comb("Prefetch sequencing: starts once per pass, consumed when the pass ends") { b in
        b.set(pf.d, pf.q)
        b.set(prefetched.d, prefetched.q)
        b.set(ifmapPrefetched.d, ifmapPrefetched.q)
        b.when(pfStart) { b in b.set(pf.d, Expr.mux(field[.nextFilterLines]!.anySet, pfHint, pfFetch)) }
        b.when(pfHintDone) { b in b.set(pf.d, pfFetch) }
        b.when(pfFetchDone) { b in b.set(pf.d, Expr.mux(nextLoadsFilters, pfFilter, Expr.mux(nextLoadsIfmap, pfIfmap, pfReady))) }
        b.when(pfLoadingFilters & loadDone) { b in b.set(pf.d, Expr.mux(nextLoadsIfmap, pfIfmap, pfReady)) }
        b.when(pfIfmapDone) { b in b.set(pf.d, pfReady) }
        b.when(passEnd) { b in
            b.set(pf.d, pfIdle)
            b.set(prefetched.d, pfIsReady)
            // A finished prefetch loaded the next tile exactly when the next pass loads one into another slot.
            b.set(ifmapPrefetched.d, pfIsReady & nextLoadsIfmap)
        }
        b.when(startCmd) { b in
            b.set(pf.d, pfIdle)
            b.set(prefetched.d, .zero)
            b.set(ifmapPrefetched.d, .zero)
        }
    }
    m.comb("DMA counters: restart with each transfer") { b in
        b.set(reqCount.d, reqCount.q)
        b.set(respCount.d, respCount.q)
        b.set(reqLine.d, reqLine.q)
        b.set(reqChannelBase.d, reqChannelBase.q)
        b.when(startLoad) { b in
            b.set(reqCount.d, .lit(0, width: 32))
            b.set(respCount.d, .lit(0, width: 32))
            b.set(reqLine.d, .lit(0, width: 32))
            b.set(reqChannelBase.d, load[.ifmapAddress]!)
        } otherwise: { b in
            b.when(reqFire) { b in
                b.set(reqCount.d, reqCount.q + 1)
                b.set(reqLine.d, reqLine.q + 1)
                b.when(reqLine.q.eq(channelLines - 1)) { b in
                    b.set(reqLine.d, .lit(0, width: 32))
                    b.set(reqChannelBase.d, reqChannelBase.q + load[.ifmapChannelLines]!)
                }
            }
            b.when(respFire) { b in b.set(respCount.d, respCount.q + 1) }
        }
    }
    // The line a fetched DRAM line is: the lowest one of the descriptor's still to come.
    let fetchLine = m.logic("fetch_line", lb, comment: "one-hot: the descriptor line the arriving DRAM line is")
    m.assign(fetchLine, fetchLeft.q & ~(fetchLeft.q - 1))
    m.comb("Compact descriptors: a fetch reads the lines its mask names, lowest first") { b in
        b.set(descLen.d, descLen.q)
        b.set(fetchLeft.d, fetchLeft.q)
        b.when(respFire & fetching) { b in b.set(fetchLeft.d, fetchLeft.q & ~fetchLine) }
        b.when(startLoad) { b in
            b.set(fetchLeft.d, Expr.mux(startCmd, .lit((1 << lb) - 1, width: lb), nextMask))
        }
        b.when(passEnd) { b in b.set(descLen.d, nextLen) }
        b.when(startCmd) { b in b.set(descLen.d, .lit(lb, width: 8)) }
    }
    m.comb("Descriptor fields: each from its bits of its descriptor line; a prefetched descriptor is copied") { b in
        for (_, reg) in fieldRegs { b.set(reg.d, reg.q) }
        for (_, reg) in nextRegs { b.set(reg.d, reg.q) }
        // Lines a compact descriptor leaves out are the current pass's.
        b.when(pfStart) { b in
            for (f, reg) in nextRegs { b.set(reg.d, field[f]!) }
        }
        for (regs, when) in [(fieldRegs, state.q.eq(stFetch)), (nextRegs, pfFetching)] {
            b.when(respFire & when) { b in
                for line in 0..<lb {
                    let inLine = regs.filter { $0.0.line == line }
                    guard !inLine.isEmpty else { continue }
                    b.when(fetchLine.bit(line)) { b in
                        for (f, reg) in inLine {
                            let value = rsData.bits(f.offset + f.width(p) - 1, f.offset)
                            b.set(reg.d, f == .yStart ? value.asSigned : value)
                        }
                    }
                }
            }
        }
        b.when(passEnd & pfIsReady) { b in
            for (f, reg) in fieldRegs { b.set(reg.d, next[f]!) }
        }
    }
    m.assign(busyOut, ~(state.q.eq(stIdle) | state.q.eq(stDone)))
    m.assign(doneOut, state.q.eq(stDone))
    m.assign(stateOut, state.q)
    let passes = m.register("passes", 32, reset: 0, comment: "passes finished in this program")
    m.comb { b in
        b.set(passes.d, passes.q)
        b.when(startCmd) { b in b.set(passes.d, .lit(0, width: 32)) }
            otherwise: { b in b.when(runDone) { b in b.set(passes.d, passes.q + 1) } }
    }
    m.assign(passesOut, passes.q)

    // Simulation-only checks: a corrupt program or a broken neighbour stops the run by name.
    m.assertion("state_legal", state.q.le(stFinish), message: "illegal state encoding")
    m.assertion("opcode_known", !(state.q.eq(stDecode) & field[.opcode]!.gt(.lit(1, width: DescriptorField.opcode.bits))),
                message: "unknown descriptor opcode (0 is END, 1 is PASS): the program in DRAM is corrupt")
    m.assertion("dram_resp_requested", !(respFire & respCount.q.ge(reqCount.q)),
                message: "a DRAM read response arrived that was never requested")
    m.assertion("gon_words_in_range", !(state.q.eq(stRun) & settle.q & gonWords.gt(expected.q)),
                message: "the output network delivered more psums than the pass expects")
    m.assertion("rlc_load_start_idle", !(rlcLoadStart & rlcLoadBusy),
                message: "coded ifmap load started while the RLC loader is still busy")
    m.assertion("rlc_store_start_idle", !(rlcStoreStart & rlcStoreBusy),
                message: "a store started while the store engine is still busy")
    m.assertion("dma_restart_quiet", !(startLoad & respCount.q.lt(reqCount.q)),
                message: "a DRAM transfer restarted while reads of the previous one were still in flight")
    m.assertion("prefetch_only_while_computing", !(pfBusy & ~(state.q.eq(stRun) | state.q.eq(stPrefetchWait))),
                message: "the prefetch used the DRAM read port outside Run: it would share it with a load or a store")
    m.assertion("filter_buffer_free", !(glbFWrEn & filterFeederBusy),
                message: "filter buffer written while the filter feeder still reads it")
    // At decode the load fields are this pass's (the prefetch is idle).
    // The ifmap region ends where the bank of the pass's psum tile begins.
    let ifmapRegionLines = Expr.concat([field[.psumLine]!.bits(p.glbLineBits - 1, p.bankAddrBits), .lit(0, width: p.bankAddrBits)])
        .zeroExtended(to: 32)
    m.assertion("ifmap_tile_in_region",
                !(state.q.eq(stDecode) & field[.opcode]!.eq(1)
                  & (load[.ifmapBase]!.zeroExtended(to: 32) + load[.q]!.zeroExtended(to: 32) * load[.r]!.zeroExtended(to: 32)
                     * tileChannelLines).gt(ifmapRegionLines)),
                message: "the pass's ifmap tile (ifmapBase + q*r*nRows*Wl lines) ends past the ifmap region (the banks below the psum tile's): the program in DRAM is corrupt")
    m.assertion("ifmap_load_rows_in_tile",
                !(state.q.eq(stDecode) & field[.opcode]!.eq(1) & flagLoadIfmap
                  & (field[.ifmapLoadRows]!.gt(field[.nRows]!) | field[.ifmapRowPhase]!.ge(field[.nRows]!)
                     | (flagIfmapRLC & (field[.ifmapLoadRows]!.ne(field[.nRows]!) | field[.ifmapRowPhase]!.anySet)))),
                message: "the pass loads more rows than its tile has, or its ring phase is outside the tile, or a coded tile does not load whole from row 0: the program in DRAM is corrupt")
    m.assertion("pitch_fits", !(state.q.eq(stDecode) & field[.opcode]!.eq(1)
                                & (pitch.lt(field[.e]!) | (pitch.zeroExtended(to: 32) * field[.t]!.zeroExtended(to: 32))
                                    .gt(.lit(p.columns, width: 32)))),
                message: "the pass's filter groups do not fit the array at its pitch (pitch < e or pitch x t > columns): the program in DRAM is corrupt")
    m.assertion("ifmap_prefetch_other_slot", !(pfLoadingIfmap & next[.ifmapBase]!.eq(field[.ifmapBase]!)),
                message: "the prefetch loads the next ifmap tile over the one this pass reads")
    m.assertion("prefetch_keeps_reused_filters", !(pfLoadingFilters & ~nextLoadsFilters),
                message: "the prefetch overwrote the filter buffer for a pass that re-feeds the block already there")
    return try m.build()
}
