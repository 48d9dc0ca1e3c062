import Foundation
import HDL
import XCTest

/// The elaboration rules about what a module reads and is clocked by: clock and reset inputs,
/// the SystemVerilog keyword list, localparam names, expressions from another builder, the
/// signedness of instance ports and the width of memory indices. As in
/// `ModuleBuilderErrorTests`, each fault is checked against the same module without it.
final class ModuleBuilderCheckTests: XCTestCase {
    // MARK: - Clock and reset

    /// `y_o = acc_q`, `acc_d = a_i`: one register, with or without reset.
    private func registered(clock: Bool, reset: Bool, resetRegister: Bool) -> ModuleBuilder {
        let b = ModuleBuilder("m")
        if clock { b.input("clk_i") }
        if reset { b.input("rst_ni") }
        let a = b.input("a_i", 4)
        let r = b.register("acc", 4, reset: resetRegister ? 0 : nil)
        b.assign(r.d, a)
        b.assign(b.output("y_o", 4), r.q)
        return b
    }

    func testRegisterNeedsAClock() {
        XCTAssertNoThrow(try registered(clock: true, reset: false, resetRegister: false).build())
        assertElaborationError(registered(clock: false, reset: false, resetRegister: false),
                               ["m has registers (acc_q) but no 1-bit input 'clk_i'"])
    }

    func testResetRegisterNeedsAReset() {
        XCTAssertNoThrow(try registered(clock: true, reset: true, resetRegister: true).build())
        let message = assertElaborationError(registered(clock: true, reset: false, resetRegister: true),
                                             ["m has reset registers (acc_q) but no 1-bit input 'rst_ni'"])
        XCTAssertFalse(message?.contains("clk_i") ?? true, message ?? "")
        // Neither: both are named.
        assertElaborationError(registered(clock: false, reset: false, resetRegister: true),
                               ["m has registers (acc_q) but no 1-bit input 'clk_i'",
                                "m has reset registers (acc_q) but no 1-bit input 'rst_ni'"])
    }

    func testClockMustBeAOneBitInput() {
        let b = ModuleBuilder("m")
        let clk = b.input("clk_i", 2)  // wide: not a clock
        let r = b.register("acc", 2)
        b.assign(r.d, clk)
        b.assign(b.output("y_o", 2), r.q)
        assertElaborationError(b, ["m has registers (acc_q) but no 1-bit input 'clk_i'"])
    }

    func testMemoryWritePortNeedsAClock() {
        func build(clock: Bool) -> ModuleBuilder {
            let b = ModuleBuilder("m")
            if clock { b.input("clk_i") }
            let we = b.input("we_i")
            let idx = b.input("idx_i", 4)
            let d = b.input("d_i", 8)
            let mem = b.memory("mem_q", width: 8, depth: 16)
            b.memoryWrite(mem, enable: we, index: idx, data: d)
            b.assign(b.output("q_o", 8), mem[idx])
            return b
        }
        XCTAssertNoThrow(try build(clock: true).build())
        assertElaborationError(build(clock: false), ["m has memory write ports (mem_q) but no 1-bit input 'clk_i'"])
    }

    func testCombinationalModuleNeedsNoClock() throws {
        // Only what is printed in an always_ff needs clk_i.
        let b = ModuleBuilder("m")
        let mem = b.memory("rom_q", width: 8, depth: 4)
        _ = mem  // never written, never read: no always_ff
        b.assign(b.output("y_o"), b.input("a_i"))
        XCTAssertNoThrow(try b.build())
    }

    // MARK: - Keywords

    func testEverySystemVerilogKeywordIsRefused() {
        // Words of IEEE 1800-2017 Table B.1 that are not Verilog-2001 keywords, and so were
        // easy to miss.
        let words = [
            "string", "class", "var", "bit", "chandle", "shortreal", "realtime", "alias", "bind", "bins",
            "checker", "clocking", "constraint", "context", "cover", "covergroup", "cross", "dist",
            "endclass", "export", "extends", "extern", "first_match", "foreach", "global", "iff",
            "import", "inside", "instance", "interconnect", "join_any", "let", "local", "matches",
            "modport", "nettype", "new", "null", "package", "program", "property", "protected", "pure",
            "rand", "randc", "ref", "restrict", "sequence", "soft", "solve", "static", "super", "table",
            "tagged", "this", "throughout", "timeunit", "unique0", "untyped", "use", "uwire", "virtual",
            "wait_order", "weak", "wildcard", "with", "within", "accept_on", "s_until_with",
            "sync_reject_on", "implements", "highz0", "pulsestyle_onevent", "wor", "trireg", "specparam",
        ]
        for word in words {
            XCTAssertFalse(Identifier.isValid(word), word)
        }
        // Near misses stay legal: the check is on whole words.
        for name in ["strings", "class_q", "var_d", "data_string", "u_table", "Weak", "this_i"] {
            XCTAssertTrue(Identifier.isValid(name), name)
        }
    }

