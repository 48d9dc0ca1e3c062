import CEyerissShim
import EyerissConfig
import EyerissGolden
import EyerissRTL
import Foundation

/// One PE job in the golden model's terms: p filters of q channels and width S, `rows` ifmap
/// rows of q channels, and optional incoming psums. `streams()` turns it into the word orders
/// the RTL takes (documented on `makePE`).
public struct PEJob: Sendable {
    public var filters: [[[Int]]]      // [p][q][S]
    public var ifmapRows: [[[Int]]]    // [rows][q][W]
    public var psumIn: [[[Int]]]?      // [rows][p][F]
    public var stride: Int
    public var outputs: Int            // F
    public var shift: Int

    public init(filters: [[[Int]]], ifmapRows: [[[Int]]], psumIn: [[[Int]]]?, stride: Int, outputs: Int, shift: Int) {
        self.filters = filters
        self.ifmapRows = ifmapRows
        self.psumIn = psumIn
        self.stride = stride
        self.outputs = outputs
        self.shift = shift
    }

    public var p: Int { filters.count }
    public var q: Int { filters[0].count }
    public var s: Int { filters[0][0].count }
    public var rows: Int { ifmapRows.count }
    /// New ifmap columns per output: when the stride is wider than the filter, the columns no
    /// window touches are never sent.
    public var step: Int { min(stride, s) }

    /// Checks the job against the PE's scratchpads and the configuration field widths.
    public func validate(_ p: PEParams) throws {
        func need(_ ok: Bool, _ why: String) throws { if !ok { throw CosimError.badArgument("PE job: \(why)") } }
        try need(self.p >= 1 && q >= 1 && s >= 1 && rows >= 1 && outputs >= 1 && stride >= 1, "every size must be at least 1")
        try need(self.p * q * s <= p.filterSpadWords, "p x q x S = \(self.p * q * s) exceeds the filter spad (\(p.filterSpadWords) words)")
        try need(q * s <= p.ifmapSpadWords, "q x S = \(q * s) exceeds the ifmap spad (\(p.ifmapSpadWords) words)")
        try need(self.p <= p.psumSpadWords, "p = \(self.p) exceeds the psum spad (\(p.psumSpadWords) words)")
        try need(outputs < 1 << p.countFieldBits && rows < 1 << p.countFieldBits, "outputs and rows must be below 2^\(p.countFieldBits)")
        try need(shift >= 0 && shift < 1 << p.shiftBits && shift < 2 * p.dataBits, "shift \(shift) out of range 0..<\(2 * p.dataBits)")
        for row in ifmapRows {
            try need(row.count == q && row.allSatisfy { $0.count >= (outputs - 1) * stride + s },
                     "each ifmap row needs q = \(q) channels of at least (F-1) x stride + S = \((outputs - 1) * stride + s) columns")
        }
        if let psumIn {
            try need(psumIn.count == rows && psumIn.allSatisfy { $0.count == self.p && $0.allSatisfy { $0.count == outputs } },
                     "psumIn must be [rows][p][F]")
        }
    }

    /// The three input streams in the order the PE takes them.
    public func streams() -> (filter: [Int32], ifmap: [Int32], psumIn: [Int32]) {
        var filter: [Int32] = []
        for si in 0..<s { for c in 0..<q { for k in 0..<p { filter.append(Int32(filters[k][c][si])) } } }
        var ifmap: [Int32] = []
        for row in ifmapRows {
            for x in columnsSent() { for c in 0..<q { ifmap.append(Int32(row[c][x])) } }
        }
        var psum: [Int32] = []
        if let psumIn {
            for row in psumIn { for f in 0..<outputs { for k in 0..<p { psum.append(Int32(row[k][f])) } } }
        }
        return (filter, ifmap, psum)
    }

    /// Column indices of one row in the order they are sent.
    func columnsSent() -> [Int] {
        if stride <= s { return Array(0..<((outputs - 1) * stride + s)) }
        return (0..<outputs).flatMap { f in (f * stride)..<(f * stride + s) }
    }

    /// What the PE must produce, [rows][p][F], from the golden model.
    public func expected(_ fp: FixedPoint) -> [[[Int]]] {
        (0..<rows).map { r in
            ReferenceConv.rowConvolution(filters: filters, ifmapRows: ifmapRows[r], stride: stride, outputs: outputs,
                                         psumIn: psumIn?[r], shift: shift, fixedPoint: fp)
        }
    }

    /// Zero activations the PE meets: each is used by p MACs, all of which are gated.
    public func zeroActivationUses() -> Int {
        var zeros = 0
        for row in ifmapRows {
            for f in 0..<outputs { for si in 0..<s { for c in 0..<q where row[c][f * stride + si] == 0 { zeros += 1 } } }
        }
        return zeros * p
    }

    /// Gated MACs that are the first of their output (s = 0, c = 0): these still write the 0
    /// that starts the psum.
    public func zeroFirstUses() -> Int {
        var zeros = 0
        for row in ifmapRows { for f in 0..<outputs where row[0][f * stride] == 0 { zeros += 1 } }
        return zeros * p
    }
}

