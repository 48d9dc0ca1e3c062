import EyerissConfig
import HDL

/// A synchronous valid/ready FIFO of `depth` (a power of two) words of `width` bits.
///
/// Storage is an unpacked array, so Verilator keeps it as a memory and Yosys infers `$mem`.
/// `in_ready_o` is "not full" and `out_valid_o` is "not empty", both straight from registers:
/// no combinational path crosses the FIFO, which is what lets chains of PEs pass psums without
/// long paths. Latency: a word written in cycle t can be read in cycle t+1.
/// The name carries the shape (`eyeriss_fifo_w16_d4`), one module per shape.
public func makeFIFO(width: Int, depth: Int, header: RTLHeader) throws -> Module {
    precondition(depth >= 2 && depth & (depth - 1) == 0, "FIFO depth must be a power of two >= 2")
    let name = "eyeriss_fifo_w\(width)_d\(depth)"
    let ptrBits = bitsToAddress(depth)
    let m = ModuleBuilder(name, header: header.lines(
        purpose: "Valid/ready FIFO, \(depth) words x \(width) b; registered full/empty flags.",
        parameters: ["width: \(width) b", "depth: \(depth) words"]))
    m.portGroup("Clock and synchronous active-low reset")
    m.input("clk_i")
    m.input("rst_ni")
    m.portGroup("Write side")
    let inValid = m.input("in_valid_i")
    let inReady = m.output("in_ready_o")
    let inData = m.input("in_data_i", width)
    m.portGroup("Read side")
    let outValid = m.output("out_valid_o")
    let outReady = m.input("out_ready_i")
    let outData = m.output("out_data_o", width)

    m.section("Storage and pointers")
    let mem = m.memory("mem_q", width: width, depth: depth)
    // Pointers carry one extra wrap bit so full and empty are told apart without a counter.
    let wr = m.register("wr_ptr", ptrBits + 1, reset: 0)
    let rd = m.register("rd_ptr", ptrBits + 1, reset: 0)
    let push = m.logic("push")
    let pop = m.logic("pop")
    let empty = m.logic("empty")
    let full = m.logic("full")
    m.assign(empty, wr.q.eq(rd.q))
    m.assign(full, Expr.concat([~wr.q.bit(ptrBits), wr.q.bits(ptrBits - 1, 0)]).eq(rd.q))
    m.assign(push, inValid & ~full)
    m.assign(pop, outReady & ~empty)
    m.assign(inReady, ~full)
    m.assign(outValid, ~empty)
    m.assign(outData, mem[rd.q.bits(ptrBits - 1, 0)])
    m.comb { b in
        b.set(wr.d, Expr.mux(push, wr.q + 1, wr.q))
        b.set(rd.d, Expr.mux(pop, rd.q + 1, rd.q))
    }
    m.memoryWrite(mem, enable: push, index: wr.q.bits(ptrBits - 1, 0), data: inData)

    // Simulation-only check of the FIFO's own bookkeeping. Producers and consumers are checked
    // where their protocol is known (the PE checks what the networks deliver). No overflow or
    // underflow check here: push and pop are gated by full and empty above, so `push & full`
    // and `pop & empty` are false whatever the inputs, and in the PEs' FIFOs those two flags
    // were evaluated 1,008 times a cycle for nothing. What can break is the pointer arithmetic.
    m.assertion("occupancy_in_range", (wr.q - rd.q).le(.lit(depth, width: ptrBits + 1)),
                message: "occupancy past the depth: the pointers are corrupt")
    // Reported as flags: FIFOs live inside the PEs, whose code all instances share.
    m.reportChecks()
    return try m.build()
}

/// What an instantiating module does with a FIFO's check flags.
enum FIFOChecks {
    /// Takes them as its own (`forwardChecks`), so they reach an `assert` however deep the
    /// FIFO sits.
    case forward
    /// Leaves them unused: for the PEs' FIFOs, whose checks a simulator would otherwise
    /// evaluate 3 x 168 times a cycle. Sound because the FIFO's check (`occupancy_in_range`)
    /// holds from reset for every input sequence: FIFOProofTests proves it by induction with
    /// Yosys for each FIFO the generator makes. A producer or consumer that breaks the
    /// handshake is still caught where the protocol is known (the PE's and the networks' checks).
    case proven
}

extension ModuleBuilder {
    /// Instantiates a FIFO made by `makeFIFO`, its check flags handled as `checks` says.
    func fifo(_ fifo: Module, _ name: String, inputs: [String: Expr], outputs: [String: Expr],
              checks: FIFOChecks = .forward, file: StaticString = #fileID, line: UInt = #line) {
        let flags = logic("\(name)_chk", fifo.port("chk_o")?.width ?? 1)
        instance(fifo, name, inputs: inputs, outputs: outputs.merging(["chk_o": flags]) { a, _ in a },
                 file: file, line: line)
        switch checks {
        case .forward: forwardChecks(of: name, module: fifo, flags: flags, file: file, line: line)
        case .proven: markUnused("\(name)_checks_proven", [flags])
        }
    }
}
