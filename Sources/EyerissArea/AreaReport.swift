/// One line of the breakdown: a module's own logic, or one of its memories, over all the
/// module's instances in the design.
public struct AreaRow: Codable, Equatable, Sendable {
    /// Block of the accelerator (`AreaCategory`).
    public var category: String
    public var module: String
    /// `logic`, or the memory's name in the RTL (`filter_spad_q`); memories of one shape in a
    /// module share a row, named by the first and last (`glb_b0_l0_q..glb_b24_l3_q`).
    public var part: String
    /// `logic`, `sram` or `regfile`.
    public var kind: String
    /// Instances of the module in the whole design (168 for `eyeriss_pe` on the chip).
    public var instances: Int
    /// Memories of this shape in one instance of the module (1 for logic).
    public var copies: Int
    /// For a memory `depth x width b, nR nW`; for logic the cell census.
    public var detail: String
    /// Gate-level cells of one instance (logic rows; 0 for memories).
    public var cellsEach: Int
    /// Flip-flops and latches among them.
    public var flopsEach: Int
    /// NAND2-equivalents in one instance of the module (all `copies`).
    public var gatesEach: Double
    /// `gatesEach x instances`.
    public var gates: Double
    /// Placed area of all instances, mm^2.
    public var mm2: Double
}

/// Totals of one block, or of the design.
public struct AreaTotals: Codable, Equatable, Sendable {
    /// Standard-cell logic (flip-flops included), NAND2-equivalents.
    public var logicGates: Double = 0
    /// SRAM macros as NAND2-equivalents of their area.
    public var sramGates: Double = 0
    /// Register files built of flip-flops.
    public var regfileGates: Double = 0
    public var logicMM2: Double = 0
    public var sramMM2: Double = 0
    public var regfileMM2: Double = 0

    public init() {}

    public var memoryGates: Double { sramGates + regfileGates }
    public var gates: Double { logicGates + memoryGates }
    public var memoryMM2: Double { sramMM2 + regfileMM2 }
    public var mm2: Double { logicMM2 + memoryMM2 }

    mutating func add(_ row: AreaRow) {
        switch row.kind {
        case MemoryKind.sram.rawValue: sramGates += row.gates; sramMM2 += row.mm2
        case MemoryKind.regfile.rawValue: regfileGates += row.gates; regfileMM2 += row.mm2
        default: logicGates += row.gates; logicMM2 += row.mm2
        }
    }

    enum CodingKeys: String, CodingKey {
        case logicGates, sramGates, regfileGates, memoryGates, gates, logicMM2, sramMM2, regfileMM2, memoryMM2, mm2
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        logicGates = try c.decode(Double.self, forKey: .logicGates)
        sramGates = try c.decode(Double.self, forKey: .sramGates)
        regfileGates = try c.decode(Double.self, forKey: .regfileGates)
        logicMM2 = try c.decode(Double.self, forKey: .logicMM2)
        sramMM2 = try c.decode(Double.self, forKey: .sramMM2)
        regfileMM2 = try c.decode(Double.self, forKey: .regfileMM2)
    }

    /// Derived totals are written too, so a reader of the JSON need not add them up.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(logicGates, forKey: .logicGates)
        try c.encode(sramGates, forKey: .sramGates)
        try c.encode(regfileGates, forKey: .regfileGates)
        try c.encode(memoryGates, forKey: .memoryGates)
        try c.encode(gates, forKey: .gates)
        try c.encode(logicMM2, forKey: .logicMM2)
        try c.encode(sramMM2, forKey: .sramMM2)
        try c.encode(regfileMM2, forKey: .regfileMM2)
        try c.encode(memoryMM2, forKey: .memoryMM2)
        try c.encode(mm2, forKey: .mm2)
    }
}

/// The blocks of the accelerator a report adds up, in report order.
public enum AreaCategory: String, CaseIterable, Sendable {
    case pe = "PE array"
    case noc = "NoC"
    case globalBuffer = "global buffer"
    case controller = "controller"
    case rlc = "RLC codec"
    case top = "top-level glue"

    /// The block a module belongs to by its name, or nil to inherit its parent's (a FIFO
    /// inside the PE counts as PE area).
    public static func of(module: String) -> AreaCategory? {
        if module == "eyeriss_pe" { return .pe }
        if module.hasPrefix("eyeriss_gin") || module == "eyeriss_gon" || module.hasSuffix("_feeder") { return .noc }
        if module == "eyeriss_glb" { return .globalBuffer }
        if module == "eyeriss_controller" { return .controller }
        if module.hasPrefix("eyeriss_rlc") { return .rlc }
        if module == "eyeriss_top" { return .top }
        return nil
    }
}

