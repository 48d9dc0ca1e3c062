import Foundation
import HDL
import XCTest

/// Correct modules render to the Verilog we expect. Expected text is written out by hand from
/// the style rules (ANSI ports with `_i`/`_o`, aligned types, named connections, `unique case`
/// with a default, one `always_ff` per memory write port and one for the registers).
final class VerilogPrinterTests: XCTestCase {
    func testIncrementerRendersExactly() throws {
        let text = VerilogPrinter.render(try makeIncrementer())
        XCTAssertEqual(text, """
            module hdltest_inc (
              input  logic [7:0] a_i,
              output logic [7:0] sum_o
            );

              assign sum_o = a_i + 8'd1;

            endmodule

            """)
    }

    func testHeaderAndPortList() throws {
        let top = try makeDemoTop(inc: makeIncrementer(), sext: makeSignExtender())
        let text = VerilogPrinter.render(top)
        // The header, then ANSI ports in declaration order, grouped under comments, with the
        // type column padded to the widest type and no comma after the last port.
        XCTAssertTrue(text.hasPrefix("""
            // Demo module for the HDL tests.
            //
            // Second header line.

            module hdltest_top (
              // Clock and reset
              input  logic       clk_i,
              input  logic       rst_ni,

              // Write port
              input  logic       we_i,
              input  logic [3:0] waddr_i,
              input  logic [7:0] wdata_i,

              // Read port
              input  logic [3:0] raddr_i,
              output logic [7:0] rdata_o,

              // Status
              output logic [7:0] count_o,
              output logic [1:0] state_o,
              output logic [7:0] wide_o
            );

            """), text)
        XCTAssertTrue(text.hasSuffix("\nendmodule\n"))
    }

    func testDeclarations() throws {
        let text = VerilogPrinter.render(try makeDemoTop(inc: makeIncrementer(), sext: makeSignExtender()))
        assertLinesInOrder(text, [
            "  localparam logic [1:0] Idle = 2'd0;  // waiting for a write",
            "  localparam logic [1:0] Busy = 2'd1;",
            "  localparam logic [1:0] Done = 2'd2;",
            "  // Signals",
            "  logic [7:0] count_q;  // writes seen",
            "  logic [7:0] count_d;",
            "  logic [7:0] count_inc;",
            "  logic signed [7:0] count_sext;",
            "  logic [1:0] state_q;",
            "  logic [1:0] state_d;",
            "  logic [7:0] mem_q [16];  // storage",
        ])
    }

    func testInstancesUseNamedAlignedConnectionsInPortOrder() throws {
        let text = VerilogPrinter.render(try makeDemoTop(inc: makeIncrementer(), sext: makeSignExtender()))
        assertLinesInOrder(text, [
            "  // " + String(repeating: "-", count: 72),
            "  // Counter",
            "  // " + String(repeating: "-", count: 72),
            "  // Increment the count",
            "  hdltest_inc u_inc (",
            "    .a_i  (count_q),",
            "    .sum_o(count_inc)",
            "  );",
            "  hdltest_sext u_sext (",
            "    .x_i($signed(count_q[3:0])),",
            "    .y_o(count_sext)",
            "  );",
        ])
        XCTAssertFalse(text.contains(".*"), "no implicit connections")
    }

    func testCombBlocksAndUniqueCase() throws {
        let text = VerilogPrinter.render(try makeDemoTop(inc: makeIncrementer(), sext: makeSignExtender()))
        assertLinesInOrder(text, [
            "  // Next count",
            "  always_comb begin",
            "    count_d = count_q;",
            "    if (we_i) begin",
            "      count_d = count_inc;",
            "    end",
            "  end",
            "  assign count_o = count_q;",
            "  assign wide_o = $unsigned(count_sext);",
            "  // State machine",
            "  always_comb begin",
            "    state_d = state_q;",
            "    unique case (state_q)",
            "      Idle: begin",
            "        if (we_i) begin",
            "          state_d = Busy;",
            "        end",
            "      end",
            "      Busy: begin",
            "        state_d = Done;",
            "      end",
            "      default: begin",
            "        state_d = Idle;",
            "      end",
            "    endcase",
            "  end",
            "  assign state_o = state_q;",
        ])
    }

