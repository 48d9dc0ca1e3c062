import EyerissArea
import XCTest

/// The arithmetic of the model, without Yosys: gate weights, the SRAM and register-file
/// formulas, and how instance counts multiply down the hierarchy.
final class AreaModelTests: XCTestCase {
    let weights = GateWeights()
    let model = AreaModel()

    func testFlipFlopWeightsAreDecodedFromYosysNames() {
        XCTAssertEqual(weights.weight(of: "$_DFF_P_"), 5.67)
        XCTAssertEqual(weights.weight(of: "$_DFF_PN0_")!, 5.67 + 1.0, accuracy: 1e-9)      // async reset
        XCTAssertEqual(weights.weight(of: "$_DFFE_PP_")!, 5.67 + 2.33, accuracy: 1e-9)     // enable
        XCTAssertEqual(weights.weight(of: "$_SDFF_PN0_")!, 5.67 + 1.33, accuracy: 1e-9)    // sync reset
        XCTAssertEqual(weights.weight(of: "$_SDFFE_PN0P_")!, 5.67 + 1.33 + 2.33, accuracy: 1e-9)
        XCTAssertEqual(weights.weight(of: "$_DLATCH_P_"), 3.33)
        XCTAssertTrue(weights.isStorage("$_SDFFCE_PP0P_"))
        XCTAssertFalse(weights.isStorage("$_NAND_"))
        XCTAssertNil(weights.weight(of: "$_FROB_"))
        XCTAssertNil(weights.weight(of: "$add"))
    }

    func testLogicGatesAreCountsTimesWeights() throws {
        let cells = ["$_NAND_": 10, "$_NOT_": 3, "$_XOR_": 4, "$_MUX_": 2, "$_AOI3_": 5, "$_DFF_P_": 8, "$_SDFFE_PN0P_": 2]
        let (gates, flops) = try model.logicGates(cells, module: "m")
        let expected: Double = 10 * 1.0 + 3 * 0.67 + 4 * 2.0 + 2 * 2.33 + 5 * 1.33 + 8 * 5.67 + 2 * (5.67 + 1.33 + 2.33)
        XCTAssertEqual(gates, expected, accuracy: 1e-9)
        XCTAssertEqual(flops, 10)
        XCTAssertThrowsError(try model.logicGates(["$_FROB_": 1], module: "m")) { error in
            XCTAssertTrue("\(error)".contains("$_FROB_"), "\(error)")
        }
    }

    func testSRAMFormulaAt65nm() {
        let node = TechnologyNode.n65, mem = MemoryModel()
        let spad = MemoryShape(name: "filter_spad_q", width: 16, depth: 224, readPorts: 1, writePorts: 1)
        // 3584 bits x 0.525 um^2 x 1.1 + (224 x 4 + 16 x 25 + 1500) x 1.44 um^2
        let expected: Double = 3584 * 0.525 * 1.1 + (224 * 4.0 + 16 * 25.0 + 1500) * 1.44
        XCTAssertEqual(mem.sramUm2(spad, node: node), expected, accuracy: 1e-6)
        let price = mem.price(spad, node: node, weights: weights)
        XCTAssertEqual(price.kind, .sram)
        XCTAssertEqual(price.gates, expected / 1.44, accuracy: 1e-6)
        // A second read port doubles the periphery and enlarges the cell.
        let twoRead = MemoryShape(name: "b", width: 16, depth: 512, readPorts: 2, writePorts: 1)
        let expected2: Double = 8192 * 0.525 * 1.6 * 1.1 + (2 * (512 * 4.0 + 16 * 25.0) + 1500) * 1.44
        XCTAssertEqual(mem.sramUm2(twoRead, node: node), expected2, accuracy: 1e-6)
        // Larger macros spend less of their area on periphery.
        let big = MemoryShape(name: "glb", width: 64, depth: 512, readPorts: 1, writePorts: 1)
        XCTAssertLessThan(mem.sramUm2(big, node: node) / Double(big.bits), mem.sramUm2(spad, node: node) / Double(spad.bits))
    }

    func testRegisterFileFormula() {
        let mem = MemoryModel()
        let psum = MemoryShape(name: "psum_spad_q", width: 16, depth: 24, readPorts: 2, writePorts: 1)
        // flops with enables + one 24-word decoder (5 address bits) + two 24:1 read mux trees of 16 bits
        let expected: Double = 384 * (5.67 + 2.33) + 24 * 4 * 1.33 + 2 * 16 * 23 * 2.33
        XCTAssertEqual(mem.registerFileGates(psum, weights: weights), expected, accuracy: 1e-9)
        let price = mem.price(psum, node: .n65, weights: weights)
        XCTAssertEqual(price.kind, .regfile)
        XCTAssertEqual(price.cellUm2, expected * 1.44, accuracy: 1e-6)
        XCTAssertEqual(model.memoryMM2(price), expected * 1.44 / 0.7 / 1e6, accuracy: 1e-12)
    }

