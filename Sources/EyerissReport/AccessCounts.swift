/// Reads and writes of one storage for one data type.
public struct ReadWrite: Codable, Equatable, Sendable {
    public var reads: UInt64
    public var writes: UInt64
    public init(reads: UInt64 = 0, writes: UInt64 = 0) {
        self.reads = reads
        self.writes = writes
    }
    public var total: UInt64 { reads + writes }
    static func + (a: ReadWrite, b: ReadWrite) -> ReadWrite { ReadWrite(reads: a.reads + b.reads, writes: a.writes + b.writes) }
}

/// The same access per data type: filter weights, ifmap activations, partial sums.
public struct PerDataType: Codable, Equatable, Sendable {
    public var filter = ReadWrite()
    public var ifmap = ReadWrite()
    public var psum = ReadWrite()
    public init(filter: ReadWrite = ReadWrite(), ifmap: ReadWrite = ReadWrite(), psum: ReadWrite = ReadWrite()) {
        self.filter = filter
        self.ifmap = ifmap
        self.psum = psum
    }
    public var total: UInt64 { filter.total + ifmap.total + psum.total }
    static func + (a: PerDataType, b: PerDataType) -> PerDataType {
        PerDataType(filter: a.filter + b.filter, ifmap: a.ifmap + b.ifmap, psum: a.psum + b.psum)
    }
}

/// Where the cycles of a run went (docs/report-schema.md defines each).
public struct CycleCounts: Codable, Equatable, Sendable {
    /// Cycles the controller was busy with the program.
    public var total: UInt64 = 0
    /// Cycles at least one PE was working.
    public var peBusy: UInt64 = 0
    /// Cycles the array waited on DRAM (descriptor fetch, filter and ifmap loads, psum stores).
    public var dramStall: UInt64 = 0
    /// Cycles a feeder held a word a global input network could not deliver.
    public var nocStall: UInt64 = 0
    public init(total: UInt64 = 0, peBusy: UInt64 = 0, dramStall: UInt64 = 0, nocStall: UInt64 = 0) {
        self.total = total
        self.peBusy = peBusy
        self.dramStall = dramStall
        self.nocStall = nocStall
    }
}

/// MAC slots: done (a non-zero activation) and gated (a zero activation: no filter read, no MAC).
public struct MACCounts: Codable, Equatable, Sendable {
    public var done: UInt64 = 0
    public var gated: UInt64 = 0
    public init(done: UInt64 = 0, gated: UInt64 = 0) {
        self.done = done
        self.gated = gated
    }
    public var slots: UInt64 { done + gated }
}

/// `dataBits` words moved on each network. A multicast word counts once.
public struct NetworkCounts: Codable, Equatable, Sendable {
    /// Global input networks, per data type.
    public var ginFilter: UInt64 = 0
    public var ginIfmap: UInt64 = 0
    public var ginPsum: UInt64 = 0
    /// Global output network: psums from the top of each PE column to the buffer.
    public var gon: UInt64 = 0
    /// Local links: psums from a PE to the PE above it.
    public var localPsum: UInt64 = 0
    public init(ginFilter: UInt64 = 0, ginIfmap: UInt64 = 0, ginPsum: UInt64 = 0, gon: UInt64 = 0, localPsum: UInt64 = 0) {
        self.ginFilter = ginFilter
        self.ginIfmap = ginIfmap
        self.ginPsum = ginPsum
        self.gon = gon
        self.localPsum = localPsum
    }
}

/// DRAM traffic: lines at the accelerator's port, and the same as `dataBits` words and bytes.
/// Reads are split by what they carry: descriptors (`programLinesRead`), filters, ifmaps.
public struct DRAMCounts: Codable, Equatable, Sendable {
    public var linesRead: UInt64 = 0
    public var linesWritten: UInt64 = 0
    public var filterLinesRead: UInt64 = 0
    public var ifmapLinesRead: UInt64 = 0
    public var programLinesRead: UInt64 { linesRead - filterLinesRead - ifmapLinesRead }
    /// Words per line and bytes per line of the configuration.
    public var wordsPerLine: UInt64 = 4
    public var bytesPerLine: UInt64 = 8
    public var wordsRead: UInt64 { linesRead * wordsPerLine }
    public var wordsWritten: UInt64 { linesWritten * wordsPerLine }
    public var bytesRead: UInt64 { linesRead * bytesPerLine }
    public var bytesWritten: UInt64 { linesWritten * bytesPerLine }

    public init(linesRead: UInt64 = 0, linesWritten: UInt64 = 0, filterLinesRead: UInt64 = 0, ifmapLinesRead: UInt64 = 0,
                wordsPerLine: UInt64, bytesPerLine: UInt64) {
        self.linesRead = linesRead
        self.linesWritten = linesWritten
        self.filterLinesRead = filterLinesRead
        self.ifmapLinesRead = ifmapLinesRead
        self.wordsPerLine = wordsPerLine
        self.bytesPerLine = bytesPerLine
    }

    /// No traffic, with the same line size.
    public var emptyLike: DRAMCounts { DRAMCounts(wordsPerLine: wordsPerLine, bytesPerLine: bytesPerLine) }

