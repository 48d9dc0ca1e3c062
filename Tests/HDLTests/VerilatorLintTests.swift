import Foundation
import HDL
import XCTest

/// Rendered modules pass `verilator --lint-only -Wall`. Skipped when Verilator is not installed.
final class VerilatorLintTests: XCTestCase {
    /// Writes `design` to a fresh folder and lints it with `top` as the top module.
    private func lint(_ design: Design, top: String) throws -> (status: Int32, output: String) {
        let exe = try verilatorOnPath()
        let dir = try makeTemporaryDirectory("lint")
        defer { try? FileManager.default.removeItem(at: dir) }
        try design.write(to: dir)
        return try runTool(exe, ["--lint-only", "-Wall", "--top-module", top] + design.render().map(\.file), in: dir)
    }

    func lintDesign(_ design: Design, top: String) throws -> (status: Int32, output: String) {
        try lint(design, top: top)
    }

    func testDemoDesignIsLintClean() throws {
        let result = try lint(makeDemoDesign(), top: "hdltest_top")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(result.output.contains("%Warning"), result.output)
    }

    func testLintCatchesAnUnusedInput() throws {
        // The harness itself can fail: the builder accepts an unused input, -Wall does not.
        let b = ModuleBuilder("hdltest_unused")
        b.input("spare_i", 4)
        b.assign(b.output("y_o"), b.input("a_i"))
        var design = Design()
        try design.add(b.build())
        let result = try lint(design, top: "hdltest_unused")
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("UNUSED"), result.output)
        XCTAssertTrue(result.output.contains("spare_i"), result.output)
    }
}

extension VerilatorLintTests {
    /// Assertions with `$past`, gated by the reset, pass `-Wall`: the generated RTL can carry
    /// them in every module without lint waivers.
    func testAssertionsAreLintClean() throws {
        let b = ModuleBuilder("hdltest_asserts")
        b.input("clk_i")
        b.input("rst_ni")
        let valid = b.input("valid_i")
        let ready = b.input("ready_i")
        let data = b.input("data_i", 4)
        b.assign(b.output("fire_o"), valid & ready)
        b.assertion("data_max", !(valid & data.eq(15)), message: "data 15 is reserved")
        b.assertion("hold", !Expr.past(valid & ~ready) || (valid & data.eq(Expr.past(data))), message: "word withdrawn")
        var design = Design()
        try design.add(b.build())
        let result = try lintDesign(design, top: "hdltest_asserts")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(result.output.contains("%Warning"), result.output)
    }
}
