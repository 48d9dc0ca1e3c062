import CEyerissShim
import EyerissConfig
import EyerissRTL
import Foundation

/// How the DRAM model behaves. `hostile` adds random latency and stalls (seeded), which must
/// change timing only, never results.
public struct DRAMBehaviour: Sendable, Codable, Equatable {
    public var bytesPerCycle: Double
    public var readLatency: Int
    public var randomExtraLatency: Int
    public var stallPercent: Int
    public var maxOutstanding: Int

    public init(bytesPerCycle: Double, readLatency: Int = 20, randomExtraLatency: Int = 0, stallPercent: Int = 0,
                maxOutstanding: Int = 16) {
        self.bytesPerCycle = bytesPerCycle
        self.readLatency = readLatency
        self.randomExtraLatency = randomExtraLatency
        self.stallPercent = stallPercent
        self.maxOutstanding = maxOutstanding
    }

    /// The chip's link: `dram.bytesPerCycle` of the configuration, 20 cycles of latency.
    public static func nominal(_ config: ValidConfig) -> DRAMBehaviour {
        DRAMBehaviour(bytesPerCycle: config.raw.dram.bytesPerCycle)
    }

    /// Random extra latency up to 200 cycles and 30% stalls on every transfer.
    public static func hostile(_ config: ValidConfig) -> DRAMBehaviour {
        DRAMBehaviour(bytesPerCycle: config.raw.dram.bytesPerCycle, readLatency: 20, randomExtraLatency: 200,
                      stallPercent: 30, maxOutstanding: 8)
    }
}

/// Activity of one run: the shim's DRAM counts and the PE counters summed over the array.
public struct RunStats: Sendable, Codable, Equatable {
    public var cycles: UInt64
    public var dramLinesRead: UInt64
    public var dramLinesWritten: UInt64
    public var dramBusyCycles: UInt64
    public var macs: UInt64 = 0
    public var gated: UInt64 = 0
    public var filterSpadReads: UInt64 = 0
    public var filterSpadWrites: UInt64 = 0
    public var ifmapSpadReads: UInt64 = 0
    public var ifmapSpadWrites: UInt64 = 0
    public var psumSpadReads: UInt64 = 0
    public var psumSpadWrites: UInt64 = 0
    /// The accelerator's performance counters (`eyeriss_perf_counters`), in `PerfCounter` order.
    public var perf: [UInt64]? = nil

    /// Performance counter `c` (0 when the run did not read them).
    public func perf(_ c: PerfCounter) -> UInt64 { perf.map { $0[c.rawValue] } ?? 0 }
}

/// A Verilated `eyeriss_top` with its DRAM model, behind the C ABI shim.
public final class AcceleratorSimulator {
    private typealias NewFn = @convention(c) (UInt64, UnsafePointer<CChar>?, UInt64, UnsafePointer<eyeriss_dram_params>?) -> OpaquePointer?
    private typealias WriteFn = @convention(c) (OpaquePointer?, UInt64, UnsafePointer<UInt64>?, UInt64) -> Int32
    private typealias ReadFn = @convention(c) (OpaquePointer?, UInt64, UnsafeMutablePointer<UInt64>?, UInt64) -> Int32
    private typealias StartFn = @convention(c) (OpaquePointer?, UInt64) -> Void
    private typealias StepFn = @convention(c) (OpaquePointer?, UInt64, UInt64, UnsafeMutablePointer<eyeriss_top_stats>?,
                                               UnsafeMutablePointer<CChar>?, Int) -> Int32
    private typealias PassesFn = @convention(c) (OpaquePointer?) -> UInt64
    private typealias CounterFn = @convention(c) (OpaquePointer?, UInt32, UInt32) -> UInt64
    private typealias PerfFn = @convention(c) (OpaquePointer?, UInt32) -> UInt64
    private typealias FreeFn = @convention(c) (OpaquePointer?) -> Void

    let library: SharedLibrary
    let handle: OpaquePointer
    private let writeFn: WriteFn
    private let readFn: ReadFn
    private let startFn: StartFn
    private let stepFn: StepFn
    private let passesFn: PassesFn
    private let counterFn: CounterFn
    private let perfFn: PerfFn
    private let freeFn: FreeFn
    public let config: ValidConfig
    public let dramLines: Int

    /// Builds (or reuses) the accelerator library for `config` and opens a model.
    public convenience init(config: ValidConfig, seed: UInt64, dramLines: Int, dram: DRAMBehaviour, trace: String? = nil,
                            options: GeneratorOptions = GeneratorOptions(), builder: VerilatorBuilder = VerilatorBuilder()) throws {
        let lib = try AcceleratorSimulator.library(config: config, trace: try TraceKind.forFile(trace), options: options,
                                                   builder: builder)
        try self.init(library: lib, config: config, seed: seed, dramLines: dramLines, dram: dram, trace: trace)
    }

