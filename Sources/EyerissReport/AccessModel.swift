import EyerissConfig
import EyerissGolden
import EyerissMapper

/// What the analytic model needs besides the mapping: the layer's data, for the counts that
/// depend on it. Without data those counts are estimates (see `AccessModel`).
public struct LayerData: Sendable {
    /// The ifmap `[n][c][h][w]` as the accelerator sees it (after any host pooling).
    public var ifmap: [Int]
    /// The ofmap `[n][m][e][f]` the layer writes (after ReLU when on, rows pooled with the row
    /// pool, `LayerPlan.ofmapDims`): coded ofmap sizes.
    public var ofmap: [Int]
    public init(ifmap: [Int], ofmap: [Int]) {
        self.ifmap = ifmap
        self.ofmap = ofmap
    }
}

/// The analytic access model: predicts from a `LayerPlan` (and, where the counts depend on the
/// values, the layer's data) what the RTL's counters will count.
///
/// - **Exact from the mapping alone**: MAC slots (done + gated), filter spad writes, ifmap
///   spad reads and writes, every network word count, every global buffer count, raw DRAM lines.
/// - **Exact from the mapping and the data**: the split into done and gated MACs (a zero
///   activation, padding included, gates its slot), filter spad reads (one per MAC done), psum
///   spad reads and writes, and with run-length coded fmaps the DRAM lines of the ifmap (each
///   tile row's code, from the golden encoder) and of the ofmap (each stored row's writes,
///   `RunLengthCode.storeWrites`: its code, and its last word again where the flag came late).
///   Without data: no MAC is gated, and coded rows take their whole slot (an upper bound).
/// - **Estimates** (timing; the DRAM model's bandwidth and latency, the networks' back-pressure):
///   `cycles.total`, `cycles.peBusy`, `cycles.dramStall`; `cycles.nocStall` is not modelled (0).
///   Descriptors and filter blocks after the first are prefetched under the run before them.
///   `cycleTolerance` is how far the estimate may be from the RTL.
public enum AccessModel {
    /// Relative error the cycle estimates are held to, against the RTL with the nominal DRAM
    /// (tests: random layers on 3x4 and 6x7 arrays, AlexNet layers).
    public static let cycleTolerance = 0.35
    /// Read latency of the nominal DRAM model (`DRAMBehaviour.nominal`).
    public static let dramLatencyCycles = 20.0

