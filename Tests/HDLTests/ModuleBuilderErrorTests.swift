import Foundation
import HDL
import XCTest

/// Every elaboration rule of `ModuleBuilder.build()`: a broken module throws an `HDLError`
/// naming the module and the signal. Each test first builds the same module without the fault,
/// so the error is known to come from the fault and nothing else.
final class ModuleBuilderErrorTests: XCTestCase {
    /// `y_o = a_i` through an internal signal `x`; `fault` adds one more thing on top.
    private func passThrough(_ name: String = "m", fault: ((ModuleBuilder, _ a: Expr, _ x: Expr, _ y: Expr) -> Void)? = nil) -> ModuleBuilder {
        let b = ModuleBuilder(name)
        let a = b.input("a_i", 4)
        let y = b.output("y_o", 4)
        let x = b.logic("x", 4)
        b.comb { s in s.set(x, a) }
        b.assign(y, x)
        fault?(b, a, x, y)
        return b
    }

    func testControlModuleBuilds() throws {
        let m = try passThrough().build()
        XCTAssertEqual(m.name, "m")
        XCTAssertEqual(m.signals.map(\.name), ["x"])
        XCTAssertEqual(m.blocks.count, 2)
    }

    // MARK: - Drivers

    func testTwoCombBlocksDrivingOneSignal() {
        let b = passThrough { b, a, x, _ in b.comb { s in s.set(x, ~a) } }
        assertElaborationError(b, ["'x' in m has 2 drivers"])
    }

    func testAssignPlusCombDrivingOneSignal() {
        let b = passThrough { b, a, x, _ in b.assign(x, a) }
        let message = assertElaborationError(b, ["'x' in m has 2 drivers"])
        // Both driver locations point at this test file.
        XCTAssertEqual(message?.components(separatedBy: "HDLTests/ModuleBuilderErrorTests.swift:").count, 3)
    }

    func testOutputWithTwoDrivers() {
        let b = passThrough { b, a, _, y in b.assign(y, a) }
        assertElaborationError(b, ["output 'y_o' of m has 2 drivers (needs exactly one)"])
    }

    func testRegisterOutputDrivenTwice() {
        let b = ModuleBuilder("m")
        b.input("clk_i")
        let a = b.input("a_i", 4)
        let r = b.register("acc", 4)
        b.assign(r.d, a)
        b.assign(b.output("y_o", 4), r.q)
        XCTAssertNoThrow(try b.build())
        b.assign(r.q, a)  // the always_ff already drives acc_q
        assertElaborationError(b, ["'acc_q' in m has 2 drivers"])
    }

    func testInputAssignedInsideTheModule() {
        let b = passThrough { b, _, x, _ in
            let a2 = b.input("b_i", 4)
            b.assign(a2, x)
        }
        assertElaborationError(b, ["input 'b_i' of m is assigned inside the module"])
    }

    func testUndrivenSignal() {
        let b = passThrough { b, _, _, _ in b.logic("floating", 3) }
        assertElaborationError(b, ["'floating' in m has no driver"])
    }

    func testUndrivenOutput() {
        let b = passThrough { b, _, _, _ in b.output("spare_o", 2) }
        assertElaborationError(b, ["output 'spare_o' of m has 0 drivers"])
    }

    func testRegisterWithoutNextState() {
        let b = ModuleBuilder("m")
        b.input("clk_i")
        let r = b.register("cnt", 4)
        b.assign(b.output("y_o", 4), r.q)
        assertElaborationError(b, ["'cnt_d' in m has no driver"])
    }

    // MARK: - Latches

    func testCombTargetWithoutDefaultIsALatch() throws {
        func build(withDefault: Bool) -> ModuleBuilder {
            let b = ModuleBuilder("m")
            let en = b.input("en_i")
            let a = b.input("a_i", 4)
            let y = b.output("y_o", 4)
            b.comb { s in
                if withDefault { s.set(y, .lit(0, width: 4)) }
                s.when(en) { t in t.set(y, a) }
            }
            return b
        }
        XCTAssertNoThrow(try build(withDefault: true).build())
        assertElaborationError(build(withDefault: false),
                               ["'y_o' in m is assigned in the always_comb at HDLTests/ModuleBuilderErrorTests.swift:",
                                "without a default at the top of the block (it would infer a latch)"])
    }

