import EyerissConfig
import EyerissRTL
import Foundation
import HDL
import XCTest

/// The PEs do not re-check their FIFOs in every simulated cycle (`fifo(..., checks: .proven)`): instead Yosys
/// proves, by temporal induction from reset, that no FIFO the generator makes can ever raise its
/// check flags, whatever its inputs do.
final class FIFOProofTests: XCTestCase {
    /// `sat -tempinduct -prove chk_o 0` on one FIFO file, with the checks compiled in
    /// (`-nosynthesis`: Yosys otherwise defines SYNTHESIS, which ties chk_o to zero).
    func prove(_ module: String, text: String, tag: String) throws -> (Int32, String) {
        let yosys = try XCTUnwrap(which("yosys"), "yosys is not installed: run scripts/setup.sh")
        let dir = try temporaryDirectory("fifo-proof-\(tag)")
        let file = dir.appendingPathComponent("\(module).sv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let script = "read_verilog -sv -nosynthesis \(file.path); prep -top \(module); memory; memory_map; flatten; "
            + "sat -tempinduct -prove chk_o 0 -set-at 1 rst_ni 0 -seq 1 -maxsteps 12 -verify"
        return try runTool(yosys, ["-q", "-p", script])
    }

    func testEveryGeneratedFIFOProvablyKeepsItsChecks() throws {
        var shapes = Set<String>()
        for overrides in [[], ["pe.fifoDepth=8", "array.rows=3", "array.columns=4"]] {
            let design = try AcceleratorGenerator.generate(ConfigLoader.load(file: nil, overrides: overrides).validated())
            for file in design.render() where file.file.hasPrefix("eyeriss_fifo_") {
                let module = String(file.file.dropLast(3))
                guard shapes.insert(module).inserted else { continue }
                XCTAssertTrue(file.text.contains("occupancy_in_range"), "\(module) has its check")
                let (status, output) = try prove(module, text: file.text, tag: module)
                XCTAssertEqual(status, 0, "\(module): the proof failed:\n\(output)")
            }
        }
        // The PE's FIFOs, the psum unpackers' and the RLC loader's, at depths 4 and 8.
        XCTAssertTrue(shapes.isSuperset(of: ["eyeriss_fifo_w16_d4", "eyeriss_fifo_w16_d8"]), "\(shapes.sorted())")
    }

    /// The proof has teeth: a FIFO that takes a word while full breaks its occupancy, and Yosys
    /// finds the input sequence that does it.
    func testAFIFOThatIgnoresFullIsNotProven() throws {
        let design = try AcceleratorGenerator.generate(ConfigLoader.load(file: nil, overrides: []).validated())
        let fifo = try XCTUnwrap(design.render().first { $0.file == "eyeriss_fifo_w16_d4.sv" })
        let broken = fifo.text.replacingOccurrences(of: "assign push = in_valid_i & ~full;", with: "assign push = in_valid_i;")
        XCTAssertNotEqual(broken, fifo.text, "the planted bug must change the FIFO")
        let (status, output) = try prove("eyeriss_fifo_w16_d4", text: broken, tag: "broken")
        XCTAssertNotEqual(status, 0, "a FIFO that overflows must fail the proof:\n\(output)")
    }
}