    /// The accelerator shim library for `config`, built unless the cache has it: build it once
    /// before opening models on several threads (builds of one recipe in one process would share
    /// a work folder).
    public static func library(config: ValidConfig, trace: TraceKind = .none, options: GeneratorOptions = GeneratorOptions(),
                               builder: VerilatorBuilder = VerilatorBuilder()) throws -> URL {
        let design = try AcceleratorGenerator.generate(config, options: options)
        return try builder.build(design: design, config: config,
                                 recipe: BuildRecipe(top: AcceleratorGenerator.top, shimSource: "eyeriss_top_shim.cpp", trace: trace))
    }

    /// Opens a model from an accelerator shim library already built for `config` (a tracing
    /// variant when `trace` is given; `--threads` builds too).
    public init(library lib: URL, config: ValidConfig, seed: UInt64, dramLines: Int, dram: DRAMBehaviour,
                trace: String? = nil) throws {
        library = try SharedLibrary(path: lib.path)
        let newFn = try library.function("eyeriss_top_new", as: NewFn.self)
        writeFn = try library.function("eyeriss_top_dram_write", as: WriteFn.self)
        readFn = try library.function("eyeriss_top_dram_read", as: ReadFn.self)
        startFn = try library.function("eyeriss_top_start", as: StartFn.self)
        stepFn = try library.function("eyeriss_top_step", as: StepFn.self)
        passesFn = try library.function("eyeriss_top_passes_done", as: PassesFn.self)
        counterFn = try library.function("eyeriss_top_pe_counter", as: CounterFn.self)
        freeFn = try library.function("eyeriss_top_free", as: FreeFn.self)
        perfFn = try library.function("eyeriss_top_perf_counter", as: PerfFn.self)
        var params = eyeriss_dram_params(bytes_per_cycle: dram.bytesPerCycle, read_latency: UInt32(dram.readLatency),
                                         random_extra_latency: UInt32(dram.randomExtraLatency),
                                         stall_percent: UInt32(dram.stallPercent), max_outstanding: UInt32(dram.maxOutstanding))
        guard let h = newFn(seed, trace, UInt64(dramLines), &params) else {
            throw CosimError.loadFailed("eyeriss_top_new returned NULL")
        }
        handle = h
        self.config = config
        self.dramLines = dramLines
    }

    deinit { freeFn(handle) }

    public func writeDRAM(line: Int, _ data: [UInt64]) throws {
        let rc = data.withUnsafeBufferPointer { writeFn(handle, UInt64(line), $0.baseAddress, UInt64($0.count)) }
        guard rc == 0 else {
            throw CosimError.badArgument("DRAM write of \(data.count) lines at \(line) exceeds the \(dramLines)-line DRAM")
        }
    }

    public func readDRAM(line: Int, count: Int) throws -> [UInt64] {
        var out = [UInt64](repeating: 0, count: count)
        let rc = out.withUnsafeMutableBufferPointer { readFn(handle, UInt64(line), $0.baseAddress, UInt64(count)) }
        guard rc == 0 else { throw CosimError.badArgument("DRAM read of \(count) lines at \(line) exceeds the DRAM") }
        return out
    }

    /// Runs the program at `programLine` to its END descriptor. The shim steps `chunkCycles`
    /// cycles per call; between calls `progress(cycles, passesDone)` is told how far it got.
    public func run(programLine: Int, maxCycles: UInt64 = 20_000_000_000, watchdogCycles: UInt64 = 200_000,
                    chunkCycles: UInt64 = 1_000_000, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> RunStats {
        var stats = eyeriss_top_stats()
        var message = [CChar](repeating: 0, count: 8192)  // a watchdog dump lists up to 16 PEs
        startFn(handle, UInt64(programLine))
        while true {
            let rc = stepFn(handle, chunkCycles, watchdogCycles, &stats, &message, message.count)
            if rc == 1 { break }
            if rc < 0 {
                throw CosimError.simulation(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            if stats.cycles >= maxCycles { throw CosimError.simulation("no END after \(maxCycles) cycles") }
            progress?(stats.cycles, passesFn(handle))
        }
        return try collect(stats)
    }

    /// The eight activity counters of PE `index` (row x columns + column) over the last run:
    /// MACs, gated, filter spad reads and writes, ifmap spad reads and writes, psum spad reads
    /// and writes.
    public func peCounters(_ index: Int) -> [UInt64] {
        (0..<8).map { counterFn(handle, UInt32(index), UInt32($0)) }
    }

    private func collect(_ stats: eyeriss_top_stats) throws -> RunStats {
        var out = RunStats(cycles: stats.cycles, dramLinesRead: stats.dram_lines_read,
                           dramLinesWritten: stats.dram_lines_written, dramBusyCycles: stats.dram_busy_cycles)
        for pe in 0..<config.peCount {
            let c = peCounters(pe)
            out.macs += c[0]; out.gated += c[1]
            out.filterSpadReads += c[2]; out.filterSpadWrites += c[3]
            out.ifmapSpadReads += c[4]; out.ifmapSpadWrites += c[5]
            out.psumSpadReads += c[6]; out.psumSpadWrites += c[7]
        }
        out.perf = PerfCounter.allCases.map { perfFn(handle, UInt32($0.rawValue)) }
        return out
    }
}
