import EyerissConfig
import EyerissRTL
import Foundation
import HDL
import XCTest

/// `eyeriss_psum_unpacker` on its own, in a Verilator testbench: it queues psum GIN lines while
/// its PE is not ready, so the psum feeder can go on to other columns, and hands the words on
/// in order, lane 0 first.
final class PsumUnpackerTests: XCTestCase {
    func testQueuesLinesWhileThePEWaitsAndKeepsTheirOrder() throws {
        let verilator = try XCTUnwrap(which("verilator"), "verilator is not installed: run scripts/setup.sh")
        let config = try ConfigLoader.load(file: nil, overrides: []).validated()
        let p = TopParams(config)
        let lines = 8  // more than the unpacker can hold
        let bench = """
            module unpacker_bench;
              logic clk_i = 1'b0, rst_ni = 1'b0;
              logic in_valid_i = 1'b0, in_ready_o, out_valid_o, out_ready_i = 1'b0;
              logic [63:0] in_data_i = 64'd0;
              logic [2:0] in_count_i = 3'd4;
              logic [15:0] out_data_o;
              int sent = 0, got = 0, wrong = 0;
              eyeriss_psum_unpacker u_dut (.*);
              always #1 clk_i = ~clk_i;
              // Line i holds the words 16 i + lane.
              always @(negedge clk_i) begin
                in_valid_i = rst_ni && sent < \(lines);
                in_data_i = {16'(16 * sent + 3), 16'(16 * sent + 2), 16'(16 * sent + 1), 16'(16 * sent)};
              end
              always @(posedge clk_i) begin
                if (in_valid_i && in_ready_o) sent <= sent + 1;
                if (out_valid_o && out_ready_i) begin
                  if (out_data_o != 16'(16 * (got / 4) + got % 4)) wrong <= wrong + 1;
                  got <= got + 1;
                end
              end
              initial begin
                repeat (2) @(negedge clk_i);
                rst_ni = 1'b1;
                repeat (30) @(negedge clk_i);
                $display("taken while the PE waited: %0d lines", sent);
                out_ready_i = 1'b1;
                repeat (60) @(negedge clk_i);
                $display("words out: %0d, out of order: %0d", got, wrong);
                $finish;
              end
            endmodule
            """
        let dir = try temporaryDirectory("unpacker")
        let design = try AcceleratorGenerator.generate(config)
        try design.write(to: dir)
        let benchFile = dir.appendingPathComponent("unpacker_bench.sv")
        try bench.write(to: benchFile, atomically: true, encoding: .utf8)
        let files = design.render().map { dir.appendingPathComponent($0.file).path }
        let obj = dir.appendingPathComponent("obj")
        let (status, output) = try runTool(verilator, ["--binary", "--timing", "--assert", "-Wno-fatal", "--top-module", "unpacker_bench",
                                                       "-Mdir", obj.path, benchFile.path] + files)
        XCTAssertEqual(status, 0, output)
        let (runStatus, sim) = try runTool(obj.appendingPathComponent("Vunpacker_bench").path, [])
        XCTAssertEqual(runStatus, 0, sim)
        // The queue, and the line being unpacked, which waits for the PE's first word.
        XCTAssertTrue(sim.contains("taken while the PE waited: \(p.psumUnpackerLines + 1) lines"), sim)
        XCTAssertTrue(sim.contains("words out: \(4 * lines), out of order: 0"), sim)
    }
}
