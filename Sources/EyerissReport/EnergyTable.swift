import Foundation
import Yams

/// Energy per access at each level of the hierarchy, for one `dataBits` (16-bit) word. The
/// default is the normalized table of Chen, Emer, Sze (ISCA 2016; JSSC 2017), relative to one
/// MAC: ALU 1, register file / scratchpad 1, NoC (inter-PE) 2, global buffer 6, DRAM 200
/// (shared/eyeriss-reference.md). A user may give absolute figures (`unit: pJ`) in YAML:
///
/// ```yaml
/// unit: pJ      # any label; "normalized" for the default
/// mac: 0.9      # one MAC done (gated MACs cost nothing: no filter read, no MAC)
/// spad: 1.1     # one scratchpad read or write in a PE
/// noc: 2.0      # one word on a global input network, the output network or a local link
/// glb: 6.5      # one word read from or written to the global buffer
/// dram: 200     # one word read from or written to DRAM (lines x words per line)
/// ```
public struct EnergyTable: Codable, Equatable, Sendable {
    public var unit: String
    public var mac: Double
    public var spad: Double
    public var noc: Double
    public var glb: Double
    public var dram: Double

    public init(unit: String, mac: Double, spad: Double, noc: Double, glb: Double, dram: Double) {
        self.unit = unit
        self.mac = mac
        self.spad = spad
        self.noc = noc
        self.glb = glb
        self.dram = dram
    }

    /// The published normalized costs (one MAC = 1).
    public static let normalized = EnergyTable(unit: "normalized", mac: 1, spad: 1, noc: 2, glb: 6, dram: 200)

    static let levelKeys = ["mac", "spad", "noc", "glb", "dram"]

    /// Reads a table from YAML: every level key required, each a number >= 0; `unit` optional
    /// (default "pJ"); any other key is an error. Every problem is reported at once.
    public static func parse(yaml text: String, source: String = "energy table") throws -> EnergyTable {
        let node: Any?
        do {
            node = try Yams.load(yaml: text)
        } catch {
            throw EnergyTableError(source: source, problems: ["not valid YAML: \(error)"])
        }
        guard let map = node as? [String: Any] else {
            throw EnergyTableError(source: source, problems: ["must be a mapping of level: cost (keys: unit, \(levelKeys.joined(separator: ", ")))"])
        }
        var problems: [String] = []
        for key in map.keys.sorted() where key != "unit" && !levelKeys.contains(key) {
            problems.append("unknown key '\(key)' (known: unit, \(levelKeys.joined(separator: ", ")))")
        }
        var values: [String: Double] = [:]
        for key in levelKeys {
            guard let raw = map[key] else {
                problems.append("\(key): missing (energy per \(key == "mac" ? "MAC" : "word access"))")
                continue
            }
            let number: Double?
            switch raw {
            case let i as Int: number = Double(i)
            case let d as Double: number = d
            default: number = nil
            }
            guard let number, number.isFinite else {
                problems.append("\(key) = \(raw): must be a number")
                continue
            }
            guard number >= 0 else {
                problems.append("\(key) = \(number): must be >= 0")
                continue
            }
            values[key] = number
        }
        var unit = "pJ"
        if let u = map["unit"] {
            if let s = u as? String, !s.isEmpty { unit = s } else { problems.append("unit = \(u): must be a non-empty string") }
        }
        guard problems.isEmpty else { throw EnergyTableError(source: source, problems: problems) }
        return EnergyTable(unit: unit, mac: values["mac"]!, spad: values["spad"]!, noc: values["noc"]!,
                           glb: values["glb"]!, dram: values["dram"]!)
    }

