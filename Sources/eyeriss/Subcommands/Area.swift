import ArgumentParser
import EyerissArea
import EyerissConfig
import Foundation

struct Area: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Estimate the area of a configuration: Yosys per module, NAND2-equivalent gates and mm^2.",
        discussion: """
            Generates the RTL, synthesizes each module once with Yosys (memories kept as memories, \
            logic mapped to simple gates), weights the cells as NAND2-equivalents, prices each memory \
            as an SRAM macro or a register file, and multiplies by instance counts. Results are \
            cached under $EYERISS_CACHE_DIR (default ~/.cache/eyeriss-swift)/area, so a second run \
            of a configuration, and the modules a sweep leaves unchanged, cost no synthesis. \
            --sweep array.rows=3,6,12 --sweep array.columns=4,7,14 steps the keys together.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Output format: table, json or csv.")
    var format: Format = .table

    @Option(help: ArgumentHelp("Estimate once per value, e.g. --sweep pe.filterSpadWords=112,224,448; repeated keys step together.",
                               valueName: "key=v1,v2,..."))
    var sweep: [String] = []

    @Option(help: "Process node in nm for the gate and bit-cell areas: 28, 45, 65 (the chip), 90, 130 or 180.")
    var node: Int = 65

    @Option(name: .customLong("nand2-um2"), help: "Override the area of one NAND2-equivalent gate, um^2.")
    var nand2Um2: Double?

    @Option(name: .customLong("bitcell-um2"), help: "Override the area of one SRAM bit cell, um^2.")
    var bitcellUm2: Double?

    @Option(help: "Placement utilization of standard cells (0 < u <= 1).")
    var utilization: Double = AreaModel().logicUtilization

    @Option(help: "Smallest memory, in bits, built as an SRAM macro; smaller ones are register files.")
    var sramMinBits: Int = MemoryModel().sramMinBits

    @Option(help: "Yosys processes at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    func validate() throws {
        guard TechnologyNode.named(node) != nil else {
            throw ValidationError("--node \(node): known nodes are \(TechnologyNode.known.map { "\($0.nanometres)" }.joined(separator: ", "))")
        }
        if let nand2Um2, !(nand2Um2 > 0) { throw ValidationError("--nand2-um2 must be positive, got \(nand2Um2)") }
        if let bitcellUm2, !(bitcellUm2 > 0) { throw ValidationError("--bitcell-um2 must be positive, got \(bitcellUm2)") }
        guard utilization > 0, utilization <= 1 else { throw ValidationError("--utilization must be in (0, 1], got \(utilization)") }
        guard sramMinBits >= 1 else { throw ValidationError("--sram-min-bits must be at least 1, got \(sramMinBits)") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        _ = try sweepSteps()
    }

    /// `--sweep` as (keys, one list of values per step).
    func sweepSteps() throws -> (keys: [String], steps: [[String]]) {
        var keys: [String] = [], lists: [[String]] = []
        for s in sweep {
            let parts = s.split(separator: "=", maxSplits: 1).map(String.init)
            let values = parts.count == 2 ? parts[1].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) } : []
            guard parts.count == 2, !parts[0].isEmpty, !values.isEmpty, values.allSatisfy({ !$0.isEmpty }) else {
                throw ValidationError("--sweep \(s): expected key=v1,v2,...")
            }
            guard !keys.contains(parts[0]) else { throw ValidationError("--sweep \(parts[0]) is given twice") }
            if let first = lists.first, first.count != values.count {
                throw ValidationError("--sweep \(parts[0]) has \(values.count) values but \(keys[0]) has \(first.count): keys swept together need as many values")
            }
            keys.append(parts[0])
            lists.append(values)
        }
        let count = lists.first?.count ?? 0
        return (keys, (0..<count).map { i in lists.map { $0[i] } })
    }

    func run() throws {
        var technology = TechnologyNode.named(node)!
        if let nand2Um2 { technology.nand2Um2 = nand2Um2 }
        if let bitcellUm2 { technology.bitcellUm2 = bitcellUm2 }
        var memory = MemoryModel()
        memory.sramMinBits = sramMinBits
        let estimator = AreaEstimator(model: AreaModel(node: technology, memory: memory, logicUtilization: utilization),
                                      jobs: jobs)
        let output = AreaFormat(rawValue: format.rawValue)!
        let (keys, steps) = try sweepSteps()
        if steps.isEmpty {
            let report = try estimate(estimator, try options.load())
            print(report.rendered(output), terminator: "")
            return
        }
        // Every point is validated before any is synthesized.
        let configs = try steps.map { values in try load(extra: zip(keys, values).map { "\($0)=\($1)" }) }
        var points: [AreaSweepPoint] = []
        for (values, config) in zip(steps, configs) {
            let settings = zip(keys, values).map { "\($0)=\($1)" }
            FileHandle.standardError.write(Data("area: \(settings.joined(separator: " "))\n".utf8))
            points.append(AreaSweepPoint(settings: Dictionary(uniqueKeysWithValues: zip(keys, values).map { ($0, $1) }),
                                         report: try estimate(estimator, config)))
        }
        print(points.rendered(output, keys: keys), terminator: "")
    }

    func estimate(_ estimator: AreaEstimator, _ config: ValidConfig) throws -> AreaReport {
        do { return try estimator.estimate(config) } catch let e as AreaError { throw CLIError(e.description) }
    }

    /// The configuration with the sweep point's settings after every --set.
    func load(extra: [String]) throws -> ValidConfig {
        do {
            return try ConfigLoader.load(file: options.config, overrides: options.overrides + extra).validated()
        } catch let e as ConfigErrors {
            throw CLIError(e.description)
        } catch let e as ConfigLoadError {
            throw CLIError(e.description)
        }
    }
}
