import EyerissConfig
import EyerissMapper
import EyerissReport
import EyerissRTL

extension AccessCounts {
    /// The counts of a run as the RTL measured them: the accelerator's performance counters and
    /// the PE counters summed over the array.
    public init(measured s: RunStats, config: ValidConfig) {
        let lanes = UInt64(config.dramLanes)
        self.init(
            cycles: CycleCounts(total: s.perf(.cyclesBusy), peBusy: s.perf(.cyclesPEBusy), dramStall: s.perf(.cyclesDRAMStall),
                                nocStall: s.perf(.cyclesNoCStall)),
            macs: MACCounts(done: s.macs, gated: s.gated),
            spad: PerDataType(filter: ReadWrite(reads: s.filterSpadReads, writes: s.filterSpadWrites),
                              ifmap: ReadWrite(reads: s.ifmapSpadReads, writes: s.ifmapSpadWrites),
                              psum: ReadWrite(reads: s.psumSpadReads, writes: s.psumSpadWrites)),
            noc: NetworkCounts(ginFilter: s.perf(.ginFilterWords), ginIfmap: s.perf(.ginIfmapWords),
                               ginPsum: s.perf(.ginPsumWords), gon: s.perf(.gonWords), localPsum: s.perf(.localPsumWords)),
            glb: PerDataType(filter: ReadWrite(reads: s.perf(.glbFilterReads), writes: s.perf(.glbFilterWrites)),
                             ifmap: ReadWrite(reads: s.perf(.glbIfmapReads), writes: s.perf(.glbIfmapWrites)),
                             psum: ReadWrite(reads: s.perf(.glbPsumReads), writes: s.perf(.glbPsumWrites))),
            dram: DRAMCounts(linesRead: s.perf(.dramLinesRead), linesWritten: s.perf(.dramLinesWritten),
                             filterLinesRead: s.perf(.dramFilterLinesRead), ifmapLinesRead: s.perf(.dramIfmapLinesRead),
                             wordsPerLine: lanes, bytesPerLine: UInt64(config.raw.dram.busBits / 8)))
    }
}

extension LayerReport {
    /// The report of a co-simulated layer: the RTL's counts, the model's prediction from the
    /// plan and the layer's data, priced with `energyTable`.
    init(plan: LayerPlan, stats: RunStats, ifmap: [Int], ofmap: [Int], check: OfmapCheck,
         energyTable: EnergyTable = .normalized) {
        self.init(plan: plan, passed: check.mismatches == 0, mismatches: check.mismatches,
                  measured: AccessCounts(measured: stats, config: plan.config),
                  predicted: AccessModel.predict(plan, data: LayerData(ifmap: ifmap, ofmap: ofmap)), energyTable: energyTable)
    }
}