    /// The counts the RTL will measure running `plan`.
    public static func predict(_ plan: LayerPlan, data: LayerData? = nil) -> AccessCounts {
        let layer = plan.layer
        let lanes = UInt64(plan.lanes)
        let lineBytes = UInt64(plan.config.raw.dram.busBits / 8)
        let bytesPerCycle = plan.config.raw.dram.bytesPerCycle
        var out = AccessCounts(dram: DRAMCounts(wordsPerLine: lanes, bytesPerLine: lineBytes))
        let layout = plan.layout
        let code = plan.code
        func codeLines(ifmapRows n: Int, _ c: Int, _ rows: Range<Int>) -> UInt64 {
            guard let data else { return UInt64(layout.ifmapRowLines) }
            let start = ((n * layer.c + c) * layer.h + rows.lowerBound) * layer.w
            return UInt64(code.encode(row: data.ifmap[start..<(start + rows.count * layer.w)]).count)
        }
        func codeLines(ofmapRows n: Int, _ m: Int, _ rows: Range<Int>) -> UInt64 {
            // What the store engine writes: the code, and a word again when its flag came late.
            guard let data else { return UInt64(layout.ofmapRowLines) }
            let width = plan.ofmapWidth
            let start = ((n * layer.m + m) * layer.e + rows.lowerBound) * width
            return UInt64(code.storeWrites(row: data.ofmap[start..<(start + rows.count * width)]))
        }
        var cycles = 0.0, peBusy = 0.0, dramStall = 0.0
        // The store engine stores a tile while the next passes run: when it will be free, and
        // the banks of the tile it stores (a pass whose tile shares one waits for it).
        var storeFreeAt = 0.0, storeBanks = -1 ... -1
        func tileBanks(_ pass: Pass) -> ClosedRange<Int> {
            pass.psumTileBanks(lanes: Int(lanes), bankLines: plan.config.raw.globalBuffer.bankWords)
        }
        func waitForStore(until time: Double) {
            if time > cycles {
                dramStall += time - cycles
                cycles = time
            }
        }
        out.dram.linesRead = UInt64(layout.programLines)
        // Descriptors are compact: each takes the lines in which it differs from the one before.
        let descriptorLines = plan.descriptorLines()
        func descriptorCycles(_ k: Int) -> Double {
            Double(UInt64(descriptorLines[k]) * lineBytes) / bytesPerCycle + dramLatencyCycles
        }
        func filterLoadCycles(_ pass: Pass) -> Double {
            guard pass.flags.contains(.loadFilters), pass.filterLines > 0 else { return 0 }
            return Double(UInt64(pass.filterLines) * lineBytes) / bytesPerCycle + dramLatencyCycles
        }
        // Only the first descriptor and its filter block are fetched before a pass; every later
        // descriptor (END included) and filter block is prefetched during the pass before it
        // (docs/architecture.md 5), and only what the run does not cover shows.
        cycles += descriptorCycles(0)
        dramStall += descriptorCycles(0)
        // DRAM lines of each pass's ifmap tile load (0: it reuses the tile in the buffer).
        let ifmapLoadLines: [UInt64] = plan.passes.map { pass in
            guard pass.flags.contains(.loadIfmaps) else { return 0 }
            guard plan.io.ifmapRLC else { return UInt64(pass.geometry.channels * pass.ifmapLoadRows * layout.wl) }
            var lines: UInt64 = 0
            // The tile's codes of each channel: a row's, or a group of rows'.
            let codeRows = layout.ifmapRowsPerSlot
            for ch in pass.c0..<(pass.c0 + pass.geometry.channels) {
                for y in stride(from: pass.yLo, to: pass.yLo + pass.nRows, by: codeRows) {
                    lines += codeLines(ifmapRows: pass.n, ch, y..<min(layer.h, y + codeRows))
                }
            }
            return lines
        }
        // A tile loaded into another slot of the ifmap region is prefetched under the pass before.
        func ifmapPrefetched(_ index: Int) -> Bool {
            index > 0 && index < plan.passes.count && ifmapLoadLines[index] > 0
                && plan.passes[index].ifmapBase != plan.passes[index - 1].ifmapBase
        }
        func ifmapLoadCycles(_ index: Int) -> Double {
            ifmapLoadLines[index] > 0 ? Double(ifmapLoadLines[index] * lineBytes) / bytesPerCycle + dramLatencyCycles : 0
        }
        for (index, pass) in plan.passes.enumerated() {
            let g = pass.geometry
            let active = UInt64(g.activePEs)
            let (p, q, s, f, jobRows) = (UInt64(g.p), UInt64(g.q), UInt64(g.s), UInt64(g.f), UInt64(g.jobRows))
            let outputsPerPE = jobRows * f * p
            let slots = active * UInt64(g.macsPerPE)
            // A pass that keeps the PEs' filters feeds none: no buffer read, network word or spad write.
            let feedsFilters = !pass.flags.contains(.keepFilters)
            if feedsFilters { out.spad.filter.writes += active * p * q * s }
            out.spad.ifmap.writes += active * jobRows * q * UInt64(g.inputColumns)
            out.spad.ifmap.reads += active * jobRows * f * q * s
            let (zeros, zeroFirsts) = data.map { gatedSlots(plan, pass, ifmap: $0.ifmap) } ?? (0, 0)
            let gated = zeros * p * UInt64(g.t), gatedFirst = zeroFirsts * p * UInt64(g.t)
            let done = slots - gated
            let doneFirst = active * outputsPerPE - gatedFirst
            out.macs.done += done
            out.macs.gated += gated
            out.spad.filter.reads += done
            out.spad.psum.writes += done + gatedFirst
            out.spad.psum.reads += (done - doneFirst) + active * outputsPerPE

            let filterWords = feedsFilters ? UInt64(g.filterWords) : 0
            let ifmapWords = jobRows * UInt64(g.inputColumns) * UInt64(g.yCount) * UInt64(g.channels)
            let psumWords = jobRows * f * p * UInt64(g.activeColumns)
            out.noc.ginFilter += filterWords
            out.noc.ginIfmap += ifmapWords
            out.noc.gon += psumWords
            out.noc.localPsum += UInt64(g.activeRows - 1) * UInt64(g.activeColumns) * outputsPerPE
            out.glb.filter.reads += filterWords
            out.glb.ifmap.reads += ifmapReads(plan, pass)
            out.glb.psum.writes += psumWords
            if pass.flags.contains(.accumulate) {
                out.noc.ginPsum += psumWords
                out.glb.psum.reads += psumWords
            }
            var loadLines: UInt64 = 0
            var exposedLoadLines: UInt64 = 0
            if pass.flags.contains(.loadFilters) {
                out.glb.filter.writes += UInt64(pass.filterLines) * lanes
                out.dram.filterLinesRead += UInt64(pass.filterLines)
                loadLines += UInt64(pass.filterLines)
            }
            // A later pass's block, loaded while this pass (which keeps its filters) runs.
            out.glb.filter.writes += UInt64(pass.nextFilterLines) * lanes
            out.dram.filterLinesRead += UInt64(pass.nextFilterLines)
            loadLines += UInt64(pass.nextFilterLines)
            if pass.flags.contains(.loadIfmaps) {
                let rows = UInt64(g.channels * pass.ifmapLoadRows)
                out.glb.ifmap.writes += rows * (plan.io.ifmapRLC ? UInt64(layer.w) : UInt64(layout.wl) * lanes)
                let lines = ifmapLoadLines[index]
                out.dram.ifmapLinesRead += lines
                loadLines += lines
                if !ifmapPrefetched(index) { exposedLoadLines += lines }
            }
            var storeLines: UInt64 = 0
            if pass.flags.contains(.store) {
                let rows = UInt64(g.filters * g.epass)
                // The store engine reads a buffer line for each step: a value of each filter
                // it codes at once (a line holds filters).
                out.glb.psum.reads += rows * f / UInt64(g.storeFilters(lanes: Int(lanes)))
                if plan.io.ofmapRLC {
                    // A code per row, or one of the tile's rows of each filter.
                    let codeRows = plan.layout.ofmapRowsPerSlot
                    for m in pass.m0..<(pass.m0 + g.filters) {
                        for e in stride(from: pass.e0, to: pass.e0 + g.epass, by: codeRows) {
                            storeLines += codeLines(ofmapRows: pass.n, m, e..<min(pass.e0 + g.epass, e + codeRows))
                        }
                    }
                } else {
                    storeLines = rows * UInt64(layout.fl)
                }
                out.dram.linesWritten += storeLines
            }
            out.dram.linesRead += loadLines
            // Timing: the ifmap load unless it was prefetched (and, for the first pass, the
            // filter load), then the run, during which, once the filter feeder is done, the next
            // descriptor, filter block and (into another slot) tile arrive; the pass waits for
            // whatever of them is left, then hands its tile to the store engine, which stores it
            // while the next passes run (a pass with its psum tile in the same banks waits).
            var load = exposedLoadLines > 0 ? Double(exposedLoadLines * lineBytes) / bytesPerCycle + dramLatencyCycles : 0
            if index == 0 { load += filterLoadCycles(pass) }
            // The store engine takes a step a cycle, and the DRAM a line per lineBytes / bytesPerCycle.
            let storeValues = pass.flags.contains(.store) ? Double(g.filters * g.epass * g.f / g.storeFilters(lanes: Int(lanes))) : 0
            let store = storeLines > 0 ? max(storeValues, Double(storeLines * lineBytes) / bytesPerCycle) : 0
            // The PE takes the window's new columns, then computes; its output stage sends the
            // psums while it goes on (docs/architecture.md, section 2).
            let perOutput = Double(p * q * s + q * UInt64(g.step))
            // The filter network delivers a filter-buffer line (several PE rows' words) a cycle.
            let filterFeed = feedsFilters ? Double(g.filterLines(lanes: Int(lanes))) : 0
            // The output and psum networks move a line of a column's psums a cycle.
            let psumLines = Double(g.psumNetworkLines(lanes: Int(lanes)))
            let run = max(filterFeed + Double(jobRows * f) * perOutput, Double(ifmapWords), psumLines)
                + Double(g.activeRows + g.activeColumns)
            let next = index + 1 < plan.passes.count ? plan.passes[index + 1] : nil
            let hintCycles = pass.nextFilterLines > 0
                ? Double(UInt64(pass.nextFilterLines) * lineBytes) / bytesPerCycle + dramLatencyCycles : 0
            let prefetch = hintCycles + descriptorCycles(index + 1) + (next.map(filterLoadCycles) ?? 0)
                + (ifmapPrefetched(index + 1) ? ifmapLoadCycles(index + 1) : 0)
            let wait = max(0, prefetch - (run - filterFeed))
            cycles += load
            dramStall += load
            if tileBanks(pass).overlaps(storeBanks) { waitForStore(until: storeFreeAt) }
            cycles += run + wait
            peBusy += run
            dramStall += wait
            if store > 0 {
                waitForStore(until: storeFreeAt)
                storeFreeAt = cycles + store
                storeBanks = tileBanks(pass)
            }
        }
        waitForStore(until: storeFreeAt)
        out.cycles = CycleCounts(total: UInt64(cycles.rounded()), peBusy: UInt64(peBusy.rounded()),
                                 dramStall: UInt64(dramStall.rounded()), nocStall: 0)
        return out
    }

