import Foundation
import HDL
import XCTest

/// `Design`: one body per module name, deterministic rendering, and writing one file per
/// module with nothing stale or half-written left behind.
final class DesignTests: XCTestCase {
    private func constantModule(_ name: String, value: Int) throws -> Module {
        let b = ModuleBuilder(name)
        b.assign(b.output("y_o", 4), .lit(value, width: 4))
        return try b.build()
    }

    func testTwoDifferentBodiesUnderOneNameThrow() throws {
        var design = Design()
        try design.add(constantModule("hdltest_k", value: 1))
        XCTAssertThrowsError(try design.add(constantModule("hdltest_k", value: 2))) { error in
            XCTAssertEqual((error as? HDLError)?.message, "two different modules are both named 'hdltest_k'")
        }
        // The first body stays.
        XCTAssertEqual(design.modules.count, 1)
        XCTAssertTrue(design.render()[0].text.contains("assign y_o = 4'd1;"))
    }

    func testTheSameBodyTwiceIsOneModule() throws {
        var design = Design()
        try design.add(constantModule("hdltest_k", value: 1))
        try design.add(constantModule("hdltest_k", value: 1))  // built again, same body
        try design.add(constantModule("hdltest_j", value: 1))
        XCTAssertEqual(design.modules.map(\.name), ["hdltest_k", "hdltest_j"])
        XCTAssertEqual(design.render().map(\.file), ["hdltest_k.sv", "hdltest_j.sv"])
        XCTAssertEqual(design.module(named: "hdltest_j")?.name, "hdltest_j")
        XCTAssertNil(design.module(named: "hdltest_x"))
    }

    func testRenderIsInInsertionOrderAndDeterministic() throws {
        let design = try makeDemoDesign()
        let first = design.render()
        XCTAssertEqual(first.map(\.file), ["hdltest_inc.sv", "hdltest_sext.sv", "hdltest_top.sv"])
        for (file, text) in first {
            let name = String(file.dropLast(3))
            XCTAssertEqual(text, VerilogPrinter.render(try XCTUnwrap(design.module(named: name))))
            XCTAssertTrue(text.contains("module \(name) ("), file)
        }
        let again = try makeDemoDesign().render()
        XCTAssertEqual(first.map(\.file), again.map(\.file))
        XCTAssertEqual(first.map(\.text), again.map(\.text))
    }

    func testWriteOneFilePerModuleAndRemoveStaleOnes() throws {
        let dir = try makeTemporaryDirectory("write")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Left over from an earlier run: a module that no longer exists, and a file that is
        // not Verilog (kept: only .sv files belong to the design).
        try Data("module old; endmodule\n".utf8).write(to: dir.appendingPathComponent("hdltest_old.sv"))
        try Data("notes\n".utf8).write(to: dir.appendingPathComponent("README.txt"))
        // A file of the design with outdated contents is replaced.
        try Data("stale\n".utf8).write(to: dir.appendingPathComponent("hdltest_inc.sv"))

        let design = try makeDemoDesign()
        try design.write(to: dir)

        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, ["README.txt", "hdltest_inc.sv", "hdltest_sext.sv", "hdltest_top.sv"])
        for (file, text) in design.render() {
            let onDisk = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            XCTAssertEqual(onDisk, text, file)
        }
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("README.txt"), encoding: .utf8), "notes\n")
    }

    func testWriteIntoANewNestedFolderAndRewrite() throws {
        let root = try makeTemporaryDirectory("nested")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("a/b/rtl", isDirectory: true)
        try makeDemoDesign().write(to: dir)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).count, 3)

        // A smaller design written over it leaves exactly its own file.
        var small = Design()
        try small.add(constantModule("hdltest_k", value: 7))
        try small.write(to: dir)
        // contentsOfDirectory lists hidden files too, so a leftover temporary file would show.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["hdltest_k.sv"])
        XCTAssertTrue(try String(contentsOf: dir.appendingPathComponent("hdltest_k.sv"), encoding: .utf8)
            .contains("assign y_o = 4'd7;"))
    }

    func testWriteAtomicallyReplacesAndLeavesNoTemporaryFile() throws {
        let dir = try makeTemporaryDirectory("atomic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.sv")
        try writeAtomically("one\n", to: url)
        try writeAtomically("two\n", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "two\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["x.sv"])
    }

    func testWriteAtomicallyIntoAMissingFolderThrows() throws {
        let dir = try makeTemporaryDirectory("missing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("no/such/dir/x.sv")
        XCTAssertThrowsError(try writeAtomically("x", to: url))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }
}

extension DesignTests {
    /// A design is written all or nothing: when one file cannot be written, every file of the
    /// folder keeps its old text and no temporary is left behind.
    func testWriteIsAllOrNothing() throws {
        let dir = try makeTemporaryDirectory("write")
        defer { try? FileManager.default.removeItem(at: dir) }
        var design = Design()
        try design.add(makeIncrementer())
        try design.add(makeSignExtender())
        let files = design.render().map(\.file)
        XCTAssertEqual(files, ["hdltest_inc.sv", "hdltest_sext.sv"])
        // The first file holds an old text; the last one's name is taken by a folder.
        try Data("old text\n".utf8).write(to: dir.appendingPathComponent(files[0]))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(files[1]), withIntermediateDirectories: false)
        XCTAssertThrowsError(try design.write(to: dir)) { error in
            XCTAssertTrue("\(error)".contains("hdltest_sext.sv: it is a directory (nothing was written)"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent(files[0]), encoding: .utf8), "old text\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), files, "no temporaries left")
        // Once the way is clear, both are written, and a stale module file goes.
        try FileManager.default.removeItem(at: dir.appendingPathComponent(files[1]))
        try Data("stale\n".utf8).write(to: dir.appendingPathComponent("hdltest_gone.sv"))
        try design.write(to: dir)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), files)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent(files[0]), encoding: .utf8), design.render()[0].text)
    }
}
