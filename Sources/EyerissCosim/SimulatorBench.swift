import EyerissConfig
import EyerissGolden
import EyerissMapper
import EyerissRTL
import Foundation
import HDL
import Logging

/// How long one Verilator build variant took, or that it came from the cache.
public struct BuildTiming: Codable, Sendable {
    public var variant: String
    /// Wall seconds of the `build` call (a cache hit takes well under a second).
    public var seconds: Double
    /// The library was in the cache before the call: nothing was built.
    public var cached: Bool
}

/// Simulation speed of one run of the model.
public struct SimRun: Codable, Sendable {
    public var name: String
    public var cycles: UInt64
    /// Wall time.
    public var seconds: Double
    /// CPU time of the process over the run (all its threads): on a shared machine this, not
    /// the wall time, is what the model and the testbench cost.
    public var cpuSeconds: Double
    public var cyclesPerSecond: Double { seconds > 0 ? Double(cycles) / seconds : 0 }
    public var cyclesPerCPUSecond: Double { cpuSeconds > 0 ? Double(cycles) / cpuSeconds : 0 }
    /// The run stopped at the bound before the program's END.
    public var bounded: Bool
    /// Outputs compared with the golden model, or nil when the run was bounded.
    public var passed: Bool?
}

/// What `eyeriss bench --sim` measures.
public struct SimBenchReport: Codable, Sendable {
    public var layer: String
    public var array: String
    public var threads: Int
    public var boundCycles: UInt64
    /// Generating the design and rendering its Verilog.
    public var rtlGenerationSeconds: Double
    public var modules: Int
    public var builds: [BuildTiming]
    /// The Swift testbench (`LayerRunner`: random data, golden model, DRAM image, the run in
    /// chunks with progress, counters, every output checked): its wall time over the layer's cycles.
    public var swift: SimRun
    /// The same program on the same model and DRAM model, stepped to END in one C++ loop.
    public var bare: SimRun
    public var threaded: SimRun
    public var traced: SimRun
    public var traceBytes: UInt64
    /// Swift testbench CPU time over the bare loop's, less one: the testbench's overhead.
    public var testbenchOverhead: Double { bare.cpuSeconds > 0 ? swift.cpuSeconds / bare.cpuSeconds - 1 : 0 }
    public var passed: Bool { swift.passed == true && bare.passed == true && swift.cycles == bare.cycles }
}

