import Foundation
import HDL
import XCTest

/// Simulation-only assertions: `ModuleBuilder.assertion` and `Expr.past`. They print as
/// labelled immediate assertions in one clocked block inside `ifndef SYNTHESIS`, gated by the
/// reset, and they are checked like any other read of the module.
final class AssertionTests: XCTestCase {
    /// A valid/ready source with two checks: no data while not valid is offered as a word, and
    /// the protocol rule that a refused word stays offered, unchanged.
    private func checkedSource(reset: Bool = true, fault: ((ModuleBuilder, Expr, Expr) -> Void)? = nil) -> ModuleBuilder {
        let b = ModuleBuilder("hdltest_src")
        b.input("clk_i")
        if reset { b.input("rst_ni") }
        let valid = b.input("valid_i")
        let ready = b.input("ready_i")
        let data = b.input("data_i", 4)
        let fire = b.output("fire_o")
        b.assign(fire, valid & ready)
        b.assertion("data_max", !(valid & data.eq(15)), message: "data 15 is reserved")
        b.assertion("hold_until_ready",
                    !Expr.past(valid & ~ready) || (valid & data.eq(Expr.past(data))),
                    message: "a refused word must stay offered, unchanged")
        fault?(b, valid, data)
        return b
    }

    func testAssertionsRenderInsideIfndefSynthesisAfterTheLogic() throws {
        let text = VerilogPrinter.render(try checkedSource().build())
        assertLinesInOrder(text, [
            "  assign fire_o = valid_i & ready_i;",
            "  // Assertions: simulation only (Verilator --assert); synthesis never sees them",
            "`ifndef SYNTHESIS",
            "  always_ff @(posedge clk_i) begin",
            "    if (rst_ni) begin",
            "      data_max: assert (!(valid_i & (data_i == 4'd15)))",
            "        else $error(\"hdltest_src: data 15 is reserved\");",
            "      hold_until_ready: assert (!$past(valid_i & ~ready_i) || (valid_i & (data_i == $past(data_i))))",
            "        else $error(\"hdltest_src: a refused word must stay offered, unchanged\");",
            "    end",
            "  end",
            "`endif",
            "",
            "endmodule",
        ])
    }

    func testWithoutResetTheAssertionsAreNotGated() throws {
        let text = VerilogPrinter.render(try checkedSource(reset: false).build())
        XCTAssertFalse(text.contains("if (rst_ni)"), text)
        assertLinesInOrder(text, ["  always_ff @(posedge clk_i) begin", "    data_max: assert (!(valid_i & (data_i == 4'd15)))"])
    }

    func testModuleWithoutAssertionsPrintsNoBlock() throws {
        let b = ModuleBuilder("hdltest_plain")
        b.assign(b.output("y_o"), b.input("a_i"))
        XCTAssertFalse(VerilogPrinter.render(try b.build()).contains("SYNTHESIS"))
    }

    func testConditionMustBeOneBit() {
        let b = checkedSource { b, _, data in b.assertion("wide", data, message: "four bits") }
        assertElaborationError(b, ["assertion 'wide' must be a 1-bit condition, got 4 bits: data_i"])
    }

    func testPastOnlyInAssertions() {
        let b = checkedSource { b, valid, _ in
            let q = b.logic("q")
            b.assign(q, Expr.past(valid))
            b.assign(b.output("q_o"), q)
        }
        assertElaborationError(b, ["$past read in hdltest_src as value assigned to 'q': only assertions may read past values"])
    }

    func testNamesAreCheckedLikeEveryOtherName() {
        assertElaborationError(checkedSource { b, valid, _ in b.assertion("data_max", valid, message: "again") },
                               ["assertion 'data_max' in hdltest_src is taken"])
        assertElaborationError(checkedSource { b, valid, _ in b.assertion("valid_i", valid, message: "a port's name") },
                               ["assertion 'valid_i' in hdltest_src is taken"])
        assertElaborationError(checkedSource { b, valid, _ in b.assertion("assert", valid, message: "a keyword") },
                               ["assertion 'assert' in hdltest_src is not a legal identifier or is a keyword"])
    }

    func testMessageMustBePlainText() {
        for bad in ["say \"no\"", "100%", "back\\slash", "two\nlines", ""] {
            let b = checkedSource { b, valid, _ in b.assertion("odd", valid, message: bad) }
            assertElaborationError(b, ["assertion 'odd' message must be non-empty printable ASCII"])
        }
    }

    func testAssertionNeedsAClock() {
        let b = ModuleBuilder("hdltest_noclk")
        let a = b.input("a_i")
        b.assign(b.output("y_o"), a)
        b.assertion("a_low", !a, message: "a is high")
        assertElaborationError(b, ["hdltest_noclk has assertions (a_low) but no 1-bit input 'clk_i'"])
    }

    func testAssertionReadsAreCheckedForForeignSignals() {
        let other = ModuleBuilder("other")
        let foreign = other.input("z_i", 3)
        let b = checkedSource { b, _, _ in b.assertion("foreign", foreign.eq(1), message: "reads another module") }
        assertElaborationError(b, ["'z_i' read in hdltest_src is not declared in this module (assertion 'foreign'"])
    }

    func testPastSignalsCountForLoopsButNotAsDrivers() throws {
        // $past inside an assertion neither drives anything nor creates a combinational path.
        let m = try checkedSource().build()
        XCTAssertEqual(m.assertions.map(\.name), ["data_max", "hold_until_ready"])
        XCTAssertEqual(Expr.past(Expr.lit(3, width: 5, signed: true)).width, 5)
        XCTAssertTrue(Expr.past(Expr.lit(3, width: 5, signed: true)).signed)
    }
}
