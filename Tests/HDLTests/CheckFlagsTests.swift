import Foundation
import HDL
import XCTest

/// Checks reported as flags (`reportChecks`), watched by the parent (`assertChecks`,
/// `forwardChecks`), and modules whose instances share one copy of Verilator code
/// (`shareCodeAcrossInstances`): how they print, what they reject, that they lint clean, and, in
/// a Verilator simulation, that a failing check of one instance stops the run with its text.
final class CheckFlagsTests: XCTestCase {
    /// A child as the PE is: shared code, checks as flags, one of them reading `$past`.
    private func child() throws -> Module {
        let b = ModuleBuilder("hdltest_child")
        b.shareCodeAcrossInstances()
        b.reportChecks()
        b.input("clk_i")
        b.input("rst_ni")
        let valid = b.input("valid_i")
        let ready = b.input("ready_i")
        let data = b.input("data_i", 4)
        b.assign(b.output("fire_o"), valid & ready)
        b.assertion("data_max", !(valid & data.eq(15)), message: "data 15 is reserved")
        b.assertion("hold", !Expr.past(valid & ~ready) || (valid & data.eq(Expr.past(data))),
                    message: "a refused word must stay offered, unchanged")
        return try b.build()
    }

    /// `copies` instances of the child; the checks of each are asserted here.
    private func parent(_ child: Module, copies: Int = 2, forward: Bool = false) throws -> ModuleBuilder {
        let b = ModuleBuilder("hdltest_parent")
        let clk = b.input("clk_i")
        let rst = b.input("rst_ni")
        let valid = b.input("valid_i", copies)
        let data = b.input("data_i", 4)
        let fires = b.output("fire_o", copies)
        var fireBits: [Expr] = []
        for i in 0..<copies {
            let fire = b.logic("fire\(i)")
            let flags = b.logic("u_c\(i)_chk", 2)
            b.instance(child, "u_c\(i)", inputs: ["clk_i": clk, "rst_ni": rst, "valid_i": valid.bit(i),
                                                  "ready_i": Expr.one, "data_i": data],
                       outputs: ["fire_o": fire, "chk_o": flags])
            if forward {
                b.forwardChecks(of: "u_c\(i)", module: child, flags: flags)
            } else {
                b.assertChecks(of: "u_c\(i)", module: child, flags: flags)
            }
            fireBits.append(fire)
        }
        b.assign(fires, Expr.concat(fireBits.reversed()))
        return b
    }

    func testReportedChecksPrintAsFlagsWithPastAsRegisters() throws {
        let text = VerilogPrinter.render(try child())
        XCTAssertFalse(text.contains(": assert ("), text)
        XCTAssertFalse(text.contains("$error"), text)
        XCTAssertEqual(text.components(separatedBy: "$past").count - 1, 2, "in the two registers' comments only: \(text)")
        assertLinesInOrder(text, [
            "  input  logic       clk_i /*verilator public_flat_rd*/,",
            "  // Simulation-only check flags, one per assertion (tied to zero in synthesis)",
            "  output logic [1:0] chk_o",
            "  /*verilator no_inline_module*/",
            "`ifndef SYNTHESIS",
            "  logic chk_past0_q;  // $past(valid_i & ~ready_i)",
            "  logic [3:0] chk_past1_q;  // $past(data_i)",
            "  always_ff @(posedge clk_i) begin",
            "    chk_past0_q <= valid_i & ~ready_i;",
            "    chk_past1_q <= data_i;",
            "  end",
            "  assign chk_o = {",
            "    !(!chk_past0_q || (valid_i & (data_i == chk_past1_q))),  // 1: hold",
            "    valid_i & (data_i == 4'd15)  // 0: data_max",
            "  };",
            "`else",
            "  assign chk_o = 2'd0;",
            "`endif",
        ])
    }

    func testAssertedChecksNameTheFirstFailedOne() throws {
        let text = VerilogPrinter.render(try parent(child()).build())
        assertLinesInOrder(text, [
            "`ifndef SYNTHESIS",
            "  function automatic string hdltest_child_check_text(input logic [1:0] flags);",
            "    if (flags[0]) return \"data_max: hdltest_child: data 15 is reserved\";",
            "    if (flags[1]) return \"hold: hdltest_child: a refused word must stay offered, unchanged\";",
            "    return \"no check failed\";",
            "  endfunction",
            "  always_ff @(posedge clk_i) begin",
            "    if (rst_ni) begin",
            "      u_c0_checks: assert (~|u_c0_chk)",
            "        else $error(\"%s\", hdltest_child_check_text(u_c0_chk));",
            "      u_c1_checks: assert (~|u_c1_chk)",
            "        else $error(\"%s\", hdltest_child_check_text(u_c1_chk));",
        ])
        XCTAssertEqual(text.components(separatedBy: "function automatic").count, 2, "one text function per child module")
    }

    func testForwardedChecksBecomeTheParentsOwn() throws {
        let b = try parent(child(), copies: 1, forward: true)
        b.reportChecks()
        let text = VerilogPrinter.render(try b.build())
        assertLinesInOrder(text, [
            "  output logic [1:0] chk_o",
            "  assign chk_o = {",
            "    u_c0_chk[1],  // 1: u_c0_hold",
            "    u_c0_chk[0]  // 0: u_c0_data_max",
        ])
    }