    func testDefaultAfterTheFirstBranchStillCountsAsALatch() {
        // The default must come before any branch, not merely somewhere in the block.
        let b = ModuleBuilder("m")
        let en = b.input("en_i")
        let a = b.input("a_i", 4)
        let y = b.output("y_o", 4)
        let z = b.output("z_o", 4)
        b.comb { s in
            s.set(z, a)
            s.when(en) { t in t.set(z, ~a) }
            s.set(y, a)
        }
        assertElaborationError(b, ["'y_o' in m is assigned in the always_comb"])
    }

    func testCaseWithoutDefaultAtTheTopIsRejected() {
        // Every arm and the default assign y_o, but the rule is syntactic on purpose: a
        // default first, so no later edit of an arm can create a latch.
        let b = ModuleBuilder("m")
        let sel = b.input("sel_i", 2)
        let y = b.output("y_o", 2)
        b.comb { s in
            s.switchOn(sel, arms: [(labels: [.lit(0, width: 2)], body: { t in t.set(y, .lit(1, width: 2)) })],
                       default: { t in t.set(y, .lit(2, width: 2)) })
        }
        assertElaborationError(b, ["'y_o' in m is assigned in the always_comb", "infer a latch"])
    }

    // MARK: - Combinational loops

    func testLoopAcrossTwoAssigns() {
        func build(loop: Bool) -> ModuleBuilder {
            let b = ModuleBuilder("m")
            let a = b.input("a_i", 4)
            let p = b.logic("p", 4)
            let q = b.logic("q", 4)
            b.assign(p, q + 1)
            b.assign(q, loop ? p : a)
            b.assign(b.output("y_o", 4), p)
            return b
        }
        XCTAssertNoThrow(try build(loop: false).build())
        assertElaborationError(build(loop: true), ["combinational loop in m: p -> q -> p"])
    }

    func testLoopThroughACombBlock() {
        let b = ModuleBuilder("m")
        let en = b.input("en_i")
        let p = b.logic("p", 4)
        let q = b.logic("q", 4)
        b.comb { s in
            s.set(p, .lit(0, width: 4))
            s.when(en) { t in t.set(p, q) }
        }
        b.assign(q, ~p)
        b.assign(b.output("y_o", 4), q)
        assertElaborationError(b, ["combinational loop in m: p -> q -> p"])
    }

    func testSelfLoop() {
        let b = ModuleBuilder("m")
        let p = b.logic("p", 4)
        b.assign(p, p + 1)
        b.assign(b.output("y_o", 4), p)
        assertElaborationError(b, ["combinational loop in m: p -> p"])
    }

    func testRegisterBreaksTheLoop() throws {
        // cnt_d = cnt_q + 1 reads its own register: a path through a flop is no loop.
        let b = ModuleBuilder("m")
        b.input("clk_i")
        b.input("rst_ni")
        let cnt = b.register("cnt", 4, reset: 0)
        b.assign(cnt.d, cnt.q + 1)
        b.assign(b.output("y_o", 4), cnt.q)
        let m = try b.build()
        XCTAssertEqual(m.signals.map(\.name), ["cnt_q", "cnt_d"])
    }

    // MARK: - Instances

    /// A top module instantiating the incrementer with the given connections.
    private func instantiate(inputs: (Expr, Expr) -> [String: Expr], outputs: (Expr) -> [String: Expr]) throws -> ModuleBuilder {
        let inc = try makeIncrementer()
        let b = ModuleBuilder("top")
        let a = b.input("a_i", 8)
        let narrow = b.input("narrow_i", 4)
        let sum = b.logic("sum", 8)
        b.instance(inc, "u_inc", inputs: inputs(a, narrow), outputs: outputs(sum))
        b.assign(b.output("y_o", 8), sum)
        b.assign(b.output("n_o", 4), narrow)
        return b
    }

    func testInstanceControlBuilds() throws {
        let m = try instantiate(inputs: { a, _ in ["a_i": a] }, outputs: { ["sum_o": $0] }).build()
        guard case let .instance(inst)? = m.blocks.first?.block else { return XCTFail("first block is not the instance") }
        XCTAssertEqual(inst.module, "hdltest_inc")
        XCTAssertEqual(inst.connections.map(\.port), ["a_i", "sum_o"])
        XCTAssertEqual(inst.outputs, ["sum"])
    }

