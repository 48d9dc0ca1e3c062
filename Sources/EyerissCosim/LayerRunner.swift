import EyerissConfig
import EyerissGolden
import EyerissMapper
import Foundation
import EyerissReport
import Logging

/// What a layer co-simulation uses besides the layer and the hardware.
public struct LayerRunOptions: Sendable {
    public var seed: UInt64
    /// Fraction of zero activations in the random input.
    public var sparsity: Double
    /// Product shift: which bits of the full product are kept.
    public var shift: Int
    public var dram: DRAMBehaviour?
    public var trace: String?
    public var watchdogCycles: UInt64
    /// Raw or run-length coded fmaps in DRAM, ReLU or not.
    public var io: LayerIO
    /// What the mapper's ranking minimizes.
    public var objective: MappingObjective

    public init(seed: UInt64 = 1, sparsity: Double = 0.5, shift: Int = 12, dram: DRAMBehaviour? = nil,
                trace: String? = nil, watchdogCycles: UInt64 = 200_000, io: LayerIO = .raw,
                objective: MappingObjective = .balanced) {
        self.io = io
        self.objective = objective
        self.seed = seed
        self.sparsity = sparsity
        self.shift = shift
        self.dram = dram
        self.trace = trace
        self.watchdogCycles = watchdogCycles
    }
}

/// The outcome of one co-simulated layer: what the RTL measured and whether every output
/// matched the golden model.
public struct LayerResult: Codable, Sendable {
    public var layer: LayerShape
    public var seed: UInt64
    public var sparsity: Double
    public var shift: Int
    public var mapping: String
    public var passes: Int
    /// MAC slots the mapping runs: the layer's, less whole filter rows that meet only zero
    /// padding, which the mapper leaves out.
    public var plannedMACs: Int
    public var cycles: UInt64
    /// MACs / PEs: the cycles of a perfectly busy array.
    public var idealCycles: Double
    /// MAC slots (done + gated) per PE per cycle.
    public var utilization: Double
    /// Active PEs of the mapping, weighted by work (the mapper's figure).
    public var mappedUtilization: Double
    public var dramBytesRead: UInt64
    public var dramBytesWritten: UInt64
    public var stats: RunStats
    public var outputs: Int
    public var mismatches: Int
    public var firstMismatches: [String]
    /// Raw or coded fmaps, ReLU or not.
    public var io: LayerIO
    /// Fraction of zeros in the ifmap and in the ofmap (after ReLU when on).
    public var ifmapZeroFraction: Double
    public var ofmapZeroFraction: Double
    /// DRAM bytes the same mapping moves with raw fmaps (the planner's count): the reference
    /// for what run-length coding saves.
    public var rawDRAMBytes: UInt64
    /// Access counts measured by the RTL, the analytic model's, their agreement and the energy.
    public var report: LayerReport?
    public var passed: Bool { mismatches == 0 }
    public var verdict: String { passed ? "PASS" : "FAIL" }
}

/// Co-simulates one layer: maps it, writes the DRAM image, runs the program on the Verilated
/// accelerator and compares every output word with the golden model.
public enum LayerRunner {
    public static func run(_ layer: LayerShape, config: ValidConfig, options: LayerRunOptions,
                           simulator: ((Int) throws -> AcceleratorSimulator)? = nil,
                           logger: Logger = Logger(label: "eyeriss.cosim")) throws -> LayerResult {
        let shape = try layer.validated()
        let fp = FixedPoint(config)
        var rng = SplitMix64(seed: options.seed)
        let input = Tensor4.random(dims: [shape.n, shape.c, shape.h, shape.w], range: fp.dataRange,
                                   zeroFraction: options.sparsity, rng: &rng)
        let weights = Tensor4.random(dims: [shape.m, shape.channelsPerGroup, shape.r, shape.s], range: fp.dataRange,
                                     zeroFraction: 0.1, rng: &rng)
        return try run(shape, config: config, options: options, input: input, weights: weights, simulator: simulator,
                       logger: logger)
    }