    func testMemoryWritePortAndResetRegisters() throws {
        let text = VerilogPrinter.render(try makeDemoTop(inc: makeIncrementer(), sext: makeSignExtender()))
        assertLinesInOrder(text, [
            "  // Memory",
            "  always_ff @(posedge clk_i) begin",
            "    if (we_i) begin",
            "      mem_q[waddr_i] <= wdata_i;",
            "    end",
            "  end",
            "  assign rdata_o = mem_q[raddr_i];",
            "  // Registers",
            "  // Control registers: synchronous active-low reset.",
            "  always_ff @(posedge clk_i) begin",
            "    if (!rst_ni) begin",
            "      count_q <= 8'd0;",
            "      state_q <= 2'd0;",
            "    end else begin",
            "      count_q <= count_d;",
            "      state_q <= state_d;",
            "    end",
            "  end",
            "",
            "endmodule",
        ])
        // One always_ff for the memory's write port, one for both control registers, none
        // for datapath registers (there are none).
        XCTAssertEqual(text.components(separatedBy: "always_ff @(posedge clk_i)").count - 1, 2)
        XCTAssertFalse(text.contains("Datapath registers"))
        // The memory is never reset.
        XCTAssertFalse(text.contains("mem_q <="))
    }

    func testDatapathRegistersHaveNoReset() throws {
        let b = ModuleBuilder("hdltest_pipe")
        b.input("clk_i")
        let d = b.input("d_i", 16, signed: true)
        let q = b.output("q_o", 16, signed: true)
        let stage = b.register("stage", 16, signed: true)
        b.assign(stage.d, d)
        b.assign(q, stage.q)
        let text = VerilogPrinter.render(try b.build())
        assertLinesInOrder(text, [
            "  input  logic signed [15:0] d_i,",
            "  output logic signed [15:0] q_o",
            "  logic signed [15:0] stage_q;",
            "  logic signed [15:0] stage_d;",
            "  // Registers",
            "  // Datapath registers: no reset, so nothing may rely on their initial value.",
            "  always_ff @(posedge clk_i) begin",
            "    stage_q <= stage_d;",
            "  end",
        ])
        XCTAssertFalse(text.contains("rst_ni"))
    }

    func testElseIfChainsPrintFlat() throws {
        let b = ModuleBuilder("hdltest_prio")
        let a = b.input("a_i")
        let c = b.input("c_i")
        let y = b.output("y_o", 2)
        b.comb { s in
            s.set(y, .lit(0, width: 2))
            s.when(a) { t in
                t.set(y, .lit(1, width: 2))
            } otherwise: { e in
                e.when(c) { t in t.set(y, .lit(2, width: 2)) } otherwise: { e2 in e2.set(y, .lit(3, width: 2)) }
            }
        }
        let text = VerilogPrinter.render(try b.build())
        assertLinesInOrder(text, [
            "  always_comb begin",
            "    y_o = 2'd0;",
            "    if (a_i) begin",
            "      y_o = 2'd1;",
            "    end else if (c_i) begin",
            "      y_o = 2'd2;",
            "    end else begin",
            "      y_o = 2'd3;",
            "    end",
            "  end",
        ])
    }

    func testAttributeIsPrintedInsideTheModule() throws {
        let b = ModuleBuilder("hdltest_attr")
        b.attribute("/*verilator no_inline_module*/")
        let a = b.input("a_i")
        b.assign(b.output("a_o"), a)
        let text = VerilogPrinter.render(try b.build())
        assertLinesInOrder(text, [
            "  output logic a_o",
            ");",
            "  /*verilator no_inline_module*/",
            "  assign a_o = a_i;",
        ])
    }

    func testUntypedLocalparam() throws {
        let b = ModuleBuilder("hdltest_lp")
        b.localparam("Depth", 224, comment: "filter spad words")
        b.assign(b.output("a_o"), b.input("a_i"))
        let text = VerilogPrinter.render(try b.build())
        assertLinesInOrder(text, ["  localparam int unsigned Depth = 224;  // filter spad words"])
    }

    func testRenderingIsDeterministic() throws {
        // Two independent builds of the same module, each rendered twice: one text. Instance
        // connections come from dictionaries, so this would catch an unsorted iteration.
        let first = VerilogPrinter.render(try makeDemoTop(inc: makeIncrementer(), sext: makeSignExtender()))
        let second = VerilogPrinter.render(try makeDemoTop(inc: makeIncrementer(), sext: makeSignExtender()))
        XCTAssertEqual(first, second)
        let module = try makeDemoTop(inc: makeIncrementer(), sext: makeSignExtender())
        XCTAssertEqual(VerilogPrinter.render(module), VerilogPrinter.render(module))
        XCTAssertEqual(VerilogPrinter.render(module), first)
    }

    func testModulePortLookup() throws {
        let inc = try makeIncrementer()
        XCTAssertEqual(inc.ports.map(\.name), ["a_i", "sum_o"])
        XCTAssertEqual(inc.port("sum_o")?.direction, .output)
        XCTAssertEqual(inc.port("a_i")?.width, 8)
        XCTAssertNil(inc.port("b_i"))
    }
}
