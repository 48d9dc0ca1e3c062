import EyerissConfig
import EyerissMapper
import Foundation

/// One count where the RTL and the model disagree.
public struct FieldMismatch: Codable, Equatable, Sendable {
    public var field: String
    public var measured: UInt64
    public var predicted: UInt64
    public init(field: String, measured: UInt64, predicted: UInt64) {
        self.field = field
        self.measured = measured
        self.predicted = predicted
    }
}

/// How the RTL's counts compare with the analytic model's: every exact count must be equal;
/// the cycle estimates must lie within `cycleTolerance` (relative) of the RTL.
public struct ModelAgreement: Codable, Equatable, Sendable {
    /// The counts compared exactly (names as in `AccessCounts.fields`).
    public var exactFields: [String]
    /// Exact counts that differ: empty when the model and the RTL agree.
    public var mismatches: [FieldMismatch]
    /// Relative error of the cycle estimates: (predicted - measured) / measured.
    public var cycleError: Double
    public var dramStallError: Double
    public var cycleTolerance: Double
    public var exact: Bool { mismatches.isEmpty }
    public var cyclesWithinTolerance: Bool { abs(cycleError) <= cycleTolerance }

    /// Counts the model does not predict exactly (timing).
    public static let estimatedFields: Set<String> = ["cycles.total", "cycles.peBusy", "cycles.dramStall", "cycles.nocStall"]

    public init(measured: AccessCounts, predicted: AccessCounts, tolerance: Double = AccessModel.cycleTolerance) {
        let p = Dictionary(uniqueKeysWithValues: predicted.fields)
        exactFields = []
        mismatches = []
        for (name, value) in measured.fields where !Self.estimatedFields.contains(name) {
            exactFields.append(name)
            if p[name] != value { mismatches.append(FieldMismatch(field: name, measured: value, predicted: p[name] ?? 0)) }
        }
        func rel(_ p: UInt64, _ m: UInt64) -> Double { m == 0 ? (p == 0 ? 0 : 1) : (Double(p) - Double(m)) / Double(m) }
        cycleError = rel(predicted.cycles.total, measured.cycles.total)
        dramStallError = rel(predicted.cycles.dramStall, measured.cycles.dramStall)
        cycleTolerance = tolerance
    }
}

/// The report of one co-simulated layer (schema: docs/report-schema.md).
public struct LayerReport: Codable, Equatable, Sendable {
    public var name: String
    public var shape: LayerShape
    public var io: LayerIO
    public var mapping: String
    public var passes: Int
    /// Every output equal to the golden model's.
    public var passed: Bool
    public var mismatches: Int
    /// MAC slots (done + gated) per PE per cycle.
    public var utilization: Double
    /// Active PEs of the mapping, weighted by work.
    public var mappedUtilization: Double
    public var measured: AccessCounts
    public var predicted: AccessCounts
    public var agreement: ModelAgreement
    /// Energy of the measured counts.
    public var energy: EnergyBreakdown

    public init(plan: LayerPlan, passed: Bool, mismatches: Int, measured: AccessCounts, predicted: AccessCounts,
                energyTable: EnergyTable) {
        name = plan.layer.name
        shape = plan.layer
        io = plan.io
        let m = plan.mapping
        mapping = "q=\(m.q) p=\(m.p) Rc=\(m.rc) r=\(m.r) e=\(m.e) t=\(m.t) jobRows=\(m.jobRows)"
        passes = plan.passes.count
        self.passed = passed
        self.mismatches = mismatches
        utilization = Double(measured.macs.slots) / (Double(max(1, measured.cycles.total)) * Double(plan.config.peCount))
        mappedUtilization = plan.statistics.utilization
        self.measured = measured
        self.predicted = predicted
        agreement = ModelAgreement(measured: measured, predicted: predicted)
        energy = energyTable.energy(of: measured)
    }
}