/// CPU seconds used by this process so far (every thread).
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Runs `eyeriss bench --sim`: RTL generation and Verilator build times, then the layer's
/// simulation speed driven by the Swift testbench and by a bare C++ loop in the same process
/// (same library, same program and DRAM image), and with `--threads` and FST tracing (those two
/// bounded to `boundCycles` so a traced run stays short).
public enum SimulatorBench {
    public static func run(layer: LayerShape, config: ValidConfig, seed: UInt64, threads: Int, boundCycles: UInt64,
                           builder: VerilatorBuilder = VerilatorBuilder(),
                           logger: Logger = Logger(label: "eyeriss.bench")) throws -> SimBenchReport {
        let shape = try layer.validated()
        var clock = Date()
        let design = try AcceleratorGenerator.generate(config)
        _ = design.render()
        let rtlSeconds = Date().timeIntervalSince(clock)

        func build(_ variant: String, _ recipe: BuildRecipe) throws -> (URL, BuildTiming) {
            let before = Set((try? FileManager.default.contentsOfDirectory(atPath: builder.cacheRoot.path)) ?? [])
            logger.info("bench: Verilator build \(variant) (from the cache when there)")
            let start = Date()
            let lib = try builder.build(design: design, config: config, recipe: recipe)
            let seconds = Date().timeIntervalSince(start)
            return (lib, BuildTiming(variant: variant, seconds: seconds,
                                     cached: before.contains(lib.deletingLastPathComponent().lastPathComponent)))
        }
        let top = AcceleratorGenerator.top, shim = "eyeriss_top_shim.cpp"
        let (plainLib, plainBuild) = try build("single-threaded", BuildRecipe(top: top, shimSource: shim))
        let (threadLib, threadBuild) = try build("--threads \(threads)", BuildRecipe(top: top, shimSource: shim, threads: threads))
        let (traceLib, traceBuild) = try build("--trace-fst", BuildRecipe(top: top, shimSource: shim, trace: .fst))

        // The layer's data exactly as LayerRunner draws it from the seed.
        let options = LayerRunOptions(seed: seed)
        let fp = FixedPoint(config)
        var rng = SplitMix64(seed: seed)
        let input = Tensor4.random(dims: [shape.n, shape.c, shape.h, shape.w], range: fp.dataRange,
                                   zeroFraction: options.sparsity, rng: &rng)
        let weights = Tensor4.random(dims: [shape.m, shape.channelsPerGroup, shape.r, shape.s], range: fp.dataRange,
                                     zeroFraction: 0.1, rng: &rng)
        let plan = try Mapper.map(layer: shape, config: config, shift: options.shift, io: options.io)
        let dram = DRAMBehaviour.nominal(config)
        func openModel(_ lib: URL, trace: String? = nil) throws -> AcceleratorSimulator {
            let sim = try AcceleratorSimulator(library: lib, config: config, seed: seed, dramLines: plan.layout.endLine,
                                               dram: dram, trace: trace)
            for segment in plan.dramImage(input: input.values, weights: weights.values) {
                try sim.writeDRAM(line: segment.lineAddress, segment.lines)
            }
            return sim
        }

        // The bare loop first, then the Swift testbench: one run each, in this process.
        logger.info("bench: bare C++ loop, \(shape.name)")
        let bare: SimRun
        do {
            let sim = try openModel(plainLib)
            clock = Date()
            let cpu = processCPUSeconds()
            let (rc, cycles) = try sim.runBare(programLine: plan.layout.programBase, maxCycles: UInt64.max)
            let seconds = Date().timeIntervalSince(clock), cpuSeconds = processCPUSeconds() - cpu
            guard rc == 1 else { throw CosimError.simulation("the bare loop stopped with \(rc) after \(cycles) cycles") }
            let lines = try sim.readDRAM(line: plan.layout.ofmapBase, count: plan.layout.ofmapLines)
            let expected = LayerRunner.golden(shape, io: options.io, input: input, weights: weights, shift: options.shift, fixedPoint: fp)
            let check = try OfmapCheck(plan: plan, expected: expected.values, lines: lines)
            bare = SimRun(name: "bare C++ loop", cycles: cycles, seconds: seconds, cpuSeconds: cpuSeconds, bounded: false,
                          passed: check.mismatches == 0)
        }
        logger.info("bench: Swift testbench, \(shape.name)")
        clock = Date()
        let cpu = processCPUSeconds()
        let result = try LayerRunner.run(shape, config: config, options: options, simulator: { _ in try openModel(plainLib) },
                                         logger: logger)
        let swift = SimRun(name: "Swift testbench", cycles: result.cycles, seconds: Date().timeIntervalSince(clock),
                           cpuSeconds: processCPUSeconds() - cpu, bounded: false, passed: result.passed)

        func bounded(_ name: String, _ lib: URL, trace: String? = nil) throws -> SimRun {
            logger.info("bench: \(name), at most \(boundCycles) cycles")
            let sim = try openModel(lib, trace: trace)
            let start = Date(), cpu = processCPUSeconds()
            let (rc, cycles) = try sim.runBare(programLine: plan.layout.programBase, maxCycles: boundCycles)
            let seconds = Date().timeIntervalSince(start), cpuSeconds = processCPUSeconds() - cpu
            guard rc >= 0 else { throw CosimError.simulation("\(name): DRAM access out of range after \(cycles) cycles") }
            return SimRun(name: name, cycles: cycles, seconds: seconds, cpuSeconds: cpuSeconds, bounded: rc == 0, passed: nil)
        }
        let threaded = try bounded("--threads \(threads)", threadLib)
        let traceDir = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: traceDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: traceDir) }
        let tracePath = traceDir.appendingPathComponent("bench.fst").path
        let traced = try bounded("FST trace", traceLib, trace: tracePath)
        let traceBytes = ((try? FileManager.default.attributesOfItem(atPath: tracePath))?[.size] as? NSNumber)?.uint64Value ?? 0

        return SimBenchReport(layer: shape.name, array: "\(config.raw.array.rows)x\(config.raw.array.columns)", threads: threads,
                              boundCycles: boundCycles, rtlGenerationSeconds: rtlSeconds, modules: design.modules.count,
                              builds: [plainBuild, threadBuild, traceBuild], swift: swift, bare: bare, threaded: threaded,
                              traced: traced, traceBytes: traceBytes)
    }
}

extension AcceleratorSimulator {
    private typealias BareFn = @convention(c) (OpaquePointer?, UInt64, UInt64, UnsafeMutablePointer<UInt64>?) -> Int32

    /// Benchmark only: the program at `programLine` stepped to END (or `maxCycles`) in one C++
    /// loop with no watchdog, statistics or host calls (`eyeriss_top_run_bare`). Returns 1
    /// done, 0 at the bound, -1 on a DRAM access out of range, and the cycles stepped.
    public func runBare(programLine: Int, maxCycles: UInt64) throws -> (Int32, UInt64) {
        let fn = try library.function("eyeriss_top_run_bare", as: BareFn.self)
        var cycles: UInt64 = 0
        let rc = fn(handle, UInt64(programLine), maxCycles, &cycles)
        return (rc, cycles)
    }
}