    func testKeywordSignalNameIsAnElaborationError() {
        let b = ModuleBuilder("m")
        let a = b.input("a_i", 4)
        let s = b.logic("string", 4)
        b.assign(s, a)
        b.assign(b.output("y_o", 4), s)
        assertElaborationError(b, ["'string' in m is not a legal identifier or is a keyword"])
    }

    // MARK: - Localparam names

    private func withParams(_ body: (ModuleBuilder) -> Void) -> ModuleBuilder {
        let b = ModuleBuilder("m")
        let a = b.input("a_i", 4)
        let x = b.logic("x", 4)
        b.assign(x, a)
        b.assign(b.output("y_o", 4), x)
        body(b)
        return b
    }

    func testLocalparamNamesAreLegal() throws {
        XCTAssertNoThrow(try withParams { $0.localparam("Depth", 224) }.build())
        assertElaborationError(withParams { $0.localparam("2Deep", 224) },
                               ["localparam '2Deep' in m is taken or illegal: not a legal identifier"])
        assertElaborationError(withParams { $0.localparam("string", 1) },
                               ["localparam 'string' in m is taken or illegal: not a legal identifier or is a keyword"])
        assertElaborationError(withParams { _ = $0.constant("class", 1, width: 2) },
                               ["localparam 'class' in m is taken or illegal"])
    }

    func testLocalparamNamesAreUniqueInTheModule() throws {
        // Against a port, a signal, another localparam and a typed constant, either way round.
        assertElaborationError(withParams { $0.localparam("a_i", 1) }, ["localparam 'a_i' in m is taken or illegal: already declared at"])
        assertElaborationError(withParams { $0.localparam("x", 1) }, ["localparam 'x' in m is taken or illegal"])
        assertElaborationError(withParams { $0.localparam("Depth", 1); $0.localparam("Depth", 2) },
                               ["localparam 'Depth' in m is taken or illegal"])
        assertElaborationError(withParams { $0.localparam("Depth", 1); _ = $0.constant("Depth", 2, width: 2) },
                               ["localparam 'Depth' in m is taken or illegal"])
        assertElaborationError(withParams { b in
            _ = b.constant("Idle", 0, width: 2)
            b.localparam("Idle", 3)
        }, ["localparam 'Idle' in m is taken or illegal"])
        // A signal declared after the localparam is caught by the signal's own check.
        assertElaborationError(withParams { b in
            b.localparam("Depth", 1)
            b.assign(b.logic("Depth", 1), .zero)
        }, ["'Depth' declared twice in m"])
    }

    func testLocalparamNameAgainstMemoryAndInstance() throws {
        let inc = try makeIncrementer()
        func build(param: String) -> ModuleBuilder {
            let b = ModuleBuilder("m")
            b.input("clk_i")
            let a = b.input("a_i", 8)
            let sum = b.logic("sum", 8)
            b.instance(inc, "u_inc", inputs: ["a_i": a], outputs: ["sum_o": sum])
            let mem = b.memory("mem_q", width: 8, depth: 2)
            b.memoryWrite(mem, enable: .one, index: .lit(0, width: 1), data: sum)
            b.assign(b.output("y_o", 8), mem[.lit(1, width: 1)])
            b.localparam(param, 1)
            return b
        }
        XCTAssertNoThrow(try build(param: "Words").build())
        assertElaborationError(build(param: "u_inc"), ["localparam 'u_inc' in m is taken or illegal"])
        assertElaborationError(build(param: "mem_q"), ["localparam 'mem_q' in m is taken or illegal"])
    }

    // MARK: - Expressions from another module

    func testSignalOfAnotherBuilderInAnAssign() {
        let other = ModuleBuilder("other")
        let foreign = other.input("f_i", 4)
        let b = ModuleBuilder("m")
        let a = b.input("a_i", 4)
        b.assign(b.output("y_o", 4), a + foreign)
        assertElaborationError(b, ["'f_i' read in m is not declared in this module (value assigned to 'y_o' at HDLTests/ModuleBuilderCheckTests.swift:"])
    }