/// The hardware a report was measured on.
public struct ReportConfiguration: Codable, Equatable, Sendable {
    public var rows: Int
    public var columns: Int
    public var dataBits: Int
    public var dramBusBits: Int
    public var dramBytesPerCycle: Double
    public var configHash: String

    public init(_ c: ValidConfig) {
        rows = c.raw.array.rows
        columns = c.raw.array.columns
        dataBits = c.raw.fixedPoint.dataBits
        dramBusBits = c.raw.dram.busBits
        dramBytesPerCycle = c.raw.dram.bytesPerCycle
        configHash = c.raw.hashHex
    }
}

/// What every co-simulated run exports (`eyeriss cosim|run --report FILE`, read back by
/// `eyeriss report FILE`): per layer the RTL's counts, the model's, their agreement and the
/// energy; and the totals. JSON schema version `RunReport.schemaVersion`, in docs/report-schema.md.
public struct RunReport: Codable, Equatable, Sendable {
    /// Bumped on any change a reader could notice (a field renamed, removed or re-meant).
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var generator: String
    /// The command that produced it: "cosim" or "run" (with the network's name).
    public var command: String
    public var configuration: ReportConfiguration
    public var energyTable: EnergyTable
    public var layers: [LayerReport]
    public var totals: Totals

    public struct Totals: Codable, Equatable, Sendable {
        public var cycles: UInt64
        public var measured: AccessCounts
        public var predicted: AccessCounts
        public var energy: EnergyBreakdown
        public var passed: Bool
    }

    public init(command: String, config: ValidConfig, energyTable: EnergyTable, layers: [LayerReport]) {
        schemaVersion = Self.currentSchemaVersion
        generator = "eyeriss-swift"
        self.command = command
        configuration = ReportConfiguration(config)
        self.energyTable = energyTable
        // Priced with this report's table, whatever the layers were priced with before.
        let layers = layers.map { l -> LayerReport in
            var l = l
            l.energy = energyTable.energy(of: l.measured)
            return l
        }
        self.layers = layers
        let lanes = UInt64(config.dramLanes)
        let zero = AccessCounts(dram: DRAMCounts(wordsPerLine: lanes, bytesPerLine: UInt64(config.raw.dram.busBits / 8)))
        let measured = layers.map(\.measured).reduce(zero, +)
        let energy = layers.map(\.energy).reduce(energyTable.energy(of: zero), +)
        totals = Totals(cycles: measured.cycles.total, measured: measured, predicted: layers.map(\.predicted).reduce(zero, +),
                        energy: energy, passed: layers.allSatisfy(\.passed))
    }

    /// The same report priced with another energy table.
    public func repriced(with table: EnergyTable) -> RunReport {
        var r = self
        r.energyTable = table
        r.layers = layers.map { l -> LayerReport in
            var l = l
            l.energy = table.energy(of: l.measured)
            return l
        }
        r.totals.energy = r.layers.map(\.energy).reduce(table.energy(of: AccessCounts(dram: totals.measured.dram.emptyLike)), +)
        return r
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Reads a report; a schema version this code does not know is an error, not a guess.
    public static func decode(json data: Data, source: String = "report") throws -> RunReport {
        struct Version: Decodable { var schemaVersion: Int? }
        let version: Version
        do {
            version = try JSONDecoder().decode(Version.self, from: data)
        } catch {
            throw ReportError("\(source): not a JSON report: \(error)")
        }
        guard let v = version.schemaVersion else { throw ReportError("\(source): no schemaVersion: not an eyeriss run report") }
        guard v == currentSchemaVersion else {
            throw ReportError("\(source): schemaVersion \(v); this eyeriss reads version \(currentSchemaVersion)")
        }
        do {
            return try JSONDecoder().decode(RunReport.self, from: data)
        } catch {
            throw ReportError("\(source): does not match schema version \(v): \(error)")
        }
    }

    /// Writes `text` to `path` through a temporary file renamed into place.
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        try Data(text.utf8).write(to: tmp)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: tmp, to: url)
    }
}

public struct ReportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
