import EyerissConfig
import HDL

/// The accelerator-level performance counters of `eyeriss_perf_counters`, in select order:
/// `perf_sel_i` = the raw value picks the counter on `perf_cnt_o`. The PE-level counters (MACs,
/// gated MACs, scratchpad accesses) stay in the PEs (`dbg_cnt_o`).
///
/// Units: cycles; `dataBits` words on the networks and the global buffer (the feeders move one
/// word per access, loads and stores a line of `lanes` words, the RLC loader the lanes its
/// segment enables); DRAM lines (one `dram.busBits` line per handshake, counted at the top's
/// DRAM port, so the RLC loader and encoder count too). docs/report-schema.md maps each to its
/// report field.
public enum PerfCounter: Int, CaseIterable, Sendable {
    /// Cycles the controller is busy running a program (`busy_o`).
    case cyclesBusy
    /// Cycles at least one PE is working.
    case cyclesPEBusy
    /// Cycles the array waits on DRAM: the controller fetches a descriptor, loads filters or an
    /// ifmap tile, waits for the store engine (to take a tile, to free a pass's psum banks, or
    /// to finish the program's last tile), or waits at the end of a pass for the prefetch of the
    /// next descriptor and filter block (the part of the prefetch or the store that overlaps
    /// the run is not counted).
    case cyclesDRAMStall
    /// Cycles a feeder holds a word a global input network cannot deliver (a destination PE is
    /// not ready).
    case cyclesNoCStall
    /// Words delivered by the filter, ifmap and psum GINs (a multicast word counts once).
    case ginFilterWords
    case ginIfmapWords
    case ginPsumWords
    /// Psums carried by the global output network to the buffer.
    case gonWords
    /// Psums moved up the local links from one PE to the PE above.
    case localPsumWords
    /// Global buffer words read and written per data type.
    case glbFilterReads
    case glbFilterWrites
    case glbIfmapReads
    case glbIfmapWrites
    case glbPsumReads
    case glbPsumWrites
    /// DRAM lines read (responses taken) and written (writes accepted).
    case dramLinesRead
    case dramLinesWritten
    /// DRAM lines read while loading filters, and ifmaps (raw or through the RLC loader); the
    /// rest of `dramLinesRead` are descriptors.
    case dramFilterLinesRead
    case dramIfmapLinesRead

    /// The counter's name in the RTL (`cnt_<name>_q`) and in reports.
    public var name: String {
        ["cycles_busy", "cycles_pe_busy", "cycles_dram_stall", "cycles_noc_stall",
         "gin_filter_words", "gin_ifmap_words", "gin_psum_words", "gon_words", "local_psum_words",
         "glb_filter_reads", "glb_filter_writes", "glb_ifmap_reads", "glb_ifmap_writes",
         "glb_psum_reads", "glb_psum_writes", "dram_lines_read", "dram_lines_written",
         "dram_filter_lines_read", "dram_ifmap_lines_read"][rawValue]
    }

    /// Bits of `perf_sel_i`.
    public static let selectBits = 5
}

/// Controller state codes the counters decode (`eyeriss_controller`'s `St*` localparams; a test
/// checks the generated controller against them).
enum ControllerStateCode {
    static let bits = 4
    static let fetch = 1
    static let loadFilter = 3
    static let loadIfmap = 4
    static let store = 8
    static let prefetchWait = 10
    static let storeWait = 11
    static let finish = 12
}

/// `eyeriss_perf_counters`: one `bits`-wide counter per `PerfCounter`, cleared by `clear_i` (the
/// program's start command) and incremented by its event input each cycle; `perf_cnt_o` shows the
/// counter `perf_sel_i` selects, combinationally. An event is the count of this cycle (one bit
/// for most; words for the buffer and the local links). One add per counter per cycle: no
/// other logic, and nothing toggles on the read-out unless the select changes.
func makePerfCounters(bits: Int, eventBits: [Int], header: RTLHeader) throws -> Module {
    let m = ModuleBuilder("eyeriss_perf_counters", header: header.lines(
        purpose: "Performance counters: cycles, network words, global buffer and DRAM accesses, read through a select.",
        parameters: ["\(PerfCounter.allCases.count) counters of \(bits) b (counters.bits)"]))
    m.portGroup("Clock and synchronous active-low reset")
    m.input("clk_i")
    m.input("rst_ni")
    m.portGroup("Clear: the start command of a program")
    let clear = m.input("clear_i")
    m.portGroup("Events of this cycle: what each counter adds")
    var events: [Expr] = []
    for (c, w) in zip(PerfCounter.allCases, eventBits) { events.append(m.input("ev_\(c.name)_i", w)) }
    m.portGroup("Read-out: counter perf_sel_i on perf_cnt_o")
    let sel = m.input("perf_sel_i", PerfCounter.selectBits)
    let out = m.output("perf_cnt_o", bits)

    m.section("Counters")
    var counters: [Expr] = []
    for (c, ev) in zip(PerfCounter.allCases, events) {
        let r = m.register("cnt_\(c.name)", bits, reset: 0)
        m.assign(r.d, Expr.mux(clear, .lit(0, width: bits), r.q + ev.zeroExtended(to: bits)))
        counters.append(r.q)
    }
    m.section("Read-out")
    m.comb("Selected counter") { b in
        b.set(out, .lit(0, width: bits))
        for (i, q) in counters.enumerated() { b.when(sel.eq(i)) { b in b.set(out, q) } }
    }
    return try m.build()
}

/// Instantiates `eyeriss_perf_counters` in the top (`u_perf_counters`) with every event.
/// `links[r][c]`: set when a psum moves up the local link from PE (r, c) to PE (r+1, c) this
/// cycle; summed per row, then over the rows.
func instantiatePerfCounters(_ m: ModuleBuilder, clk: Expr, rst: Expr, clear: Expr, events: [PerfCounter: Expr],
                             links: [[Expr]], sel: Expr, out: Expr, header: RTLHeader, design: inout Design) throws {
    let linkCountBits = max(1, bitsToHold(links.reduce(0) { $0 + $1.count }))
    func sum(_ terms: [Expr]) -> Expr {
        terms.map { $0.zeroExtended(to: linkCountBits) }.reduce(nil as Expr?) { acc, x in acc.map { $0 + x } ?? x }
            ?? .lit(0, width: linkCountBits)
    }
    let rowSums = links.enumerated().map { r, row -> Expr in
        let s = m.logic("perf_link_words_r\(r)", linkCountBits, comment: "psums moving up from PE row \(r) this cycle")
        m.assign(s, sum(row))
        return s
    }
    let linkCount = m.logic("perf_link_words", linkCountBits, comment: "psums moving up the local links this cycle")
    m.assign(linkCount, sum(rowSums))
    var inputs: [String: Expr] = ["clk_i": clk, "rst_ni": rst, "clear_i": clear, "perf_sel_i": sel]
    var eventBits: [Int] = []
    for c in PerfCounter.allCases {
        let e = c == .localPsumWords ? linkCount : events[c]!
        inputs["ev_\(c.name)_i"] = e
        eventBits.append(e.width)
    }
    let module = try makePerfCounters(bits: out.width, eventBits: eventBits, header: header)
    try design.add(module)
    m.instance(module, "u_perf_counters", inputs: inputs, outputs: ["perf_cnt_o": out])
}

/// Set bits of `bits`, `width` wide.
func popCount(_ bits: Expr, width: Int) -> Expr {
    (0..<bits.width).map { bits.bit($0).zeroExtended(to: width) }.reduce(Expr.lit(0, width: width)) { $0 + $1 }
}
