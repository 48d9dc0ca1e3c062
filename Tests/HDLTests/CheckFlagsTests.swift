import Foundation
import HDL
import XCTest

/// Checks reported as flags (`reportChecks`), watched by the parent (`assertChecks`,
/// `forwardChecks`), and modules whose instances share one copy of Verilator code
/// (`shareCodeAcrossInstances`): how they print, what they reject, that they lint clean, and, in
/// a Verilator simulation, that a failing check of one instance stops the run with its text.
final class CheckFlagsTests: XCTestCase {
    /// A child as the PE is: shared code, checks as flags, one of them reading `$past`.
    /// `broadcast`: its clock, reset and data, which every instance connects alike, are declared
    /// so, as the PE's are.
    private func child(broadcast: Bool = false) throws -> Module {
        let b = ModuleBuilder("hdltest_child")
        b.shareCodeAcrossInstances()
        b.reportChecks()
        b.input("clk_i", broadcast: broadcast)
        b.input("rst_ni", broadcast: broadcast)
        let valid = b.input("valid_i")
        let ready = b.input("ready_i")
        let data = b.input("data_i", 4, broadcast: broadcast)
        b.assign(b.output("fire_o"), valid & ready)
        b.assertion("data_max", !(valid & data.eq(15)), message: "data 15 is reserved")
        b.assertion("hold", !Expr.past(valid & ~ready) || (valid & data.eq(Expr.past(data))),
                    message: "a refused word must stay offered, unchanged")
        return try b.build()
    }