    public static func load(path: String) throws -> EnergyTable {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw EnergyTableError(source: path, problems: ["cannot read: \(error.localizedDescription)"])
        }
        return try parse(yaml: text, source: path)
    }

    /// Energy of `counts`, by level and data type.
    public func energy(of counts: AccessCounts) -> EnergyBreakdown {
        let lanes = Double(counts.dram.wordsPerLine)
        func rw(_ x: ReadWrite) -> Double { Double(x.reads + x.writes) }
        let n = counts.noc
        return EnergyBreakdown(
            unit: unit,
            mac: ByDataType(psum: Double(counts.macs.done) * mac),
            spad: ByDataType(filter: rw(counts.spad.filter) * spad, ifmap: rw(counts.spad.ifmap) * spad,
                             psum: rw(counts.spad.psum) * spad),
            noc: ByDataType(filter: Double(n.ginFilter) * noc, ifmap: Double(n.ginIfmap) * noc,
                            psum: Double(n.ginPsum + n.gon + n.localPsum) * noc),
            glb: ByDataType(filter: rw(counts.glb.filter) * glb, ifmap: rw(counts.glb.ifmap) * glb,
                            psum: rw(counts.glb.psum) * glb),
            dram: ByDataType(filter: Double(counts.dram.filterLinesRead) * lanes * dram,
                             ifmap: Double(counts.dram.ifmapLinesRead) * lanes * dram,
                             psum: Double(counts.dram.linesWritten) * lanes * dram,
                             program: Double(counts.dram.programLinesRead) * lanes * dram))
    }
}

/// A malformed energy table: the file and every problem found.
public struct EnergyTableError: Error, CustomStringConvertible, Equatable {
    public let source: String
    public let problems: [String]
    public var description: String { problems.map { "\(source): \($0)" }.joined(separator: "\n") }
}

/// Energy of one level split by data type (`program`: descriptors, DRAM only). MAC energy is
/// booked to psums, the data type a MAC produces.
public struct ByDataType: Codable, Equatable, Sendable {
    public var filter: Double = 0
    public var ifmap: Double = 0
    public var psum: Double = 0
    public var program: Double = 0
    public init(filter: Double = 0, ifmap: Double = 0, psum: Double = 0, program: Double = 0) {
        self.filter = filter
        self.ifmap = ifmap
        self.psum = psum
        self.program = program
    }
    public var total: Double { filter + ifmap + psum + program }
    static func + (a: ByDataType, b: ByDataType) -> ByDataType {
        ByDataType(filter: a.filter + b.filter, ifmap: a.ifmap + b.ifmap, psum: a.psum + b.psum, program: a.program + b.program)
    }
}

/// Energy by level (ALU, scratchpads, NoC, global buffer, DRAM) and data type, in the table's
/// unit: the breakdown of the published dataflow comparisons (Chen et al., ISCA 2016, Fig. 10-11).
public struct EnergyBreakdown: Codable, Equatable, Sendable {
    public var unit: String
    public var mac: ByDataType
    public var spad: ByDataType
    public var noc: ByDataType
    public var glb: ByDataType
    public var dram: ByDataType

    public var total: Double { mac.total + spad.total + noc.total + glb.total + dram.total }
    /// (level name, energy) in hierarchy order.
    public var levels: [(String, Double)] {
        [("mac", mac.total), ("spad", spad.total), ("noc", noc.total), ("glb", glb.total), ("dram", dram.total)]
    }
    /// Energy per data type over all levels.
    public var byType: ByDataType { mac + spad + noc + glb + dram }

    enum CodingKeys: String, CodingKey { case unit, total, mac, spad, noc, glb, dram, byType }

    public init(unit: String, mac: ByDataType, spad: ByDataType, noc: ByDataType, glb: ByDataType, dram: ByDataType) {
        self.unit = unit
        self.mac = mac
        self.spad = spad
        self.noc = noc
        self.glb = glb
        self.dram = dram
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        unit = try c.decode(String.self, forKey: .unit)
        mac = try c.decode(ByDataType.self, forKey: .mac)
        spad = try c.decode(ByDataType.self, forKey: .spad)
        noc = try c.decode(ByDataType.self, forKey: .noc)
        glb = try c.decode(ByDataType.self, forKey: .glb)
        dram = try c.decode(ByDataType.self, forKey: .dram)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(unit, forKey: .unit)
        try c.encode(total, forKey: .total)
        try c.encode(mac, forKey: .mac)
        try c.encode(spad, forKey: .spad)
        try c.encode(noc, forKey: .noc)
        try c.encode(glb, forKey: .glb)
        try c.encode(dram, forKey: .dram)
        try c.encode(byType, forKey: .byType)
    }

    public static func + (a: EnergyBreakdown, b: EnergyBreakdown) -> EnergyBreakdown {
        EnergyBreakdown(unit: a.unit, mac: a.mac + b.mac, spad: a.spad + b.spad, noc: a.noc + b.noc, glb: a.glb + b.glb,
                        dram: a.dram + b.dram)
    }
}