    enum CodingKeys: String, CodingKey {
        case linesRead, linesWritten, filterLinesRead, ifmapLinesRead, programLinesRead, wordsPerLine, bytesPerLine
        case wordsRead, wordsWritten, bytesRead, bytesWritten
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        linesRead = try c.decode(UInt64.self, forKey: .linesRead)
        linesWritten = try c.decode(UInt64.self, forKey: .linesWritten)
        filterLinesRead = try c.decode(UInt64.self, forKey: .filterLinesRead)
        ifmapLinesRead = try c.decode(UInt64.self, forKey: .ifmapLinesRead)
        wordsPerLine = try c.decode(UInt64.self, forKey: .wordsPerLine)
        bytesPerLine = try c.decode(UInt64.self, forKey: .bytesPerLine)
    }

    /// Derived fields are written too, so a reader of the JSON needs no arithmetic.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(linesRead, forKey: .linesRead)
        try c.encode(linesWritten, forKey: .linesWritten)
        try c.encode(filterLinesRead, forKey: .filterLinesRead)
        try c.encode(ifmapLinesRead, forKey: .ifmapLinesRead)
        try c.encode(programLinesRead, forKey: .programLinesRead)
        try c.encode(wordsPerLine, forKey: .wordsPerLine)
        try c.encode(bytesPerLine, forKey: .bytesPerLine)
        try c.encode(wordsRead, forKey: .wordsRead)
        try c.encode(wordsWritten, forKey: .wordsWritten)
        try c.encode(bytesRead, forKey: .bytesRead)
        try c.encode(bytesWritten, forKey: .bytesWritten)
    }
}

/// Everything a run counts, by level: cycles, MACs, scratchpads (`spad`, summed over the PEs),
/// networks, global buffer (`glb`, in `dataBits` words) and DRAM. The RTL measures it
/// (`eyeriss_perf_counters` and the PE counters); `AccessModel` predicts it from the mapping.
public struct AccessCounts: Codable, Equatable, Sendable {
    public var cycles = CycleCounts()
    public var macs = MACCounts()
    public var spad = PerDataType()
    public var noc = NetworkCounts()
    public var glb = PerDataType()
    public var dram: DRAMCounts

    public init(cycles: CycleCounts = CycleCounts(), macs: MACCounts = MACCounts(), spad: PerDataType = PerDataType(),
                noc: NetworkCounts = NetworkCounts(), glb: PerDataType = PerDataType(), dram: DRAMCounts) {
        self.cycles = cycles
        self.macs = macs
        self.spad = spad
        self.noc = noc
        self.glb = glb
        self.dram = dram
    }

    /// Every count as (dotted name, value), in a fixed order: the CSV columns and the comparison
    /// of measured with predicted counts use these names.
    public var fields: [(String, UInt64)] {
        [("cycles.total", cycles.total), ("cycles.peBusy", cycles.peBusy), ("cycles.dramStall", cycles.dramStall),
         ("cycles.nocStall", cycles.nocStall),
         ("macs.done", macs.done), ("macs.gated", macs.gated),
         ("spad.filter.reads", spad.filter.reads), ("spad.filter.writes", spad.filter.writes),
         ("spad.ifmap.reads", spad.ifmap.reads), ("spad.ifmap.writes", spad.ifmap.writes),
         ("spad.psum.reads", spad.psum.reads), ("spad.psum.writes", spad.psum.writes),
         ("noc.ginFilter", noc.ginFilter), ("noc.ginIfmap", noc.ginIfmap), ("noc.ginPsum", noc.ginPsum),
         ("noc.gon", noc.gon), ("noc.localPsum", noc.localPsum),
         ("glb.filter.reads", glb.filter.reads), ("glb.filter.writes", glb.filter.writes),
         ("glb.ifmap.reads", glb.ifmap.reads), ("glb.ifmap.writes", glb.ifmap.writes),
         ("glb.psum.reads", glb.psum.reads), ("glb.psum.writes", glb.psum.writes),
         ("dram.linesRead", dram.linesRead), ("dram.linesWritten", dram.linesWritten),
         ("dram.filterLinesRead", dram.filterLinesRead), ("dram.ifmapLinesRead", dram.ifmapLinesRead),
         ("dram.bytesRead", dram.bytesRead), ("dram.bytesWritten", dram.bytesWritten)]
    }

    /// Sum of two runs' counts (layers of a network).
    public static func + (a: AccessCounts, b: AccessCounts) -> AccessCounts {
        AccessCounts(
            cycles: CycleCounts(total: a.cycles.total + b.cycles.total, peBusy: a.cycles.peBusy + b.cycles.peBusy,
                                dramStall: a.cycles.dramStall + b.cycles.dramStall, nocStall: a.cycles.nocStall + b.cycles.nocStall),
            macs: MACCounts(done: a.macs.done + b.macs.done, gated: a.macs.gated + b.macs.gated),
            spad: a.spad + b.spad,
            noc: NetworkCounts(ginFilter: a.noc.ginFilter + b.noc.ginFilter, ginIfmap: a.noc.ginIfmap + b.noc.ginIfmap,
                               ginPsum: a.noc.ginPsum + b.noc.ginPsum, gon: a.noc.gon + b.noc.gon,
                               localPsum: a.noc.localPsum + b.noc.localPsum),
            glb: a.glb + b.glb,
            dram: DRAMCounts(linesRead: a.dram.linesRead + b.dram.linesRead, linesWritten: a.dram.linesWritten + b.dram.linesWritten,
                             filterLinesRead: a.dram.filterLinesRead + b.dram.filterLinesRead,
                             ifmapLinesRead: a.dram.ifmapLinesRead + b.dram.ifmapLinesRead,
                             wordsPerLine: a.dram.wordsPerLine, bytesPerLine: a.dram.bytesPerLine))
    }
}
