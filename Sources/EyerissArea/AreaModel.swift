/// Everything that turns synthesized cells and memories into gates and mm^2: the process
/// node, the gate weights, the memory model and the placement utilization. Plain data, so a
/// report carries the model it was computed with.
public struct AreaModel: Codable, Equatable, Sendable {
    public var node: TechnologyNode
    public var weights: GateWeights
    public var memory: MemoryModel
    /// Fraction of a standard-cell region that cells fill once placed and routed: 0.7 is a
    /// usual target for a dense block. Logic and register files take `cell area / utilization`
    /// of the core; SRAM macros take their own area.
    public var logicUtilization: Double

    public init(node: TechnologyNode = .n65, weights: GateWeights = GateWeights(), memory: MemoryModel = MemoryModel(),
                logicUtilization: Double = 0.7) {
        self.node = node
        self.weights = weights
        self.memory = memory
        self.logicUtilization = logicUtilization
    }

    /// Placed area, mm^2, of `gates` NAND2-equivalents of standard cells.
    public func logicMM2(gates: Double) -> Double { gates * node.nand2Um2 / logicUtilization / 1e6 }

    /// Placed area, mm^2, of one memory instance.
    public func memoryMM2(_ price: MemoryPrice) -> Double {
        switch price.kind {
        case .sram: return price.cellUm2 / 1e6
        case .regfile: return logicMM2(gates: price.gates)
        }
    }

    /// NAND2-equivalents of a gate-level cell census; throws on a type the table lacks.
    public func logicGates(_ cells: [String: Int], module: String) throws -> (gates: Double, flops: Int) {
        var gates = 0.0, flops = 0
        for (type, count) in cells.sorted(by: { $0.key < $1.key }) {
            guard let w = weights.weight(of: type) else { throw AreaError.unknownCell(module: module, type: type) }
            gates += Double(count) * w
            if weights.isStorage(type) { flops += count }
        }
        return (gates, flops)
    }
}
