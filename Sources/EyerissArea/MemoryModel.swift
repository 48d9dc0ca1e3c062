/// One memory as synthesis left it (a Yosys `$mem_v2` cell kept by `memory -nomap`).
public struct MemoryShape: Codable, Equatable, Sendable {
    /// The array's name in the RTL (`filter_spad_q`).
    public var name: String
    /// Bits per word.
    public var width: Int
    /// Words.
    public var depth: Int
    public var readPorts: Int
    public var writePorts: Int

    public init(name: String, width: Int, depth: Int, readPorts: Int, writePorts: Int) {
        self.name = name
        self.width = width
        self.depth = depth
        self.readPorts = readPorts
        self.writePorts = writePorts
    }

    public var bits: Int { width * depth }
    /// `224 x 16 b, 1R 1W`.
    public var summary: String { "\(depth) x \(width) b, \(readPorts)R \(writePorts)W" }
}

/// How a memory is built: a compiled SRAM macro, or a register file of flip-flops and muxes.
public enum MemoryKind: String, Codable, Sendable { case sram, regfile }

/// The price of one memory instance.
public struct MemoryPrice: Equatable, Sendable {
    public var kind: MemoryKind
    /// Area as NAND2-equivalents: a register file's gate count, or an SRAM macro's area divided
    /// by one NAND2's.
    public var gates: Double
    /// Cell area in um^2, before placement utilization (which applies to standard cells only).
    public var cellUm2: Double
}

/// Bits-to-area model for on-chip memories.
///
/// **Which kind.** A memory of at least `sramMinBits` bits is an SRAM macro, a smaller one a
/// register file. Below about 1 kbit a macro's fixed periphery (control, timing, address
/// latches) costs more than flip-flops, and memory compilers have minimum sizes; the default
/// also reproduces the chip's own choice (JSSC 2017): the 224 x 16 b filter spad (3.5 kbit) and
/// the global buffer are SRAM, the 12- and 24-word ifmap and psum spads are registers, and so
/// are the FIFOs.
///
/// **SRAM macro** (um^2), with `ports = max(readPorts, writePorts)` (a 1R 1W memory is one
/// two-port macro; a second read port doubles the periphery and enlarges the cell):
///
///     bits x bitcell x (1 + extraPortCellFactor x (ports - 1)) x arrayOverhead
///       + (ports x (depth x rowGates + width x columnGates) + fixedGates) x NAND2
///
/// `arrayOverhead` covers well taps, strap cells and dummy rows and columns inside the array;
/// `rowGates` a decoder slice and word-line driver per row; `columnGates` a bit line's
/// precharge, sense amplifier, write driver and data latches; `fixedGates` the control, timing
/// and address latches every macro has. These are round figures for a 65 nm compiler macro
/// (a 512 x 64 b macro comes out at 65% array efficiency, the 224 x 16 b filter spad at about
/// 30%), not one vendor's data; they scale with the node through the NAND2 and bit-cell areas.
/// The chip's small macros were larger than this (README, "Area").
///
/// **Register file** (NAND2-equivalents), priced with the same `GateWeights` as logic:
///
///     bits x (flipFlop + enableExtra)                           one flop with a load enable per bit
///       + (writePorts - 1) x bits x MUX2                         a select per extra write port
///       + writePorts x depth x max(1, addrBits - 1) x AND2       write address decoders
///       + readPorts x width x (depth - 1) x MUX2                 a read mux tree per read port
public struct MemoryModel: Codable, Equatable, Sendable {
    /// Smallest memory, in bits, built as an SRAM macro.
    public var sramMinBits = 1024
    public var arrayOverhead = 1.1
    public var extraPortCellFactor = 0.6
    public var rowGates = 4.0
    public var columnGates = 25.0
    public var fixedGates = 1500.0

    public init() {}

    public func kind(of m: MemoryShape) -> MemoryKind { m.bits >= sramMinBits ? .sram : .regfile }

    public func price(_ m: MemoryShape, node: TechnologyNode, weights: GateWeights) -> MemoryPrice {
        switch kind(of: m) {
        case .sram:
            let um2 = sramUm2(m, node: node)
            return MemoryPrice(kind: .sram, gates: um2 / node.nand2Um2, cellUm2: um2)
        case .regfile:
            let gates = registerFileGates(m, weights: weights)
            return MemoryPrice(kind: .regfile, gates: gates, cellUm2: gates * node.nand2Um2)
        }
    }

    /// Area of `m` as an SRAM macro, um^2.
    public func sramUm2(_ m: MemoryShape, node: TechnologyNode) -> Double {
        let ports = Double(max(1, m.readPorts, m.writePorts))
        let array = Double(m.bits) * node.bitcellUm2 * (1 + extraPortCellFactor * (ports - 1)) * arrayOverhead
        let periphery = ports * (Double(m.depth) * rowGates + Double(m.width) * columnGates) + fixedGates
        return array + periphery * node.nand2Um2
    }

    /// Gates of `m` as a register file.
    public func registerFileGates(_ m: MemoryShape, weights: GateWeights) -> Double {
        let mux2 = weights.combinational["$_MUX_"] ?? 2.33
        let and2 = weights.combinational["$_AND_"] ?? 1.33
        let bits = Double(m.bits)
        let addrBits = Double(max(1, bitsFor(m.depth)))
        let storage = bits * (weights.flipFlop + weights.enableExtra)
        let extraWrites = Double(max(0, m.writePorts - 1)) * bits * mux2
        let decoders = Double(max(1, m.writePorts)) * Double(m.depth) * max(1, addrBits - 1) * and2
        let readMuxes = Double(m.readPorts) * Double(m.width) * Double(max(0, m.depth - 1)) * mux2
        return storage + extraWrites + decoders + readMuxes
    }
}

/// Address bits for `count` words.
private func bitsFor(_ count: Int) -> Int {
    var bits = 0
    while (1 << bits) < count { bits += 1 }
    return bits
}
