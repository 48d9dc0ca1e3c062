import EyerissConfig
import EyerissMapper
import Foundation
import Logging

/// The published chip's AlexNet figures (JSSC 2017; /work/shared/eyeriss-reference.md,
/// "Published results"): CONV1-CONV5 at batch 4 in 115.3 ms at 200 MHz, 3.85 MB of DRAM
/// traffic per image.
public struct AcceleratorTargets: Codable, Sendable, Equatable {
    /// 115.3 ms x 200 MHz.
    public var cycles: UInt64 = 23_060_000
    /// 4 x 3.85 MB.
    public var dramBytes: UInt64 = 15_400_000
    /// What the targets are for: a run of anything else is printed beside them but not judged.
    public var network = "alexnet"
    public var batch = 4
    public var layers = 5

    public init() {}
}

/// One layer of `eyeriss bench --accelerator`.
public struct AcceleratorBenchRow: Codable, Sendable {
    public var layer: String
    public var macs: Int
    public var cycles: UInt64
    /// MACs / PEs: the cycles of a perfectly busy array.
    public var idealCycles: Double
    /// Ideal over measured cycles.
    public var utilization: Double
    public var dramBytesRead: UInt64
    /// The reads by what they carried, as the RTL's counters saw them: pass descriptors, filter
    /// blocks, ifmap tiles (coded lines when the ifmap is run-length coded).
    public var dramBytesReadProgram: UInt64
    public var dramBytesReadFilters: UInt64
    public var dramBytesReadIfmaps: UInt64
    public var dramBytesWritten: UInt64
    public var dramBytes: UInt64 { dramBytesRead + dramBytesWritten }
    /// Zeros in the layer's ifmap and in its ofmap after ReLU: run-length coded traffic depends
    /// on them as much as on the mapping. Nil in the total.
    public var ifmapZeroFraction: Double?
    public var ofmapZeroFraction: Double?
    public var passes: Int
    public var mapping: String
    public var passed: Bool
}

/// The accelerator benchmark: a network's CONV layers co-simulated (every output checked) and
/// what they cost, against the published chip.
public struct AcceleratorBenchReport: Codable, Sendable {
    public var network: String
    public var batch: Int
    public var array: String
    public var peCount: Int
    public var seed: UInt64
    /// What the mapper's ranking minimized for every layer.
    public var objective: MappingObjective
    public var rows: [AcceleratorBenchRow]
    public var total: AcceleratorBenchRow
    public var targets: AcceleratorTargets
    /// Whether this run is the one the targets describe (AlexNet CONV1-5 at batch 4 on the default chip).
    public var comparable: Bool
    public var cyclesMet: Bool
    public var dramMet: Bool
    /// Layers not run because an earlier one did not match.
    public var notRun: [String]
    /// Every layer ran and matched the golden model.
    public var passed: Bool
    public var wallSeconds: Double
}

/// Runs `eyeriss bench --accelerator`: the network through `NetworkRunner` (the chip's own
/// setting: run-length coded fmaps in DRAM, ReLU, realistic zeros, every value and code word
/// checked) and the table of cycles, ideal cycles, utilization and DRAM bytes. The targets
/// make the chip's time a budget and its DRAM traffic the figure to beat, so by default every
/// layer is mapped for the fewest DRAM lines within the mapper's cycle allowance
/// (`MappingObjective.dram`).
public enum AcceleratorBench {
    public static func run(network name: String, batch: Int, layers: Int?, config: ValidConfig, seed: UInt64, jobs: Int = 1,
                           objective: MappingObjective = .dram,
                           logger: Logger = Logger(label: "eyeriss.bench")) throws -> AcceleratorBenchReport {
        guard var network = Network.named(name, batch: batch) else {
            throw CosimError.badArgument("unknown network \(name); known: \(Network.names.joined(separator: ", "))")
        }
        let all = network.stages.count
        if let layers {
            guard (1...all).contains(layers) else {
                throw CosimError.badArgument("--layers \(layers): \(name) has \(all) CONV layers (each takes the previous one's output, so the first K run)")
            }
            network.stages = Array(network.stages.prefix(layers))
        }
        let start = Date()
        let result = try NetworkRunner.run(network, config: config, options: NetworkRunOptions(seed: seed, jobs: jobs, objective: objective),
                                           logger: logger)
        let peCount = config.peCount
        let lineBytes = UInt64(config.raw.dram.busBits / 8)
        let rows = result.layers.map { l -> AcceleratorBenchRow in
            let r = l.result
            let filters = r.stats.perf(.dramFilterLinesRead) * lineBytes, ifmaps = r.stats.perf(.dramIfmapLinesRead) * lineBytes
            return AcceleratorBenchRow(layer: r.layer.name, macs: r.layer.macs, cycles: r.cycles, idealCycles: r.idealCycles,
                                       utilization: r.idealCycles / Double(max(1, r.cycles)),
                                       dramBytesRead: r.dramBytesRead, dramBytesReadProgram: r.dramBytesRead - filters - ifmaps,
                                       dramBytesReadFilters: filters, dramBytesReadIfmaps: ifmaps,
                                       dramBytesWritten: r.dramBytesWritten, ifmapZeroFraction: r.ifmapZeroFraction,
                                       ofmapZeroFraction: r.ofmapZeroFraction, passes: r.passes, mapping: r.mapping, passed: r.passed)
        }
        func sum(_ key: KeyPath<AcceleratorBenchRow, UInt64>) -> UInt64 { rows.map { $0[keyPath: key] }.reduce(0, +) }
        let macs = rows.map(\.macs).reduce(0, +)
        let cycles = rows.map(\.cycles).reduce(0, +)
        let ideal = Double(macs) / Double(peCount)
        let total = AcceleratorBenchRow(layer: "total", macs: macs, cycles: cycles, idealCycles: ideal,
                                        utilization: ideal / Double(max(1, cycles)),
                                        dramBytesRead: sum(\.dramBytesRead), dramBytesReadProgram: sum(\.dramBytesReadProgram),
                                        dramBytesReadFilters: sum(\.dramBytesReadFilters), dramBytesReadIfmaps: sum(\.dramBytesReadIfmaps),
                                        dramBytesWritten: sum(\.dramBytesWritten),
                                        passes: rows.map(\.passes).reduce(0, +), mapping: "", passed: result.passed)
        let targets = AcceleratorTargets()
        let comparable = name == targets.network && batch == targets.batch && network.stages.count == targets.layers
            && config.raw.hashHex == AcceleratorConfig().hashHex
        return AcceleratorBenchReport(
            network: name, batch: batch, array: "\(config.raw.array.rows)x\(config.raw.array.columns)", peCount: peCount,
            seed: seed, objective: objective, rows: rows, total: total, targets: targets, comparable: comparable,
            cyclesMet: total.cycles <= targets.cycles, dramMet: total.dramBytes <= targets.dramBytes,
            notRun: result.notRun, passed: result.passed, wallSeconds: Date().timeIntervalSince(start))
    }
}