    /// `copies` instances of the child; the checks of each are asserted here, by one assertion
    /// for all of them when `grouped`.
    private func parent(_ child: Module, copies: Int = 2, forward: Bool = false, grouped: Bool = false) throws -> ModuleBuilder {
        let b = ModuleBuilder("hdltest_parent")
        let clk = b.input("clk_i")
        let rst = b.input("rst_ni")
        let valid = b.input("valid_i", copies)
        let data = b.input("data_i", 4)
        let fires = b.output("fire_o", copies)
        var fireBits: [Expr] = []
        var group: [(name: String, flags: Expr)] = []
        for i in 0..<copies {
            let fire = b.logic("fire\(i)")
            let flags = b.logic("u_c\(i)_chk", 2)
            b.instance(child, "u_c\(i)", inputs: ["clk_i": clk, "rst_ni": rst, "valid_i": valid.bit(i),
                                                  "ready_i": Expr.one, "data_i": data],
                       outputs: ["fire_o": fire, "chk_o": flags])
            if forward {
                b.forwardChecks(of: "u_c\(i)", module: child, flags: flags)
            } else if grouped {
                group.append(("u_c\(i)", flags))
            } else {
                b.assertChecks(of: "u_c\(i)", module: child, flags: flags)
            }
            fireBits.append(fire)
        }
        if grouped { b.assertChecks(ofInstances: group, module: child, label: "children_checks") }
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

    /// One assertion for many instances: it names the first instance with a failed check.
    func testGroupedChecksAreOneAssertionNamingTheInstance() throws {
        let text = VerilogPrinter.render(try parent(child(), copies: 3, grouped: true).build())
        assertLinesInOrder(text, [
            "  logic [5:0] children_checks_flags;  // the check flags of 3 instances of hdltest_child, the first in the low bits",
            "  assign children_checks_flags = {u_c2_chk, u_c1_chk, u_c0_chk};",
            "  function automatic string children_checks_text(input logic [5:0] flags);",
            "    /*verilator no_inline_task*/",
            "    if (|flags[1:0]) return {\"u_c0: \", hdltest_child_check_text(flags[1:0])};",
            "    if (|flags[3:2]) return {\"u_c1: \", hdltest_child_check_text(flags[3:2])};",
            "    if (|flags[5:4]) return {\"u_c2: \", hdltest_child_check_text(flags[5:4])};",
            "    return \"no check failed\";",
            "      children_checks: assert (~|children_checks_flags)",
            "        else $error(\"%s\", children_checks_text(children_checks_flags));",
        ])
        XCTAssertFalse(text.contains("u_c0_checks"), text)
        let empty = ModuleBuilder("hdltest_empty_group")
        empty.input("clk_i")
        empty.assertChecks(ofInstances: [], module: try child(), label: "none_checks")
        assertElaborationError(empty, ["assertion 'none_checks' in hdltest_empty_group watches no instances"])
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

        // A broadcast input connected otherwise by a second instance; broadcast without shared code.
        let misfed = ModuleBuilder("hdltest_misfed")
        let clk = misfed.input("clk_i")
        let rst = misfed.input("rst_ni")
        let valid = misfed.input("valid_i", 3)
        let data = misfed.input("data_i", 4)
        let sharedChild = try child(broadcast: true)
        for i in 0..<3 {
            misfed.instance(sharedChild, "u_c\(i)",
                            inputs: ["clk_i": clk, "rst_ni": rst, "valid_i": valid.bit(i), "ready_i": Expr.one,
                                     "data_i": i == 0 ? data : ~data],
                            outputs: ["fire_o": misfed.logic("fire\(i)"), "chk_o": misfed.logic("u_c\(i)_chk", 2)])
        }
        let message = assertElaborationError(misfed, [
            "instance u_c1: broadcast input 'data_i' of hdltest_child must be connected as in u_c0 (data_i), not to ~data_i",
        ])
        XCTAssertFalse(message?.contains("u_c2") ?? true, "one error for the port, not one per instance: \(message ?? "")")
        let plainBroadcast = ModuleBuilder("hdltest_plain_broadcast")
        plainBroadcast.assign(plainBroadcast.output("y_o"), plainBroadcast.input("a_i", broadcast: true))
        XCTAssertThrowsError(try plainBroadcast.build()) { error in
            XCTAssertTrue("\(error)".contains("input 'a_i' is broadcast, which only means something in a module that shares code"), "\(error)")
        }

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
        func design(copies: Int, grouped: Bool = false) throws -> Design {
            var d = Design()
            let c = try child()
            try d.add(c)
            try d.add(parent(c, copies: copies, grouped: grouped).build())
            return d
        }
        let dir = try makeTemporaryDirectory("checkflags")
        defer { try? FileManager.default.removeItem(at: dir) }

        let lint = try run(verilator, ["--lint-only", "-Wall", "--top-module", "hdltest_parent"] + design(copies: 4).render().map(\.file),
                           in: dir, writing: design(copies: 4))
        XCTAssertEqual(lint.status, 0, lint.output)
        XCTAssertFalse(lint.output.contains("%Warning"), lint.output)

        func childFunctions(copies: Int) throws -> Int {
            try verilateParent(design(copies: copies), verilator, in: dir, obj: "cc\(copies)").childFunctions
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
        func simulate(grouped: Bool) throws -> String {
            let simDesign = try design(copies: 2, grouped: grouped)
            try simDesign.write(to: dir)
            try writeAtomically(bench, to: dir.appendingPathComponent("hdltest_bench.sv"))
            let obj = dir.appendingPathComponent("bin-\(grouped)")
            let build = try run(verilator, ["--binary", "--timing", "--assert", "-Wno-fatal", "--top-module", "hdltest_bench", "-Mdir", obj.path,
                                            "hdltest_bench.sv"] + simDesign.render().map(\.file),
                                in: dir, writing: nil)
            XCTAssertEqual(build.status, 0, build.output)
            return try run(obj.appendingPathComponent("Vhdltest_bench"), [], in: dir, writing: nil).output
        }
        let single = try simulate(grouped: false)
        XCTAssertTrue(single.contains("hdltest_bench.u_dut.u_c1_checks: data_max: hdltest_child: data 15 is reserved"), single)
        XCTAssertFalse(single.contains("u_c0_checks"), single)
        XCTAssertFalse(single.contains("no check failed"), single)
        // One assertion for both children names the failing one.
        let grouped = try simulate(grouped: true)
        XCTAssertTrue(grouped.contains("hdltest_bench.u_dut.children_checks: u_c1: data_max: hdltest_child: data 15 is reserved"), grouped)
        XCTAssertFalse(grouped.contains("u_c0:"), grouped)
        XCTAssertFalse(grouped.contains("no check failed"), grouped)
    }

    /// Broadcast inputs (clock, reset, shared data): the child's code stays one copy, and the
    /// model has one clock trigger however many instances there are. Without them every
    /// instance's clock port is a trigger of its own, evaluated every cycle.
    func testBroadcastInputsKeepSharedCodeWithOneClockTrigger() throws {
        let verilator = try verilatorOnPath()
        let dir = try makeTemporaryDirectory("broadcast")
        defer { try? FileManager.default.removeItem(at: dir) }
        func verilate(copies: Int, broadcast: Bool) throws -> (childFunctions: Int, actTriggers: Int) {
            var d = Design()
            let c = try child(broadcast: broadcast)
            try d.add(c)
            try d.add(parent(c, copies: copies).build())
            let (functions, obj) = try verilateParent(d, verilator, in: dir, obj: "cc\(copies)-\(broadcast)")
            let root = try String(contentsOf: obj.appendingPathComponent("Vhdltest_parent___024root.h"), encoding: .utf8)
            guard let line = root.split(separator: "\n").first(where: { $0.contains("__VactTriggered;") }),
                  let open = line.firstIndex(of: "<"), let close = line.firstIndex(of: ">"),
                  let triggers = Int(line[line.index(after: open)..<close]) else {
                XCTFail("no act trigger vector in the root header:\n\(root)")
                return (functions, -1)
            }
            return (functions, triggers)
        }
        let printed = VerilogPrinter.render(try child(broadcast: true))
        XCTAssertTrue(printed.contains("  input  logic       clk_i,\n"), printed)
        XCTAssertTrue(printed.contains("  input  logic       valid_i /*verilator public_flat_rd*/,\n"), printed)

        let one = try verilate(copies: 1, broadcast: true)
        let four = try verilate(copies: 4, broadcast: true)
        XCTAssertGreaterThan(one.childFunctions, 0)
        XCTAssertEqual(four.childFunctions, one.childFunctions, "broadcast inputs must keep one copy of the child's code")
        XCTAssertEqual(four.actTriggers, 1, "one clock trigger for the parent and its four children")
        let unmarked = try verilate(copies: 4, broadcast: false)
        XCTAssertEqual(unmarked.actTriggers, 5, "without broadcast inputs, each child's clock port is a trigger")
    }

    /// Verilates `design` (top `hdltest_parent`) to C++ in `dir/obj`; returns how many per-cycle
    /// functions the child's code has, and the object folder.
    private func verilateParent(_ design: Design, _ verilator: URL, in dir: URL, obj name: String) throws
        -> (childFunctions: Int, obj: URL) {
        let obj = dir.appendingPathComponent(name)
        let r = try run(verilator, ["--cc", "-O3", "--assert", "-Wno-fatal", "--top-module", "hdltest_parent", "-Mdir", obj.path]
                            + design.render().map(\.file), in: dir, writing: design)
        XCTAssertEqual(r.status, 0, r.output)
        let functions = try FileManager.default.contentsOfDirectory(atPath: obj.path)
            .filter { $0.contains("hdltest_child") && $0.hasSuffix(".cpp") && !$0.contains("Slow") }
            .reduce(0) { n, f in
                n + (try String(contentsOf: obj.appendingPathComponent(f), encoding: .utf8))
                    .components(separatedBy: "\nVL_INLINE_OPT void ").count - 1
            }
        return (functions, obj)
    }

    private func run(_ exe: URL, _ args: [String], in dir: URL, writing design: Design?) throws -> (status: Int32, output: String) {
        if let design { try design.write(to: dir) }
        return try runTool(exe, args, in: dir)
    }
}
