import EyerissConfig
import EyerissRTL
import HDL
import XCTest

/// Where the PE's checks are made. Every PE evaluates its own checks each cycle, so a check that
/// only depends on what all PEs share belongs to eyeriss_top, once for the whole array.
final class CheckPlacementTests: XCTestCase {
    func testJobChecksAreMadeOnceByTheTopAndNotByEveryPE() throws {
        let design = try AcceleratorGenerator.generate(ConfigLoader.load(file: nil, overrides: []).validated())
        let pe = try XCTUnwrap(design.modules.first { $0.name == "eyeriss_pe" })
        let top = try XCTUnwrap(design.modules.first { $0.name == "eyeriss_top" })
        let peChecks = pe.assertions.map(\.name)
        XCTAssertFalse(peChecks.contains { $0.hasPrefix("job_") || $0.hasSuffix("_no_wrap") }, "\(peChecks)")
        // What is left in the PE depends on each PE's own state and inputs; its FIFOs' checks
        // are proven instead (FIFOProofTests).
        XCTAssertEqual(Set(peChecks), ["psum_in_fifo_no_overflow", "ifmap_fifo_no_underflow", "psum_in_fifo_no_underflow",
                                       "psum_out_fifo_no_overflow"])
        let jobRules = ["job_fits_filter_spad", "job_fits_ifmap_spad", "job_fits_psum_spad", "job_counts_nonzero"]
        let text = try XCTUnwrap(design.render().first { $0.file == "eyeriss_top.sv" }?.text)
        for rule in jobRules {
            let check = try XCTUnwrap(top.assertions.first { $0.name == "pe_\(rule)" }, rule)
            XCTAssertTrue(check.message.contains("PE array: "), check.message)
            // Checked when a PE takes a job: start while idle.
            XCTAssertTrue(text.contains("pe_\(rule): assert (!|(pe_start & pe_idle) | "), rule)
        }
    }

    /// What every PE shares is broadcast: one clock trigger for the array, and no per-PE copy of
    /// the configuration each cycle (CheckFlagsTests shows what Verilator makes of it). What
    /// differs by PE (start, handshakes, the row's filter word, the psum chain) is not.
    func testInputsEveryPESharesAreBroadcast() throws {
        let design = try AcceleratorGenerator.generate(ConfigLoader.load(file: nil, overrides: []).validated())
        let pe = try XCTUnwrap(design.modules.first { $0.name == "eyeriss_pe" })
        let broadcast = Set(pe.ports.filter(\.broadcast).map(\.name))
        XCTAssertEqual(broadcast, ["clk_i", "rst_ni", "cfg_filter_width_i", "cfg_channels_i", "cfg_filters_i", "cfg_step_i",
                                   "cfg_outputs_i", "cfg_rows_i", "cfg_shift_i", "cfg_keep_filters_i", "ifmap_data_i",
                                   "cnt_clear_i"])
        // Tied to 1 above the bottom row: per PE.
        XCTAssertFalse(broadcast.contains("cfg_psum_in_en_i"))
        XCTAssertFalse(broadcast.contains("start_i"))
    }
}
