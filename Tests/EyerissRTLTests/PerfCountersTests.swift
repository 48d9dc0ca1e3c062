import EyerissConfig
import EyerissRTL
import Foundation
import HDL
import XCTest

/// The generated performance counters: one counter per `PerfCounter`, readable through the
/// select, and the top's DRAM-stall event decoding exactly the controller's DRAM states.
final class PerfCountersTests: XCTestCase {
    func render(_ overrides: [String]) throws -> [String: String] {
        let files = try AcceleratorGenerator.generate(ConfigLoader.load(file: nil, overrides: overrides).validated()).render()
        return Dictionary(uniqueKeysWithValues: files.map { ($0.file, $0.text) })
    }

    func testEveryCounterIsReadableAndAsWideAsConfigured() throws {
        for (overrides, bits) in [([String](), 48), (["counters.bits=20", "array.rows=2", "array.columns=3"], 20)] {
            let files = try render(overrides)
            let perf = try XCTUnwrap(files["eyeriss_perf_counters.sv"])
            XCTAssertEqual(PerfCounter.allCases.count, 19)
            XCTAssertLessThanOrEqual(PerfCounter.allCases.count, 1 << PerfCounter.selectBits)
            for c in PerfCounter.allCases {
                XCTAssertTrue(perf.contains("ev_\(c.name)_i"), c.name)
                XCTAssertTrue(perf.contains("logic [\(bits - 1):0] cnt_\(c.name)_q;"), "\(c.name) is \(bits) b")
                XCTAssertTrue(perf.contains("if (perf_sel_i == 5'd\(c.rawValue)) begin\n      perf_cnt_o = cnt_\(c.name)_q;"),
                              "\(c.name) readable at \(c.rawValue)")
            }
            let top = try XCTUnwrap(files["eyeriss_top.sv"])
            // Ports are aligned in columns: any run of spaces before the name.
            XCTAssertNotNil(top.range(of: "output logic \\[\(bits - 1):0\\] +perf_cnt_o", options: .regularExpression),
                            "the read-out port is \(bits) b")
            XCTAssertTrue(top.contains("eyeriss_perf_counters u_perf_counters ("))
        }
    }

    /// The counters decode the controller's state codes: if the controller's encoding changes,
    /// this fails instead of the DRAM-stall count going quietly wrong.
    func testDRAMStallDecodesTheControllersDRAMStates() throws {
        let files = try render([])
        let ctrl = try XCTUnwrap(files["eyeriss_controller.sv"])
        func code(_ name: String) throws -> Int {
            let line = try XCTUnwrap(ctrl.split(separator: "\n").first { $0.contains("localparam logic [3:0] \(name) = ") }, name)
            let value = line.split(separator: "'d")[1].prefix { $0.isNumber }
            return try XCTUnwrap(Int(value))
        }
        let top = try XCTUnwrap(files["eyeriss_top.sv"])
        let event = try XCTUnwrap(top.split(separator: "\n").first { $0.contains(".ev_cycles_dram_stall_i") })
        let decoded = Set(event.components(separatedBy: "state_o == 4'd").dropFirst().map { Int($0.prefix { $0.isNumber })! })
        XCTAssertEqual(decoded, Set(try ["StFetch", "StLoadFilter", "StLoadIfmap", "StStore", "StPrefetchWait",
                                                 "StStoreWait", "StFinish"].map(code)))
        // Ifmap lines arrive in StLoadIfmap or, prefetched into another slot of the region,
        // while the pass before runs: the controller says which (ifmap_loading_o).
        let ifmapLines = try XCTUnwrap(top.split(separator: "\n").first { $0.contains(".ev_dram_ifmap_lines_read_i") })
        XCTAssertTrue(ifmapLines.contains("ifmap_loading"), String(ifmapLines))
        let loading = try XCTUnwrap(ctrl.split(separator: "\n").first { $0.contains("assign loading_ifmap = ") })
        XCTAssertTrue(loading.contains("state_q == StLoadIfmap") && loading.contains("pf_loading_ifmap"), String(loading))
        XCTAssertTrue(ctrl.contains("assign ifmap_loading_o = loading_ifmap;"))
        // Filter lines also arrive while a pass runs (the prefetch): they are the filter buffer's line writes.
        let filterLines = try XCTUnwrap(top.split(separator: "\n").first { $0.contains(".ev_dram_filter_lines_read_i") })
        XCTAssertTrue(filterLines.contains("glb_f_wr_en"), String(filterLines))
    }
}