    func testSizeChoosesSRAMOrRegisterFile() {
        var mem = MemoryModel()
        XCTAssertEqual(mem.kind(of: MemoryShape(name: "a", width: 16, depth: 63, readPorts: 1, writePorts: 1)), .regfile)
        XCTAssertEqual(mem.kind(of: MemoryShape(name: "a", width: 16, depth: 64, readPorts: 1, writePorts: 1)), .sram)
        // The chip's choices: the filter spad is SRAM, the ifmap and psum spads and FIFOs registers.
        XCTAssertEqual(mem.kind(of: MemoryShape(name: "f", width: 16, depth: 224, readPorts: 1, writePorts: 1)), .sram)
        XCTAssertEqual(mem.kind(of: MemoryShape(name: "i", width: 16, depth: 12, readPorts: 1, writePorts: 1)), .regfile)
        XCTAssertEqual(mem.kind(of: MemoryShape(name: "p", width: 16, depth: 24, readPorts: 2, writePorts: 1)), .regfile)
        mem.sramMinBits = 100
        XCTAssertEqual(mem.kind(of: MemoryShape(name: "i", width: 16, depth: 12, readPorts: 1, writePorts: 1)), .sram)
    }

    func testInstanceCountsMultiplyDownTheHierarchy() throws {
        let syntheses: [String: ModuleSynthesis] = [
            "eyeriss_top": ModuleSynthesis(module: "eyeriss_top", cells: ["$_NAND_": 100],
                                           instances: ["eyeriss_pe": 6, "eyeriss_glb": 1], memories: []),
            "eyeriss_pe": ModuleSynthesis(module: "eyeriss_pe", cells: ["$_XOR_": 10, "$_DFF_P_": 2],
                                          instances: ["eyeriss_fifo_w16_d4": 3],
                                          memories: [MemoryShape(name: "filter_spad_q", width: 16, depth: 224, readPorts: 1, writePorts: 1)]),
            "eyeriss_fifo_w16_d4": ModuleSynthesis(module: "eyeriss_fifo_w16_d4", cells: ["$_NOT_": 3],
                                                   instances: [:],
                                                   memories: [MemoryShape(name: "mem_q", width: 16, depth: 4, readPorts: 1, writePorts: 1)]),
            "eyeriss_glb": ModuleSynthesis(module: "eyeriss_glb", cells: ["$_AND_": 3], instances: [:],
                                           memories: [MemoryShape(name: "bank0", width: 64, depth: 512, readPorts: 1, writePorts: 1),
                                                      MemoryShape(name: "bank1", width: 64, depth: 512, readPorts: 1, writePorts: 1),
                                                      MemoryShape(name: "fbuf", width: 64, depth: 1024, readPorts: 1, writePorts: 1)]),
        ]
        let r = try AreaReport.build(top: "eyeriss_top", syntheses: syntheses, model: model, configHash: "c", rtlHash: "r")
        func row(_ module: String, _ part: String) -> AreaRow { r.rows.first { $0.module == module && $0.part == part }! }
        XCTAssertEqual(row("eyeriss_pe", "logic").instances, 6)
        XCTAssertEqual(row("eyeriss_pe", "logic").gatesEach, 10 * 2.0 + 2 * 5.67, accuracy: 1e-9)
        XCTAssertEqual(row("eyeriss_pe", "logic").gates, 6 * (10 * 2.0 + 2 * 5.67), accuracy: 1e-9)
        XCTAssertEqual(row("eyeriss_fifo_w16_d4", "logic").instances, 18)
        XCTAssertEqual(row("eyeriss_fifo_w16_d4", "logic").category, "PE array", "a FIFO in the PE is PE area")
        XCTAssertEqual(row("eyeriss_fifo_w16_d4", "mem_q").kind, "regfile")
        XCTAssertEqual(row("eyeriss_pe", "filter_spad_q").kind, "sram")
        // Memories of one shape share a row.
        let banks = row("eyeriss_glb", "bank0..bank1")
        XCTAssertEqual(banks.category, "global buffer")
        XCTAssertEqual(banks.copies, 2)
        XCTAssertEqual(banks.detail, "2 x (512 x 64 b, 1R 1W)")
        let bank = MemoryModel().sramUm2(MemoryShape(name: "b", width: 64, depth: 512, readPorts: 1, writePorts: 1), node: .n65)
        XCTAssertEqual(banks.gatesEach, 2 * bank / 1.44, accuracy: 1e-6)
        XCTAssertEqual(banks.mm2, 2 * bank / 1e6, accuracy: 1e-12)
        XCTAssertEqual(row("eyeriss_glb", "fbuf").copies, 1)
        let sum = r.rows.reduce(0) { $0 + $1.gates }
        XCTAssertEqual(r.total.gates, sum, accuracy: 1e-6)
        XCTAssertEqual(r.total.mm2, r.rows.reduce(0) { $0 + $1.mm2 }, accuracy: 1e-12)
        XCTAssertEqual(r.categories.map(\.category), ["PE array", "NoC", "global buffer", "controller", "RLC codec", "top-level glue"])
        XCTAssertFalse(r.categories.first { $0.category == "RLC codec" }!.present)
        let pe = r.categories.first { $0.category == "PE array" }!.totals
        XCTAssertEqual(pe.gates, r.rows.filter { $0.category == "PE array" }.reduce(0) { $0 + $1.gates }, accuracy: 1e-6)
    }
}
