import EyerissArea
import EyerissConfig
import EyerissRTL
import HDL
import Foundation
import XCTest

/// Yosys on small modules whose cell counts are known by construction: the counts come back
/// exactly, and gates are counts times weights.
final class YosysCountTests: XCTestCase {
    func yosys() throws -> YosysRunner {
        do { return try YosysRunner.find() } catch { throw XCTSkip("yosys is not on PATH") }
    }

    /// 4 XORs, 8 plain flip-flops and a 16 x 8 b memory, in a module built to have exactly those.
    static let known = ModuleSource(name: "known", text: """
        module known (
          input  logic       clk_i,
          input  logic [3:0] a_i,
          input  logic [3:0] b_i,
          output logic [3:0] x_o,
          output logic [7:0] q_o,
          input  logic       we_i,
          input  logic [3:0] wa_i,
          input  logic [3:0] ra_i,
          input  logic [7:0] wd_i,
          output logic [7:0] rd_o
        );
          logic [7:0] mem_q [16];
          assign x_o = a_i ^ b_i;
          always_ff @(posedge clk_i) q_o <= {a_i, b_i};
          always_ff @(posedge clk_i) begin
            if (we_i) mem_q[wa_i] <= wd_i;
          end
          assign rd_o = mem_q[ra_i];
        endmodule
        """, children: [])

    func testKnownModuleCountsAndGates() throws {
        let s = try yosys().synthesize(Self.known, library: [:])
        XCTAssertEqual(s.cells, ["$_XOR_": 4, "$_DFF_P_": 8])
        XCTAssertEqual(s.instances, [:])
        XCTAssertEqual(s.memories, [MemoryShape(name: "mem_q", width: 8, depth: 16, readPorts: 1, writePorts: 1)])
        let (gates, flops) = try AreaModel().logicGates(s.cells, module: s.module)
        XCTAssertEqual(gates, 4 * 2.0 + 8 * 5.67, accuracy: 1e-9)
        XCTAssertEqual(flops, 8)
    }

    /// A parent with three instances of a black-boxed child: the child is counted, not inlined.
    func testInstancesAreCountedAndMultiplied() throws {
        let leaf = ModuleSource(name: "leaf", text: """
            module leaf (input logic clk_i, input logic [1:0] a_i, output logic [1:0] q_o);
              always_ff @(posedge clk_i) q_o <= a_i;
            endmodule
            """, children: [])
        let parent = ModuleSource(name: "parent", text: """
            module parent (input logic clk_i, input logic [1:0] a_i, output logic [1:0] q_o);
              logic [1:0] s1, s2;
              leaf u_a (.clk_i(clk_i), .a_i(a_i), .q_o(s1));
              leaf u_b (.clk_i(clk_i), .a_i(s1), .q_o(s2));
              leaf u_c (.clk_i(clk_i), .a_i(s2), .q_o(q_o));
            endmodule
            """, children: ["leaf"])
        let y = try yosys()
        let library = ["leaf": leaf.text, "parent": parent.text]
        let p = try y.synthesize(parent, library: library)
        XCTAssertEqual(p.cells, [:])
        XCTAssertEqual(p.instances, ["leaf": 3])
        let l = try y.synthesize(leaf, library: library)
        XCTAssertEqual(l.cells, ["$_DFF_P_": 2])
        let r = try AreaReport.build(top: "parent", syntheses: ["parent": p, "leaf": l], model: AreaModel(),
                                     configHash: "c", rtlHash: "r")
        XCTAssertEqual(r.total.logicGates, 3 * 2 * 5.67, accuracy: 1e-9)
    }

    /// The generated FIFO: pointers of depth+1 states each are 2 x 3 reset flops with enables,
    /// and the storage stays one 4 x 16 b memory priced as a register file.
    func testGeneratedFIFO() throws {
        let config = try AcceleratorConfig().validated()
        let fifo = try makeFIFO(width: 16, depth: 4, header: RTLHeader(config))
        var design = Design()
        try design.add(fifo)
        let source = AreaEstimator.sources(of: design)[0]
        let s = try yosys().synthesize(source, library: [:])
        let weights = GateWeights()
        XCTAssertEqual(s.cells.filter { weights.isStorage($0.key) }.values.reduce(0, +), 6)
        XCTAssertEqual(s.memories, [MemoryShape(name: "mem_q", width: 16, depth: 4, readPorts: 1, writePorts: 1)])
        let (gates, _) = try AreaModel().logicGates(s.cells, module: s.module)
        let byHand = s.cells.reduce(0.0) { $0 + Double($1.value) * weights.weight(of: $1.key)! }
        XCTAssertEqual(gates, byHand, accuracy: 1e-9)
        XCTAssertEqual(MemoryModel().kind(of: s.memories[0]), .regfile)
    }

    func testParsesStatisticsAndMemoryDump() throws {
        let stat = """
            {"creator": "Yosys", "modules": {"\\\\m": {"num_cells": 6,
              "num_cells_by_type": {"$_AND_": 2, "$_DFF_P_": 1, "$mem_v2": 2, "child": 1}}}}
            """
        let dump = """
            module \\m
              attribute \\src "m.sv:3"
              cell $mem_v2 \\b_q
                parameter \\INIT 64'x
                parameter \\MEMID "\\\\b_q"
                parameter \\RD_PORTS 2
                parameter \\SIZE 4
                parameter \\WIDTH 16
                parameter \\WR_PORTS 1
                connect \\RD_ADDR 4'0000
              end
              cell $mem_v2 \\a_q
                parameter \\RD_PORTS 1
                parameter \\SIZE 224
                parameter \\WIDTH 16
                parameter \\WR_PORTS 1
              end
            end
            """
        let s = try YosysRunner.parse(module: "m", statJSON: Data(stat.utf8), memoryDump: dump)
        XCTAssertEqual(s.cells, ["$_AND_": 2, "$_DFF_P_": 1])
        XCTAssertEqual(s.instances, ["child": 1])
        XCTAssertEqual(s.memories, [MemoryShape(name: "a_q", width: 16, depth: 224, readPorts: 1, writePorts: 1),
                                    MemoryShape(name: "b_q", width: 16, depth: 4, readPorts: 2, writePorts: 1)])
        XCTAssertThrowsError(try YosysRunner.parse(module: "m", statJSON: Data(stat.utf8), memoryDump: ""))
    }
}