    func testInstanceLeavesInputUnconnected() throws {
        let b = try instantiate(inputs: { _, _ in [:] }, outputs: { ["sum_o": $0] })
        assertElaborationError(b, ["instance u_inc of hdltest_inc leaves input 'a_i' unconnected"])
    }

    func testInstanceLeavesOutputUnconnected() throws {
        let b = try instantiate(inputs: { a, _ in ["a_i": a] }, outputs: { _ in [:] })
        // `sum` then has no driver either: both are reported.
        assertElaborationError(b, ["instance u_inc of hdltest_inc leaves output 'sum_o' unconnected",
                                   "'sum' in top has no driver"])
    }

    func testInstancePortWithWrongWidth() throws {
        let b = try instantiate(inputs: { _, narrow in ["a_i": narrow] }, outputs: { ["sum_o": $0] })
        assertElaborationError(b, ["instance u_inc: port 'a_i' is 8 bits, connected to 4 bits: narrow_i"])
    }

    func testInstancePortTheModuleLacks() throws {
        let b = try instantiate(inputs: { a, narrow in ["a_i": a, "carry_i": narrow] }, outputs: { ["sum_o": $0] })
        assertElaborationError(b, ["instance u_inc: hdltest_inc has no port 'carry_i'"])
    }

    func testInstanceOutputToAnExpression() throws {
        let b = try instantiate(inputs: { a, _ in ["a_i": a] }, outputs: { ["sum_o": $0 + 1] })
        assertElaborationError(b, ["instance u_inc: output 'sum_o' must connect to a declared signal"])
    }

    func testDuplicateInstanceName() throws {
        let inc = try makeIncrementer()
        let b = ModuleBuilder("top")
        let a = b.input("a_i", 8)
        let s1 = b.output("s1_o", 8)
        let s2 = b.output("s2_o", 8)
        b.instance(inc, "u_inc", inputs: ["a_i": a], outputs: ["sum_o": s1])
        b.instance(inc, "u_inc", inputs: ["a_i": a], outputs: ["sum_o": s2])
        assertElaborationError(b, ["instance name 'u_inc' in top is taken or illegal"])
    }

    // MARK: - Widths and signedness

    func testAssignWrongWidth() {
        let b = ModuleBuilder("m")
        let a = b.input("a_i", 4)
        b.assign(b.output("y_o", 8), a)
        assertElaborationError(b, ["'y_o' in m is 8 bits, assigned 4 bits: a_i"])
    }

    func testAssignWrongSignedness() {
        let b = ModuleBuilder("m")
        let a = b.input("a_i", 8)
        b.assign(b.output("y_o", 8, signed: true), a)
        assertElaborationError(b, ["'y_o' in m is signed 8 bits, assigned 8 bits: a_i"])
    }

    func testCombSetWrongWidth() {
        let b = ModuleBuilder("m")
        let a = b.input("a_i", 4)
        let y = b.output("y_o", 3)
        b.comb { s in s.set(y, a) }
        assertElaborationError(b, ["'y_o' in m is 3 bits, assigned 4 bits: a_i"])
    }

    func testConditionMustBeOneBit() {
        let b = ModuleBuilder("m")
        let a = b.input("a_i", 4)
        let y = b.output("y_o", 4)
        b.comb { s in
            s.set(y, a)
            s.when(a) { t in t.set(y, ~a) }
        }
        assertElaborationError(b, ["condition a_i must be 1 bit in m"])
    }

    func testCaseLabelWidthMustMatchSelector() {
        let b = ModuleBuilder("m")
        let sel = b.input("sel_i", 2)
        let y = b.output("y_o")
        b.comb { s in
            s.set(y, .zero)
            s.switchOn(sel, arms: [(labels: [.lit(1, width: 3)], body: { t in t.set(y, .one) })], default: { _ in })
        }
        assertElaborationError(b, ["case label 3'd1 width differs from selector sel_i in m"])
    }

    func testMemoryWriteDataWidth() {
        let b = ModuleBuilder("m")
        b.input("clk_i")
        let we = b.input("we_i")
        let idx = b.input("idx_i", 4)
        let d = b.input("d_i", 4)
        let mem = b.memory("mem_q", width: 8, depth: 16)
        b.memoryWrite(mem, enable: we, index: idx, data: d)
        b.assign(b.output("q_o", 8), mem[idx])
        assertElaborationError(b, ["write data of width 4 into memory 'mem_q' of width 8 in m"])
    }