    /// Co-simulates one layer on given tensors: `input` `[n][c][h][w]`, `weights`
    /// `[m][c/groups][r][s]`, values in the data range.
    public static func run(_ layer: LayerShape, config: ValidConfig, options: LayerRunOptions, input: Tensor4,
                           weights: Tensor4, simulator: ((Int) throws -> AcceleratorSimulator)? = nil,
                           logger: Logger = Logger(label: "eyeriss.cosim")) throws -> LayerResult {
        try runDetailed(layer, config: config, options: options, input: input, weights: weights, simulator: simulator,
                        logger: logger).result
    }

    /// The ofmap the layer stores, as the golden model defines it: the convolution's psums,
    /// through ReLU when asked, each row pooled with the row pool (`LayerPlan.ofmapDims`).
    public static func golden(_ shape: LayerShape, io: LayerIO, input: Tensor4, weights: Tensor4, shift: Int,
                              fixedPoint: FixedPoint) -> Tensor4 {
        let out = ReferenceConv.conv(shape, input: input, weights: weights, shift: shift, fixedPoint: fixedPoint, relu: io.relu)
        return io.rowPool?.apply(out) ?? out
    }

    /// A run and what the next layer of a network needs: the ofmap region as the RTL wrote it,
    /// and the golden ofmap. `ifmapLines`, when given, replace the ifmap region the plan would
    /// write (a previous layer's coded output, as the hardware left it). `expected` and `plan`,
    /// when given, are the golden ofmap and the mapping already made for these tensors and options.
    public static func runDetailed(_ layer: LayerShape, config: ValidConfig, options: LayerRunOptions, input: Tensor4,
                            weights: Tensor4, ifmapLines: [UInt64]? = nil, expected given: Tensor4? = nil,
                            plan mapped: LayerPlan? = nil, simulator: ((Int) throws -> AcceleratorSimulator)? = nil,
                            logger: Logger) throws -> (result: LayerResult, ofmapLines: [UInt64], expected: Tensor4, plan: LayerPlan) {
        let shape = try layer.validated()
        let plan = try mapped ?? Mapper.map(layer: shape, config: config, shift: options.shift, io: options.io,
                                            objective: options.objective)
        let fp = FixedPoint(config)
        logger.info("\(shape.name): \(plan.passes.count) passes, \(plan.layout.endLine) DRAM lines\(given == nil ? "; golden model" : "")")
        let expected = given ?? golden(shape, io: options.io, input: input, weights: weights, shift: options.shift, fixedPoint: fp)

        let sim = try simulator?(plan.layout.endLine)
            ?? AcceleratorSimulator(config: config, seed: options.seed, dramLines: plan.layout.endLine,
                                    dram: options.dram ?? .nominal(config), trace: options.trace)
        for segment in plan.dramImage(input: input.values, weights: weights.values) {
            if let ifmapLines, segment.lineAddress == plan.layout.ifmapBase {
                guard ifmapLines.count == segment.lines.count else {
                    throw CosimError.badArgument("\(shape.name): \(ifmapLines.count) ifmap lines given, the region has \(segment.lines.count)")
                }
                try sim.writeDRAM(line: segment.lineAddress, ifmapLines)
            } else {
                try sim.writeDRAM(line: segment.lineAddress, segment.lines)
            }
        }
        logger.info("\(shape.name): simulating")
        let passes = plan.passes.count
        let stats = try sim.run(programLine: plan.layout.programBase, watchdogCycles: options.watchdogCycles) { cycles, done in
            logger.info("\(shape.name): pass \(done)/\(passes), \(cycles) cycles")
        }
        let ofmapLines = try sim.readDRAM(line: plan.layout.ofmapBase, count: plan.layout.ofmapLines)
        let check = try OfmapCheck(plan: plan, expected: expected.values, lines: ofmapLines)
        var result = LayerResult(plan: plan, options: options, input: input, stats: stats, check: check)
        result.report = LayerReport(plan: plan, stats: stats, ifmap: input.values, ofmap: expected.values, check: check)
        return (result, ofmapLines, expected, plan)
    }
}