    func testSignalOfAnotherBuilderInCombBlocks() {
        let other = ModuleBuilder("other")
        let en = other.input("en_i")
        let sel = other.input("sel_i", 2)
        let b = ModuleBuilder("m")
        let a = b.input("a_i", 2)
        let y = b.output("y_o", 2)
        let z = b.output("z_o", 2)
        b.comb { s in
            s.set(y, a)
            s.when(en) { t in t.set(y, ~a) }
        }
        b.comb { s in
            s.set(z, a)
            s.switchOn(sel, arms: [(labels: [.lit(0, width: 2)], body: { t in t.set(z, .lit(1, width: 2)) })],
                       default: { _ in })
        }
        assertElaborationError(b, ["'en_i' read in m is not declared in this module (condition at",
                                   "'sel_i' read in m is not declared in this module (case selector at"])
    }

    func testSameNameButAnotherTypeIsAnotherModulesSignal() {
        // The other builder's `a_i` is 8 bits; this module's is 4.
        let other = ModuleBuilder("other")
        let foreign = other.input("a_i", 8)
        let b = ModuleBuilder("m")
        b.input("a_i", 4)
        b.assign(b.output("y_o", 8), foreign)
        assertElaborationError(b, ["'a_i' read in m is 8 bits, but m declares it 4 bits: it is another module's signal"])
    }

    func testSliceOfAnotherModulesSignal() {
        let other = ModuleBuilder("other")
        let wide = other.input("w_i", 8)
        let b = ModuleBuilder("m")
        b.input("w_i", 4)
        b.assign(b.output("y_o", 2), wide.bits(7, 6))
        assertElaborationError(b, ["slice [7:6] of 'w_i' read in m is out of range for its 4 bits"])
    }

    func testForeignSignalInAnInstanceConnection() throws {
        let inc = try makeIncrementer()
        let other = ModuleBuilder("other")
        let foreign = other.input("f_i", 8)
        let foreignOut = other.logic("g", 8)
        func build(input: Expr, output: Expr?) -> ModuleBuilder {
            let b = ModuleBuilder("top")
            let sum = b.logic("sum", 8)
            b.instance(inc, "u_inc", inputs: ["a_i": input], outputs: ["sum_o": output ?? sum])
            b.assign(b.output("y_o", 8), sum)
            return b
        }
        assertElaborationError(build(input: foreign, output: nil),
                               ["'f_i' read in top is not declared in this module (input 'a_i' of instance u_inc at"])
        assertElaborationError(build(input: .lit(0, width: 8), output: foreignOut),
                               ["instance u_inc: output 'sum_o' must connect to a declared signal"])
    }

    func testMemoryOfAnotherBuilder() {
        let other = ModuleBuilder("other")
        let foreignMem = other.memory("buf_q", width: 8, depth: 16)
        let b = ModuleBuilder("m")
        b.input("clk_i")
        let we = b.input("we_i")
        let idx = b.input("idx_i", 4)
        let d = b.input("d_i", 8)
        b.memoryWrite(foreignMem, enable: we, index: idx, data: d)
        b.assign(b.output("q_o", 8), foreignMem[idx])
        assertElaborationError(b, ["memory 'buf_q' written in m is not declared in this module",
                                   "memory 'buf_q' read in m is not declared in this module (value assigned to 'q_o' at"])
    }

    func testForeignSignalInAMemoryIndexAndWritePort() {
        let other = ModuleBuilder("other")
        let foreignIdx = other.input("fidx_i", 4)
        let foreignData = other.input("fd_i", 8)
        let b = ModuleBuilder("m")
        b.input("clk_i")
        let we = b.input("we_i")
        let mem = b.memory("mem_q", width: 8, depth: 16)
        b.memoryWrite(mem, enable: we, index: .lit(0, width: 4), data: foreignData)
        b.assign(b.output("q_o", 8), mem[foreignIdx])
        assertElaborationError(b, ["'fd_i' read in m is not declared in this module (write data of memory 'mem_q' at",
                                   "'fidx_i' read in m is not declared in this module (value assigned to 'q_o' at"])
    }

    func testConstantOfAnotherBuilder() {
        let other = ModuleBuilder("other")
        let busy = other.constant("Busy", 1, width: 2)
        let b = ModuleBuilder("m")
        let s = b.input("s_i", 2)
        b.assign(b.output("y_o"), s.eq(busy))
        assertElaborationError(b, ["constant 'Busy' read in m is not declared in this module"])
    }

    func testAForeignReadIsNamedOncePerPlace() throws {
        let other = ModuleBuilder("other")
        let f = other.input("f_i", 4)
        let b = ModuleBuilder("m")
        b.assign(b.output("y_o", 4), f + f + f)
        let message = try XCTUnwrap(assertElaborationError(b, ["'f_i' read in m is not declared"]))
        XCTAssertEqual(message.components(separatedBy: "'f_i' read in m").count, 2, message)
    }