    // MARK: - Names

    func testDuplicateDeclarationNamesBothLines() {
        let b = ModuleBuilder("m")
        let a = b.input("a_i", 4)
        let first: UInt = #line; let x = b.logic("x", 4)
        let second: UInt = #line; b.logic("x", 4)
        b.assign(x, a)
        b.assign(b.output("y_o", 4), x)
        assertElaborationError(b, ["'x' declared twice in m: at HDLTests/ModuleBuilderErrorTests.swift:\(first) and HDLTests/ModuleBuilderErrorTests.swift:\(second)"])
    }

    func testPortAndSignalWithOneName() {
        let b = ModuleBuilder("m")
        let a = b.input("a_i", 4)
        b.logic("a_i", 4)
        b.assign(b.output("y_o", 4), a)
        assertElaborationError(b, ["'a_i' declared twice in m"])
    }

    func testKeywordsAreNotNames() {
        let b = ModuleBuilder("m")
        let a = b.input("logic")
        let x = b.logic("module")
        b.assign(x, a)
        b.assign(b.output("y_o"), x)
        assertElaborationError(b, ["'logic' in m is not a legal identifier or is a keyword",
                                   "'module' in m is not a legal identifier or is a keyword"])
    }

    func testIllegalModuleName() {
        let b = ModuleBuilder("module")
        b.assign(b.output("y_o"), b.input("a_i"))
        assertElaborationError(b, ["module name 'module' is not a legal identifier"])
        let c = ModuleBuilder("2fast")
        c.assign(c.output("y_o"), c.input("a_i"))
        assertElaborationError(c, ["module name '2fast' is not a legal identifier"])
    }

    func testIllegalConstantName() {
        let b = ModuleBuilder("m")
        _ = b.constant("Idle", 0, width: 2)
        _ = b.constant("Idle", 1, width: 2)
        b.assign(b.output("y_o"), b.input("a_i"))
        assertElaborationError(b, ["localparam 'Idle' in m is taken or illegal"])
    }

    func testIdentifierRules() {
        for good in ["count_q", "_x", "u_pe_r3_c7", "A", "x9"] {
            XCTAssertTrue(Identifier.isValid(good), good)
        }
        for bad in ["", "9lives", "a-b", "a b", "mem[0]", "é", "module", "logic", "always_ff", "begin", "end", "assign"] {
            XCTAssertFalse(Identifier.isValid(bad), bad)
        }
    }

    // MARK: - Memories

    func testMemoryWithTwoWritePorts() {
        func build(ports: Int) -> ModuleBuilder {
            let b = ModuleBuilder("m")
            b.input("clk_i")
            let we = b.input("we_i")
            let idx = b.input("idx_i", 4)
            let d = b.input("d_i", 8)
            let mem = b.memory("mem_q", width: 8, depth: 16)
            for _ in 0..<ports { b.memoryWrite(mem, enable: we, index: idx, data: d) }
            b.assign(b.output("q_o", 8), mem[idx])
            return b
        }
        XCTAssertNoThrow(try build(ports: 1).build())
        assertElaborationError(build(ports: 2), ["memory 'mem_q' in m has several write ports: HDLTests/ModuleBuilderErrorTests.swift:"])
    }

    func testMemoryWithZeroDepth() {
        let b = ModuleBuilder("m")
        b.memory("mem_q", width: 8, depth: 0)
        b.assign(b.output("y_o"), b.input("a_i"))
        assertElaborationError(b, ["memory 'mem_q' in m has depth 0"])
    }

    // MARK: - All at once

    func testEveryProblemIsReportedInOneError() throws {
        let b = ModuleBuilder("m")
        let a = b.input("a_i", 4)
        b.logic("floating", 2)
        let x = b.logic("x", 4)
        b.assign(x, a)
        b.assign(x, ~a)
        b.assign(b.output("y_o", 8), a)
        let message = try XCTUnwrap(assertElaborationError(b, [
            "'y_o' in m is 8 bits, assigned 4 bits",
            "'floating' in m has no driver",
            "'x' in m has 2 drivers",
        ]))
        XCTAssertEqual(message.components(separatedBy: "\n").count, 3, message)
    }
}
