import EyerissConfig
import HDL

/// The global buffer, `eyeriss_glb`: `fmapBanks` banks of `bankWords` lines for ifmaps and
/// psums, and the filter buffer.
///
/// Each fmap bank belongs wholly to the ifmap region or the psum region for a pass: banks below
/// the bank of `cfg_psum_line_i` (the first line of the pass's psum tile) are ifmap banks, the
/// rest psum banks (JSSC 2017: 25 banks of 512 x 64 b, assigned per layer). The ifmap region is
/// addressed from line 0, the psum tile from its first line, which may lie inside a bank (tiles
/// open at once are packed). A bank is `lanes` memories of one word each, so a line can be
/// written in part (a lane enable per word).
///
/// Ports (all reads are synchronous: data is valid the cycle after the read enable and holds
/// until the next read of that port):
/// - ifmap region: line write with lane enables (DRAM loads, RLC decoder), word read (ifmap feeder);
/// - psum region: line write with lane enables (output network), line read (psum feeder);
/// - store read: a line read of a psum tile from its own first line (the store engine, which
///   may store a finished tile while the next pass runs in other banks: the two read ports
///   never read one bank in the same cycle, so each bank stays single-ported);
/// - filter buffer: line write (DRAM loads), line read (filter feeder).
public func makeGlobalBuffer(_ p: TopParams, header: RTLHeader) throws -> Module {
    let m = ModuleBuilder("eyeriss_glb", header: header.lines(
        purpose: "Global buffer: banked ifmap/psum storage and the filter buffer.",
        parameters: [
            "fmap banks: \(p.fmapBanks) x \(p.bankWords) lines x \(p.lineBits) b, split between ifmaps and psums per pass (JSSC 2017: 25 x 512 x 64 b)",
            "filter buffer: \(p.filterLines) lines x \(p.lineBits) b (JSSC 2017: 2 x 512 x 64 b)",
            "line: \(p.lanes) words of \(p.dataBits) b",
        ]))
    let lw = p.lineBits, dw = p.dataBits
    m.portGroup("Clock; the reset only quiets the simulation check while the readers reset")
    m.input("clk_i")
    m.input("rst_ni")
    m.portGroup("Per pass: the psum tile's first line; banks from its bank up hold psums")
    let psumLine = m.input("cfg_psum_line_i", p.glbLineBits)
    m.portGroup("Ifmap region: line writes from DRAM, word reads for the ifmap feeder")
    let ifWrEn = m.input("if_wr_en_i")
    let ifWrLine = m.input("if_wr_line_i", p.glbLineBits)
    let ifWrData = m.input("if_wr_data_i", lw)
    let ifWrMask = m.input("if_wr_mask_i", p.lanes)
    let ifRdEn = m.input("if_rd_en_i")
    let ifRdWord = m.input("if_rd_word_i", p.glbWordBits)
    let ifRdData = m.output("if_rd_data_o", dw)
    m.portGroup("Psum region: line writes from the output network, line reads")
    let psWrEn = m.input("ps_wr_en_i")
    let psWrLine = m.input("ps_wr_line_i", p.glbLineBits)
    let psWrData = m.input("ps_wr_data_i", lw)
    let psWrMask = m.input("ps_wr_mask_i", p.lanes)
    let psRdEn = m.input("ps_rd_en_i")
    let psRdLine = m.input("ps_rd_line_i", p.glbLineBits)
    let psRdData = m.output("ps_rd_data_o", lw)
    m.portGroup("Store read: psum tile lines from the tile's first line st_rd_base_i")
    let stRdEn = m.input("st_rd_en_i")
    let stRdBase = m.input("st_rd_base_i", p.glbLineBits)
    let stRdLine = m.input("st_rd_line_i", p.glbLineBits)
    let stRdData = m.output("st_rd_data_o", lw)
    m.portGroup("Filter buffer: line writes from DRAM, line reads for the filter feeder")
    let fWrEn = m.input("f_wr_en_i")
    let fWrLine = m.input("f_wr_line_i", p.filterLineBits)
    let fWrData = m.input("f_wr_data_i", lw)
    let fRdEn = m.input("f_rd_en_i")
    let fRdLine = m.input("f_rd_line_i", p.filterLineBits)
    let fRdData = m.output("f_rd_data_o", lw)

    // ------------------------------------------------------------------ address decode
    m.section("Region addresses to banks")
    // A line counted from the fmap line `base` (nil: line 0), as a bank and a line of it.
    func bankOf(_ name: String, _ line: Expr, base: Expr?) -> (bank: Expr, row: Expr) {
        let bank = m.logic("\(name)_bank", p.bankIndexBits)
        let row = m.logic("\(name)_row", p.bankAddrBits)
        var fmapLine = line
        if let base {
            let sum = m.logic("\(name)_fmap_line", p.glbLineBits, comment: "the tile's first line + the line")
            m.assign(sum, base + line)
            fmapLine = sum
        }
        m.assign(bank, fmapLine.bits(p.glbLineBits - 1, p.bankAddrBits).resized(to: p.bankIndexBits))
        m.assign(row, fmapLine.bits(p.bankAddrBits - 1, 0))
        return (bank, row)
    }
    let psumBank = m.logic("psum_bank", p.bankIndexBits, comment: "the psum tile's first bank: the psum region's")
    m.assign(psumBank, psumLine.bits(p.glbLineBits - 1, p.bankAddrBits).resized(to: p.bankIndexBits))
    let ifWrLineSig = ifWrLine
    let ifRdLine = m.logic("if_rd_line", p.glbLineBits)
    m.assign(ifRdLine, ifRdWord.bits(p.glbWordBits - 1, p.laneBits))
    let ifRdLane = m.register("if_rd_lane", p.laneBits, comment: "lane of the word being read")
    m.assign(ifRdLane.d, Expr.mux(ifRdEn, ifRdWord.bits(p.laneBits - 1, 0), ifRdLane.q))
    let ifW = bankOf("if_wr", ifWrLineSig, base: nil)
    let ifR = bankOf("if_rd", ifRdLine, base: nil)
    let psW = bankOf("ps_wr", psWrLine, base: psumLine)
    let psR = bankOf("ps_rd", psRdLine, base: psumLine)
    let stR = bankOf("st_rd", stRdLine, base: stRdBase)

    // ------------------------------------------------------------------ banks
    m.section("Banks: one memory per lane, owned by the ifmap or the psum region")
    var ifReadArms: [(labels: [Expr], body: (StmtBuilder) -> Void)] = []
    var psReadArms: [(labels: [Expr], body: (StmtBuilder) -> Void)] = []
    let ifLine = m.register("if_rd_line_data", lw, comment: "line read from the ifmap region")
    let psLine = m.register("ps_rd_line_data", lw, comment: "line read from the psum region")
    var stReadArms: [(labels: [Expr], body: (StmtBuilder) -> Void)] = []
    let stLine = m.register("st_rd_line_data", lw, comment: "line read for the store engine")
    for b in 0..<p.fmapBanks {
        let id = Expr.lit(b, width: p.bankIndexBits)
        let ownedByPsums = m.logic("bank\(b)_psum", comment: b == 0 ? "bank belongs to the psum region this pass" : nil)
        m.assign(ownedByPsums, id.ge(psumBank))
        let lanesMem = (0..<p.lanes).map { l in
            m.memory("glb_b\(b)_l\(l)_q", width: dw, depth: p.bankWords)
        }
        for l in 0..<p.lanes {
            let ifHit = ifWrEn & ifWrMask.bit(l) & ifW.bank.eq(id) & ~ownedByPsums
            let psHit = psWrEn & psWrMask.bit(l) & psW.bank.eq(id) & ownedByPsums
            let data = m.logic("bank\(b)_l\(l)_wdata", dw)
            m.assign(data, Expr.mux(ownedByPsums, psWrData.bits(dw * l + dw - 1, dw * l), ifWrData.bits(dw * l + dw - 1, dw * l)))
            m.memoryWrite(lanesMem[l], enable: ifHit | psHit, index: Expr.mux(ownedByPsums, psW.row, ifW.row), data: data)
        }
        let lineAt = { (row: Expr) in Expr.concat(lanesMem.reversed().map { $0[row] }) }
        ifReadArms.append(([id], { b in b.set(ifLine.d, lineAt(ifR.row)) }))
        psReadArms.append(([id], { b in b.set(psLine.d, lineAt(psR.row)) }))
        stReadArms.append(([id], { b in b.set(stLine.d, lineAt(stR.row)) }))
    }
    m.comb("Ifmap region read: the addressed bank's line, registered") { b in
        b.set(ifLine.d, ifLine.q)
        b.when(ifRdEn) { b in b.switchOn(ifR.bank, arms: ifReadArms, default: { _ in }) }
    }
    m.comb("Psum region read") { b in
        b.set(psLine.d, psLine.q)
        b.when(psRdEn) { b in b.switchOn(psR.bank, arms: psReadArms, default: { _ in }) }
    }
    m.comb("Ifmap word: the lane of the line read last cycle") { b in
        b.set(ifRdData, .lit(0, width: dw))
        b.switchOn(ifRdLane.q, arms: (0..<p.lanes).map { l in
            ([Expr.lit(l, width: p.laneBits)], { b in b.set(ifRdData, ifLine.q.bits(dw * l + dw - 1, dw * l)) })
        }, default: { _ in })
    }
    m.assign(psRdData, psLine.q)
    m.comb("Store read") { b in
        b.set(stLine.d, stLine.q)
        b.when(stRdEn) { b in b.switchOn(stR.bank, arms: stReadArms, default: { _ in }) }
    }
    m.assign(stRdData, stLine.q)
    m.assertion("one_read_per_bank", !(psRdEn & stRdEn & psR.bank.eq(stR.bank)),
                message: "global buffer: the psum feeder and the store engine read one bank in the same cycle")

    // ------------------------------------------------------------------ filter buffer
    m.section("Filter buffer")
    let fbuf = m.memory("fbuf_q", width: lw, depth: p.filterLines)
    m.memoryWrite(fbuf, enable: fWrEn, index: fWrLine, data: fWrData)
    let fLine = m.register("f_rd_line_data", lw)
    m.assign(fLine.d, Expr.mux(fRdEn, fbuf[fRdLine], fLine.q))
    m.assign(fRdData, fLine.q)
    return try m.build()
}