/// A block's totals; `present` is false for a block the RTL does not have yet (the RLC codec).
public struct CategoryArea: Codable, Equatable, Sendable {
    public var category: String
    public var present: Bool
    public var totals: AreaTotals
}

/// The area of one configuration: a row per module part, totals per block and overall.
public struct AreaReport: Codable, Equatable, Sendable {
    /// The module everything is counted under (`eyeriss_top`).
    public var top: String
    /// `AcceleratorConfig.hashHex` of the configuration.
    public var configHash: String
    /// Hash of the generated RTL (comments aside) and the Yosys version and script.
    public var rtlHash: String
    public var model: AreaModel
    public var rows: [AreaRow]
    public var categories: [CategoryArea]
    public var total: AreaTotals

    /// Prices the synthesized modules under `top`: each module once, times its instances.
    public static func build(top: String, syntheses: [String: ModuleSynthesis], model: AreaModel,
                             configHash: String, rtlHash: String) throws -> AreaReport {
        // Parents before children, so instance counts multiply down the hierarchy.
        var order: [String] = [], seen: Set<String> = []
        func visit(_ name: String) throws {
            guard !seen.contains(name) else { return }
            seen.insert(name)
            guard let s = syntheses[name] else { throw AreaError.missingModule(name) }
            for child in s.instances.keys.sorted() { try visit(child) }
            order.append(name)
        }
        try visit(top)
        order.reverse()
        var count: [String: Int] = [top: 1]
        var category: [String: AreaCategory] = [top: AreaCategory.of(module: top) ?? .top]
        for name in order {
            let s = syntheses[name]!
            for (child, n) in s.instances.sorted(by: { $0.key < $1.key }) {
                count[child, default: 0] += count[name, default: 0] * n
                if category[child] == nil { category[child] = AreaCategory.of(module: child) ?? category[name] }
            }
        }

        var rows: [AreaRow] = []
        for name in order {
            let s = syntheses[name]!
            let n = count[name] ?? 0
            let cat = (category[name] ?? .top).rawValue
            let (gates, flops) = try model.logicGates(s.cells, module: name)
            let cells = s.cells.values.reduce(0, +)
            rows.append(AreaRow(category: cat, module: name, part: "logic", kind: "logic", instances: n, copies: 1,
                                detail: "\(cells) cells, \(flops) flops", cellsEach: cells, flopsEach: flops,
                                gatesEach: gates, gates: gates * Double(n),
                                mm2: model.logicMM2(gates: gates) * Double(n)))
            for group in groupedByShape(s.memories) {
                let m = group[0], k = Double(group.count)
                let price = model.memory.price(m, node: model.node, weights: model.weights)
                let part = group.count == 1 ? m.name : "\(m.name)..\(group[group.count - 1].name)"
                let detail = group.count == 1 ? m.summary : "\(group.count) x (\(m.summary))"
                rows.append(AreaRow(category: cat, module: name, part: part, kind: price.kind.rawValue, instances: n,
                                    copies: group.count, detail: detail, cellsEach: 0, flopsEach: 0,
                                    gatesEach: price.gates * k, gates: price.gates * k * Double(n),
                                    mm2: model.memoryMM2(price) * k * Double(n)))
            }
        }
        // Block order, then the hierarchy's order inside a block.
        let rank = Dictionary(uniqueKeysWithValues: AreaCategory.allCases.enumerated().map { ($1.rawValue, $0) })
        rows = rows.enumerated().sorted { a, b in
            let ra = rank[a.element.category] ?? 99, rb = rank[b.element.category] ?? 99
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)

        var total = AreaTotals()
        var categories: [CategoryArea] = []
        for c in AreaCategory.allCases {
            var t = AreaTotals()
            let mine = rows.filter { $0.category == c.rawValue }
            for r in mine { t.add(r) }
            categories.append(CategoryArea(category: c.rawValue, present: !mine.isEmpty, totals: t))
        }
        for r in rows { total.add(r) }
        return AreaReport(top: top, configHash: configHash, rtlHash: rtlHash, model: model, rows: rows,
                          categories: categories, total: total)
    }
}

/// Memories of one shape (width, depth, ports) together, in order of first appearance.
func groupedByShape(_ memories: [MemoryShape]) -> [[MemoryShape]] {
    var groups: [[MemoryShape]] = []
    for m in memories {
        if let i = groups.firstIndex(where: { g in
            g[0].width == m.width && g[0].depth == m.depth && g[0].readPorts == m.readPorts && g[0].writePorts == m.writePorts
        }) {
            groups[i].append(m)
        } else {
            groups.append([m])
        }
    }
    return groups
}