    /// Ifmap words the feeder reads from the buffer in `pass`: those of its stream that lie
    /// inside the image (padding is generated, not read).
    static func ifmapReads(_ plan: LayerPlan, _ pass: Pass) -> UInt64 {
        let g = pass.geometry, layer = plan.layer
        var columnsInside = 0
        for xp in inputColumnsPadded(g) where xp - g.pad >= 0 && xp - g.pad < layer.w { columnsInside += 1 }
        var rowsInside = 0
        for strip in 0..<g.jobRows {
            for yr in 0..<g.yCount {
                let y = pass.yStart + strip * g.e * g.stride + yr
                if y >= 0 && y < layer.h { rowsInside += 1 }
            }
        }
        return UInt64(rowsInside * columnsInside * g.channels)
    }

    /// Padded ifmap columns of one job row, in feeder order: the first window, then `step` new
    /// columns per output.
    static func inputColumnsPadded(_ g: PassGeometry) -> [Int] {
        var xs = Array(0..<g.s)
        for f in 1..<max(g.f, 1) { xs += (f * g.stride + g.s - g.step)..<(f * g.stride + g.s) }
        return xs
    }

    /// MAC slots of one filter (per filter group) with a zero activation in `pass`, and those of
    /// them that are the first of their output (window column 0, channel 0: the psum starts from
    /// the product, so a gated one still writes 0).
    static func gatedSlots(_ plan: LayerPlan, _ pass: Pass, ifmap: [Int]) -> (UInt64, UInt64) {
        let g = pass.geometry, layer = plan.layer
        var zeros: UInt64 = 0, zeroFirsts: UInt64 = 0
        let (w, h) = (layer.w, layer.h)
        for set in 0..<g.r {
            for cq in 0..<g.q {
                let ch = pass.c0 + set * g.q + cq
                for strip in 0..<g.jobRows {
                    for j in 0..<g.e {
                        for i in 0..<g.rc {
                            let y = pass.yStart + strip * g.e * g.stride + j * g.stride + i
                            guard y >= 0 && y < h else {
                                zeros += UInt64(g.f * g.s)
                                if cq == 0 { zeroFirsts += UInt64(g.f) }
                                continue
                            }
                            let row = ((pass.n * layer.c + ch) * h + y) * w
                            for f in 0..<g.f {
                                for s in 0..<g.s {
                                    let x = f * g.stride + s - g.pad
                                    if x < 0 || x >= w || ifmap[row + x] == 0 {
                                        zeros += 1
                                        if s == 0 && cq == 0 { zeroFirsts += 1 }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (zeros, zeroFirsts)
    }
}
