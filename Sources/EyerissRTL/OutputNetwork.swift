import EyerissConfig
import HDL

/// `eyeriss_gon`: the global output network. Takes psums from the top PE of every active
/// column (the top row is chosen by the PE array wiring) and writes each to its psum tile
/// address: column c sends, per strip, per output f, psums k = 0 ..< p of its filter group tg
/// and strip column j (docs/architecture.md, section 4). One word per cycle; the lowest ready
/// column wins, which cannot starve anyone because a column produces at most p words per
/// p x q x S cycles.
public func makeOutputNetwork(_ p: TopParams, header: RTLHeader) throws -> Module {
    let m = ModuleBuilder("eyeriss_gon", header: header.lines(
        purpose: "Global output network: psums from the top of each PE column to the psum tile.",
        parameters: ["columns: \(p.columns)", "psum region: \(p.glbWordBits)-bit word addresses"]))
    let cb = p.countBits, dw = p.dataBits, cols = p.columns
    m.portGroup("Clock and synchronous active-low reset")
    m.input("clk_i")
    m.input("rst_ni")
    m.portGroup("Pass control")
    let start = m.input("start_i")
    let words = m.output("words_o", 32)
    m.portGroup("Pass configuration")
    let cfgP = m.input("cfg_p_i", cb)
    let cfgE = m.input("cfg_e_i", cb)
    let cfgF = m.input("cfg_f_i", cb)
    let cfgEpass = m.input("cfg_epass_i", cb)
    let cfgJobRows = m.input("cfg_job_rows_i", cb)
    let cfgFl = m.input("cfg_fl_i", cb)
    let colTG = m.input("col_tg_i", cols * cb)
    let colJ = m.input("col_j_i", cols * cb)
    m.portGroup("Psums from the top PE of each column")
    let inValid = m.input("col_valid_i", cols)
    let inReady = m.output("col_ready_o", cols)
    let inData = m.input("col_data_i", cols * dw)
    m.portGroup("Psum region write port")
    let wrEn = m.output("ps_wr_en_o")
    let wrWord = m.output("ps_wr_word_o", p.glbWordBits)
    let wrData = m.output("ps_wr_data_o", dw)

    m.section("Arbitration: the lowest valid column")
    let grant = m.logic("grant", cols, comment: "one-hot: the column served this cycle")
    var grants: [Expr] = []
    var earlier: Expr = .zero
    for c in 0..<cols {
        grants.append(inValid.bit(c) & ~earlier)
        earlier = earlier | inValid.bit(c)
    }
    m.assign(grant, Expr.concat(grants.reversed()))
    m.assign(inReady, grant)
    m.assign(wrEn, grant.anySet)

    m.section("Per-column position: filter k, output f, strip")
    var addrs: [Expr] = []
    for c in 0..<cols {
        let nest = LoopNest(m, "c\(c)", levels: [("k", cb, cfgP), ("f", cb, cfgF), ("strip", cb, cfgJobRows)],
                            advance: grant.bit(c), restart: start, exposeLastAll: false)
        let tg = m.logic("c\(c)_tg", cb)
        let j = m.logic("c\(c)_j", cb)
        m.assign(tg, colTG.bits(c * cb + cb - 1, c * cb))
        m.assign(j, colJ.bits(c * cb + cb - 1, c * cb))
        addrs.append(psumTileAddress(m, "c\(c)_addr", tg: tg, k: nest.counters[0], j: j, strip: nest.counters[2],
                                     f: nest.counters[1], p: cfgP, e: cfgE, epass: cfgEpass, fl: cfgFl,
                                     laneBits: p.laneBits, wordBits: p.glbWordBits))
    }
    m.comb("Address and data of the granted column") { b in
        b.set(wrWord, .lit(0, width: p.glbWordBits))
        b.set(wrData, .lit(0, width: dw))
        for c in 0..<cols {
            b.when(grant.bit(c)) { b in
                b.set(wrWord, addrs[c])
                b.set(wrData, inData.bits(c * dw + dw - 1, c * dw))
            }
        }
    }
    let count = m.register("words", 32, reset: 0, comment: "psums written this pass")
    m.comb { b in
        b.set(count.d, count.q)
        b.when(start) { b in b.set(count.d, .lit(0, width: 32)) }
            otherwise: { b in b.when(wrEn) { b in b.set(count.d, count.q + 1) } }
    }
    m.assign(words, count.q)
    return try m.build()
}
