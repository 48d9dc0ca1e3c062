import EyerissArea
import Foundation
import XCTest

/// The three output formats of one report, without Yosys.
final class AreaFormatTests: XCTestCase {
    func report() throws -> AreaReport {
        let syntheses: [String: ModuleSynthesis] = [
            "eyeriss_top": ModuleSynthesis(module: "eyeriss_top", cells: ["$_NAND_": 40],
                                           instances: ["eyeriss_pe": 4, "eyeriss_controller": 1], memories: []),
            "eyeriss_pe": ModuleSynthesis(module: "eyeriss_pe", cells: ["$_XOR_": 10, "$_DFF_P_": 2], instances: [:],
                                          memories: [MemoryShape(name: "filter_spad_q", width: 16, depth: 224, readPorts: 1, writePorts: 1),
                                                     MemoryShape(name: "psum_spad_q", width: 16, depth: 24, readPorts: 2, writePorts: 1)]),
            "eyeriss_controller": ModuleSynthesis(module: "eyeriss_controller", cells: ["$_SDFF_PN0_": 5, "$_AOI4_": 7],
                                                  instances: [:], memories: []),
        ]
        return try AreaReport.build(top: "eyeriss_top", syntheses: syntheses, model: AreaModel(), configHash: "abc", rtlHash: "def")
    }

    func testJSONRoundTripsWithDerivedTotals() throws {
        let r = try report()
        let text = r.rendered(.json)
        XCTAssertEqual(try JSONDecoder().decode(AreaReport.self, from: Data(text.utf8)), r)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let total = object["total"] as! [String: Any]
        XCTAssertEqual(total["gates"] as! Double, r.total.gates, accuracy: 1e-6)
        XCTAssertEqual(total["memoryMM2"] as! Double, r.total.memoryMM2, accuracy: 1e-9)
        XCTAssertNotNil((object["model"] as! [String: Any])["node"])
    }

    func testCSVHasARowPerPartAndATotal() throws {
        let r = try report()
        let rows = CSV.parse(r.rendered(.csv))
        XCTAssertEqual(rows[0], ["category", "module", "part", "kind", "instances", "copies", "detail", "cells_each",
                                 "flops_each", "gates_each", "gates", "mm2"])
        XCTAssertEqual(rows.count, 1 + r.rows.count + 1)
        XCTAssertTrue(rows.allSatisfy { $0.count == 12 })
        let spad = rows.first { $0[2] == "filter_spad_q" }!
        XCTAssertEqual(spad[6], "224 x 16 b, 1R 1W", "a field with a comma is quoted and read back whole")
        XCTAssertEqual(spad[4], "4")
        let sum = rows.dropFirst().dropLast().reduce(0.0) { $0 + Double($1[10])! }
        XCTAssertEqual(sum, Double(rows.last![10])!, accuracy: 0.1)
        XCTAssertEqual(rows.last![0], "total")
    }

    func testTableNamesEveryPartAndBlock() throws {
        let r = try report()
        let t = r.rendered(.table)
        for word in ["65 nm", "eyeriss_pe", "filter_spad_q", "psum_spad_q", "sram", "regfile", "PE array", "controller",
                     "not in the generated RTL yet", "total"] {
            XCTAssertTrue(t.contains(word), "no \(word) in\n\(t)")
        }
    }
}