    // MARK: - Instance signedness

    func testInstanceInputSignedness() throws {
        let sext = try makeSignExtender()
        func build(signedInput: Bool) -> ModuleBuilder {
            let b = ModuleBuilder("top")
            let x = b.input("x_i", 4, signed: signedInput)
            let y = b.logic("y", 8, signed: true)
            b.instance(sext, "u_sext", inputs: ["x_i": x], outputs: ["y_o": y])
            b.assign(b.output("y_o", 8, signed: true), y)
            return b
        }
        XCTAssertNoThrow(try build(signedInput: true).build())
        assertElaborationError(build(signedInput: false),
                               ["instance u_sext: port 'x_i' is signed 4 bits, connected to 4 bits: x_i"])
    }

    func testInstanceOutputSignedness() throws {
        let sext = try makeSignExtender()
        let b = ModuleBuilder("top")
        let x = b.input("x_i", 4, signed: true)
        let y = b.logic("y", 8)  // unsigned: the port is signed
        b.instance(sext, "u_sext", inputs: ["x_i": x], outputs: ["y_o": y])
        b.assign(b.output("y_o", 8), y)
        assertElaborationError(b, ["instance u_sext: port 'y_o' is signed 8 bits, connected to 8 bits: y"])
    }

    // MARK: - Memory index width

    func testIndexBitsOfADepth() {
        let b = ModuleBuilder("m")
        for (depth, bits) in [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (12, 4), (16, 4), (17, 5), (224, 8), (256, 8), (257, 9)] {
            XCTAssertEqual(b.memory("mem\(depth)_q", width: 1, depth: depth).indexBits, bits, "depth \(depth)")
        }
    }

    /// A 16-word memory written at `writeIndex` and read at `readIndex`.
    private func memoryModule(writeIndexBits: Int, readIndexBits: Int, depth: Int = 16) -> ModuleBuilder {
        let b = ModuleBuilder("m")
        b.input("clk_i")
        let we = b.input("we_i")
        let widx = b.input("widx_i", writeIndexBits)
        let ridx = b.input("ridx_i", readIndexBits)
        let d = b.input("d_i", 8)
        let mem = b.memory("mem_q", width: 8, depth: depth)
        b.memoryWrite(mem, enable: we, index: widx, data: d)
        b.assign(b.output("q_o", 8), mem[ridx])
        return b
    }

    func testMemoryReadIndexWidth() {
        XCTAssertNoThrow(try memoryModule(writeIndexBits: 4, readIndexBits: 4).build())
        assertElaborationError(memoryModule(writeIndexBits: 4, readIndexBits: 3),
                               ["read index of memory 'mem_q' (16 words) in m must be 4 bits, got 3 bits: mem_q[ridx_i]"])
        // Too wide is as wrong as too narrow: the top bit would index past the end.
        assertElaborationError(memoryModule(writeIndexBits: 4, readIndexBits: 5),
                               ["read index of memory 'mem_q' (16 words) in m must be 4 bits, got 5 bits"])
    }

    func testMemoryWriteIndexWidth() {
        assertElaborationError(memoryModule(writeIndexBits: 5, readIndexBits: 4),
                               ["write index of memory 'mem_q' (16 words) must be 4 bits, got 5 bits: widx_i in m"])
        // 12 words need 4 bits, as the ifmap scratchpad does.
        XCTAssertNoThrow(try memoryModule(writeIndexBits: 4, readIndexBits: 4, depth: 12).build())
        assertElaborationError(memoryModule(writeIndexBits: 3, readIndexBits: 4, depth: 12),
                               ["write index of memory 'mem_q' (12 words) must be 4 bits, got 3 bits"])
        // A one-word memory still has a 1-bit index.
        XCTAssertNoThrow(try memoryModule(writeIndexBits: 1, readIndexBits: 1, depth: 1).build())
    }

    func testMemoryIndexInsideALargerExpression() {
        // The read sits inside an operator: it is still found.
        let b = ModuleBuilder("m")
        b.input("clk_i")
        let idx = b.input("idx_i", 2)
        let mem = b.memory("mem_q", width: 8, depth: 16)
        b.memoryWrite(mem, enable: .one, index: idx.zeroExtended(to: 4), data: .lit(0, width: 8))
        b.assign(b.output("q_o", 8), mem[idx] + 1)
        assertElaborationError(b, ["read index of memory 'mem_q' (16 words) in m must be 4 bits, got 2 bits"])
    }
}