    func testMisuseIsAnElaborationError() throws {
        let plain = ModuleBuilder("hdltest_plain")
        plain.input("clk_i")
        plain.assign(plain.output("y_o"), plain.input("a_i"))
        plain.assertion("a_low", !plain.input("b_i"), message: "b is high")
        let plainModule = try plain.build()
        let b = ModuleBuilder("hdltest_watch")
        b.input("clk_i")
        let flags = b.input("f_i", 3)
        b.assertChecks(of: "u_plain", module: plainModule, flags: flags)
        b.assertChecks(of: "u_child", module: try child(), flags: flags)
        assertElaborationError(b, ["hdltest_plain does not report its checks on a port",
                                   "check flags of u_child are 3 bits, hdltest_child.chk_o is 2"])

        let shared = ModuleBuilder("hdltest_shared")
        shared.shareCodeAcrossInstances()
        shared.input("clk_i")
        shared.assign(shared.output("y_o"), shared.input("a_i"))
        shared.assertion("a_low", !shared.input("b_i"), message: "b is high")
        XCTAssertThrowsError(try shared.build()) { error in
            XCTAssertTrue("\(error)".contains("shares code across instances but prints its assertions"), "\(error)")
        }
    }

    /// Verilator: the parent and its children lint clean with -Wall; the child's per-cycle code
    /// is one copy however many instances there are; and a failing check of the second instance
    /// stops a simulation with that instance's assertion and the check's own text.
    func testVerilatorSharesTheChildAndReportsItsFailedCheck() throws {
        let verilator = try verilatorOnPath()
        func design(copies: Int) throws -> Design {
            var d = Design()
            let c = try child()
            try d.add(c)
            try d.add(parent(c, copies: copies).build())
            return d
        }
        let dir = try makeTemporaryDirectory("checkflags")
        defer { try? FileManager.default.removeItem(at: dir) }

        let lint = try run(verilator, ["--lint-only", "-Wall", "--top-module", "hdltest_parent"] + design(copies: 4).render().map(\.file),
                           in: dir, writing: design(copies: 4))
        XCTAssertEqual(lint.status, 0, lint.output)
        XCTAssertFalse(lint.output.contains("%Warning"), lint.output)

        func childFunctions(copies: Int) throws -> Int {
            let obj = dir.appendingPathComponent("cc\(copies)")
            let r = try run(verilator, ["--cc", "-O3", "--assert", "-Wno-fatal", "--top-module", "hdltest_parent", "-Mdir", obj.path]
                                + design(copies: copies).render().map(\.file), in: dir, writing: design(copies: copies))
            XCTAssertEqual(r.status, 0, r.output)
            let files = try FileManager.default.contentsOfDirectory(atPath: obj.path)
                .filter { $0.contains("hdltest_child") && $0.hasSuffix(".cpp") && !$0.contains("Slow") }
            return try files.reduce(0) { n, f in
                n + (try String(contentsOf: obj.appendingPathComponent(f), encoding: .utf8))
                    .components(separatedBy: "\nVL_INLINE_OPT void ").count - 1
            }
        }
        let one = try childFunctions(copies: 1)
        XCTAssertGreaterThan(one, 0)
        XCTAssertEqual(try childFunctions(copies: 4), one, "four instances of the child must share one copy of its code")

        // Instance 1 sees data 15 while valid in its third cycle out of reset.
        let bench = """
            module hdltest_bench;
              logic clk_i = 1'b0, rst_ni = 1'b0;
              logic [1:0] valid_i = 2'b00, fire_o;
              logic [3:0] data_i = 4'd0;
              hdltest_parent u_dut (.clk_i, .rst_ni, .valid_i, .data_i, .fire_o);
              always #1 clk_i = ~clk_i;
              initial begin
                @(negedge clk_i) rst_ni = 1'b1;
                @(negedge clk_i) valid_i = 2'b11;
                @(negedge clk_i) begin valid_i = 2'b10; data_i = 4'd15; end
                @(negedge clk_i) $display("no check failed");
                $finish;
              end
            endmodule
            """
        let simDesign = try design(copies: 2)
        try simDesign.write(to: dir)
        try writeAtomically(bench, to: dir.appendingPathComponent("hdltest_bench.sv"))
        let obj = dir.appendingPathComponent("bin")
        let build = try run(verilator, ["--binary", "--timing", "--assert", "-Wno-fatal", "--top-module", "hdltest_bench", "-Mdir", obj.path,
                                        "hdltest_bench.sv"] + simDesign.render().map(\.file),
                            in: dir, writing: nil)
        XCTAssertEqual(build.status, 0, build.output)
        let sim = try run(obj.appendingPathComponent("Vhdltest_bench"), [], in: dir, writing: nil)
        XCTAssertTrue(sim.output.contains("hdltest_bench.u_dut.u_c1_checks: data_max: hdltest_child: data 15 is reserved"),
                      sim.output)
        XCTAssertFalse(sim.output.contains("u_c0_checks"), sim.output)
        XCTAssertFalse(sim.output.contains("no check failed"), sim.output)
    }

    private func run(_ exe: URL, _ args: [String], in dir: URL, writing design: Design?) throws -> (status: Int32, output: String) {
        if let design { try design.write(to: dir) }
        return try runTool(exe, args, in: dir)
    }
}
