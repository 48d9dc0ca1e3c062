import Foundation
import HDL
import XCTest

// Small modules and assertions shared by the HDL tests. Every module here is built through
// `ModuleBuilder`, exactly as a generator would.

/// `sum_o = a_i + 1`, 8 bits: the smallest module worth instantiating. Its port names differ
/// in length so the printer's column alignment of named connections shows.
func makeIncrementer() throws -> Module {
    let b = ModuleBuilder("hdltest_inc")
    let a = b.input("a_i", 8)
    let sum = b.output("sum_o", 8)
    b.assign(sum, a + 1)
    return try b.build()
}

/// `y_o = sign-extend(x_i)` from 4 to 8 signed bits.
func makeSignExtender() throws -> Module {
    let b = ModuleBuilder("hdltest_sext")
    let x = b.input("x_i", 4, signed: true)
    let y = b.output("y_o", 8, signed: true)
    b.assign(y, x.signExtended(to: 8))
    return try b.build()
}

/// A counter with a reset register pair, a small state machine (`unique case`), a memory with
/// one write port and two instances: every construct the generators use, in one module that
/// Verilator `-Wall` accepts.
func makeDemoTop(inc: Module, sext: Module) throws -> Module {
    let b = ModuleBuilder("hdltest_top", header: ["Demo module for the HDL tests.", "", "Second header line."])
    b.portGroup("Clock and reset")
    b.input("clk_i")
    b.input("rst_ni")
    b.portGroup("Write port")
    let we = b.input("we_i")
    let waddr = b.input("waddr_i", 4)
    let wdata = b.input("wdata_i", 8)
    b.portGroup("Read port")
    let raddr = b.input("raddr_i", 4)
    let rdata = b.output("rdata_o", 8)
    b.portGroup("Status")
    let countOut = b.output("count_o", 8)
    let stateOut = b.output("state_o", 2)
    let wideOut = b.output("wide_o", 8)

    let idle = b.constant("Idle", 0, width: 2, comment: "waiting for a write")
    let busy = b.constant("Busy", 1, width: 2)
    let done = b.constant("Done", 2, width: 2)

    b.section("Counter")
    let count = b.register("count", 8, reset: 0, comment: "writes seen")
    let countInc = b.logic("count_inc", 8)
    let countSext = b.logic("count_sext", 8, signed: true)
    b.instance(inc, "u_inc", inputs: ["a_i": count.q], outputs: ["sum_o": countInc],
               comment: "Increment the count")
    b.instance(sext, "u_sext", inputs: ["x_i": count.q.truncated(to: 4).asSigned],
               outputs: ["y_o": countSext])
    b.comb("Next count") { s in
        s.set(count.d, count.q)
        s.when(we) { t in t.set(count.d, countInc) }
    }
    b.assign(countOut, count.q)
    b.assign(wideOut, countSext.asUnsigned)

    b.section("State machine")
    let state = b.register("state", 2, reset: 0)
    b.comb { s in
        s.set(state.d, state.q)
        s.switchOn(state.q, arms: [
            (labels: [idle], body: { t in t.when(we) { u in u.set(state.d, busy) } }),
            (labels: [busy], body: { t in t.set(state.d, done) }),
        ], default: { t in t.set(state.d, idle) })
    }
    b.assign(stateOut, state.q)

    b.section("Memory")
    let mem = b.memory("mem_q", width: 8, depth: 16, comment: "storage")
    b.memoryWrite(mem, enable: we, index: waddr, data: wdata)
    b.assign(rdata, mem[raddr])
    return try b.build()
}

/// The three demo modules, submodules first.
func makeDemoDesign() throws -> Design {
    let inc = try makeIncrementer()
    let sext = try makeSignExtender()
    var design = Design()
    try design.add(inc)
    try design.add(sext)
    try design.add(makeDemoTop(inc: inc, sext: sext))
    return design
}

/// Asserts that `build()` throws an `HDLError` whose message contains every fragment.
/// Returns the message so a test can check more.
@discardableResult
func assertElaborationError(_ builder: ModuleBuilder, _ fragments: [String],
                            file: StaticString = #filePath, line: UInt = #line) -> String? {
    do {
        let module = try builder.build()
        XCTFail("expected an elaboration error, but \(module.name) built", file: file, line: line)
        return nil
    } catch let error as HDLError {
        for fragment in fragments {
            XCTAssertTrue(error.message.contains(fragment),
                          "message lacks \"\(fragment)\":\n\(error.message)", file: file, line: line)
        }
        XCTAssertTrue(error.description.hasPrefix("HDL elaboration error: "), file: file, line: line)
        return error.message
    } catch {
        XCTFail("expected HDLError, got \(type(of: error)): \(error)", file: file, line: line)
        return nil
    }
}

/// Asserts that every expected line occurs, as a whole line, in `text`, in the given order.
func assertLinesInOrder(_ text: String, _ expected: [String],
                        file: StaticString = #filePath, line: UInt = #line) {
    let lines = text.components(separatedBy: "\n")
    var from = 0
    for want in expected {
        guard let at = lines[from...].firstIndex(of: want) else {
            let anywhere = lines.contains(want) ? " (present, but out of order)" : ""
            XCTFail("missing line\(anywhere): \"\(want)\"\nin:\n\(text)", file: file, line: line)
            return
        }
        from = at + 1
    }
}

/// A fresh, empty directory under the system temporary directory.
func makeTemporaryDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("hdltests-\(label)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Verilator on PATH, or the test is skipped.
func verilatorOnPath() throws -> URL {
    let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
        .split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("verilator") }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw XCTSkip("verilator is not on PATH")
    }
    return found
}

/// Runs a tool in `dir` and returns its exit status and its merged output.
func runTool(_ exe: URL, _ args: [String], in dir: URL) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = exe
    process.currentDirectoryURL = dir
    process.arguments = args
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}