/// Activity the RTL counted during one job.
public struct PEStats: Equatable, Sendable, Codable {
    public var cycles: UInt64
    public var macs: UInt64
    public var gated: UInt64
    public var filterReads: UInt64
    public var filterWrites: UInt64
    public var ifmapReads: UInt64
    public var ifmapWrites: UInt64
    public var psumReads: UInt64
    public var psumWrites: UInt64
}

/// A Verilated `eyeriss_pe` behind the C ABI shim. One instance owns one model.
public final class PESimulator {
    private typealias NewFn = @convention(c) (UInt64, UnsafePointer<CChar>?) -> OpaquePointer?
    private typealias RunFn = @convention(c) (OpaquePointer?, UnsafePointer<eyeriss_pe_job>?, UnsafeMutablePointer<eyeriss_pe_stats>?,
                                              UnsafeMutablePointer<CChar>?, Int) -> Int32
    private typealias FreeFn = @convention(c) (OpaquePointer?) -> Void

    private let library: SharedLibrary
    private let handle: OpaquePointer
    private let runFn: RunFn
    private let freeFn: FreeFn
    public let params: PEParams

    /// Builds (or reuses) the PE library for `config` and opens a model seeded with `seed`.
    public init(config: ValidConfig, seed: UInt64, trace: String? = nil, options: GeneratorOptions = GeneratorOptions(),
                builder: VerilatorBuilder = VerilatorBuilder()) throws {
        let kind = try TraceKind.forFile(trace)
        let design = try AcceleratorGenerator.generate(config, options: options)
        let lib = try builder.build(design: design, config: config,
                                    recipe: BuildRecipe(top: AcceleratorGenerator.peTop, shimSource: "eyeriss_pe_shim.cpp", trace: kind))
        library = try SharedLibrary(path: lib.path)
        let newFn = try library.function("eyeriss_pe_new", as: NewFn.self)
        runFn = try library.function("eyeriss_pe_run", as: RunFn.self)
        freeFn = try library.function("eyeriss_pe_free", as: FreeFn.self)
        guard let h = newFn(seed, trace) else { throw CosimError.loadFailed("eyeriss_pe_new returned NULL") }
        handle = h
        params = PEParams(config)
    }

    deinit { freeFn(handle) }

    /// Runs a job to completion and returns the psums, [rows][p][F], and the counters.
    /// `stallPercent` makes the sources idle and the sink stall at random (seeded).
    public func run(_ job: PEJob, stallPercent: Int = 0, watchdogCycles: Int = 10_000) throws -> (psums: [[[Int]]], stats: PEStats) {
        try job.validate(params)
        guard (0...99).contains(stallPercent) else { throw CosimError.badArgument("stall percent must be 0-99, got \(stallPercent)") }
        let (filter, ifmap, psumIn) = job.streams()
        let outCount = job.rows * job.p * job.outputs
        var out = [Int32](repeating: 0, count: outCount)
        var stats = eyeriss_pe_stats()
        var message = [CChar](repeating: 0, count: 1024)
        let rc: Int32 = filter.withUnsafeBufferPointer { f in
            ifmap.withUnsafeBufferPointer { i in
                psumIn.withUnsafeBufferPointer { pin in
                    out.withUnsafeMutableBufferPointer { o in
                        var cjob = eyeriss_pe_job(
                            filter_width: UInt32(job.s), channels: UInt32(job.q), filters: UInt32(job.p),
                            step: UInt32(job.step), outputs: UInt32(job.outputs), rows: UInt32(job.rows),
                            shift: UInt32(job.shift), psum_in_en: job.psumIn == nil ? 0 : 1,
                            filter_words: f.baseAddress, filter_count: UInt64(f.count),
                            ifmap_words: i.baseAddress, ifmap_count: UInt64(i.count),
                            psum_in_words: pin.baseAddress, psum_in_count: UInt64(pin.count),
                            psum_out_words: o.baseAddress, psum_out_count: UInt64(o.count),
                            stall_percent: UInt32(stallPercent), watchdog_cycles: UInt64(watchdogCycles))
                        return runFn(handle, &cjob, &stats, &message, message.count)
                    }
                }
            }
        }
        guard rc == 0 else {
            throw CosimError.simulation(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        var psums: [[[Int]]] = []
        var idx = 0
        for _ in 0..<job.rows {
            var row = [[Int]](repeating: [Int](repeating: 0, count: job.outputs), count: job.p)
            for f in 0..<job.outputs { for k in 0..<job.p { row[k][f] = Int(out[idx]); idx += 1 } }
            psums.append(row)
        }
        let s = PEStats(cycles: stats.cycles, macs: stats.macs, gated: stats.gated, filterReads: stats.filter_reads,
                        filterWrites: stats.filter_writes, ifmapReads: stats.ifmap_reads, ifmapWrites: stats.ifmap_writes,
                        psumReads: stats.psum_reads, psumWrites: stats.psum_writes)
        return (psums, s)
    }
}