/// The ofmap read back from DRAM compared with the golden model: every value, and for a coded
/// ofmap every code word (the RTL encoder must write exactly the golden code).
struct OfmapCheck {
    var outputs: Int
    var mismatches = 0
    var first: [String] = []
    var zeroFraction: Double

    init(plan: LayerPlan, expected: [Int], lines: [UInt64]) throws {
        let shape = plan.layer
        let width = plan.ofmapWidth
        precondition(expected.count == shape.n * shape.m * shape.e * width,
                     "OfmapCheck(\(shape.name)): \(expected.count) expected values, the stored ofmap has \(plan.ofmapDims)")
        let got: [Int]
        do {
            got = try plan.readOfmap(lines: lines)
        } catch {
            throw CosimError.simulation("the ofmap in DRAM does not decode: \(error)")
        }
        outputs = expected.count
        zeroFraction = Double(expected.filter { $0 == 0 }.count) / Double(max(1, expected.count))
        func place(_ i: Int) -> String {
            let f = i % width, e = (i / width) % shape.e, m = (i / (width * shape.e)) % shape.m
            return "\(shape.name) image \(i / (width * shape.e * shape.m)) filter \(m) row \(e) column \(f)"
        }
        for (i, want) in expected.enumerated() where got[i] != want {
            mismatches += 1
            if first.count < 10 { first.append("\(place(i)): expected \(want), got \(got[i])") }
        }
        guard plan.io.ofmapRLC, mismatches == 0 else { return }
        let codes = try plan.ofmapCodes(lines: lines)
        for (code, c) in zip(codes, plan.ofmapCodeRows) {
            let start = ((c.n * shape.m + c.m) * shape.e + c.rows.lowerBound) * width
            let want = plan.code.encode(row: expected[start..<(start + c.rows.count * width)])
            if code != want {
                mismatches += 1
                if first.count < 10 {
                    first.append("\(place(start)): the code of rows \(c.rows) differs from the golden encoder's (\(code.count) words, expected \(want.count))")
                }
            }
        }
    }
}

extension LayerResult {
    init(plan: LayerPlan, options: LayerRunOptions, input: Tensor4, stats: RunStats, check: OfmapCheck) {
        let (shape, config) = (plan.layer, plan.config)
        let peCount = Double(config.peCount)
        let statistics = plan.statistics
        let lineBytes = UInt64(config.raw.dram.busBits / 8)
        self.init(
            layer: shape, seed: options.seed, sparsity: options.sparsity, shift: options.shift,
            mapping: "q=\(plan.mapping.q) p=\(plan.mapping.p) Rc=\(plan.mapping.rc) r=\(plan.mapping.r) e=\(plan.mapping.e) t=\(plan.mapping.t) jobRows=\(plan.mapping.jobRows)",
            passes: plan.passes.count, plannedMACs: statistics.macs, cycles: stats.cycles, idealCycles: Double(shape.macs) / peCount,
            utilization: Double(stats.macs + stats.gated) / (Double(max(1, stats.cycles)) * peCount),
            mappedUtilization: statistics.utilization,
            dramBytesRead: stats.dramLinesRead * lineBytes, dramBytesWritten: stats.dramLinesWritten * lineBytes,
            stats: stats, outputs: check.outputs, mismatches: check.mismatches, firstMismatches: check.first, io: plan.io,
            ifmapZeroFraction: Double(input.values.filter { $0 == 0 }.count) / Double(max(1, input.values.count)),
            ofmapZeroFraction: check.zeroFraction,
            rawDRAMBytes: UInt64(statistics.dramWordsRead + statistics.dramWordsWritten) * UInt64(config.raw.fixedPoint.dataBits / 8))
    }
}
