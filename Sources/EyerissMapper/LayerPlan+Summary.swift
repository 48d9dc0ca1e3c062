import EyerissGolden
/// The numbers a plan promises: pass count, PE use and planned DRAM traffic (in `dataBits`
/// words, whole lines counted, row padding included).
public struct PlanStatistics: Equatable, Sendable {
    /// Passes (descriptors before END).
    public let passes: Int
    /// MACs the PEs perform, padding positions included; less than the layer's when passes that
    /// see only padding are left out.
    public let macs: Int
    /// MACs of the layer by its definition (`LayerShape.macs`).
    public let layerMACs: Int
    /// Active PEs of the largest pass.
    public let maxActivePEs: Int
    /// PEs of the array.
    public let peCount: Int
    /// Active PEs / all PEs, averaged over passes weighted by each pass's MACs.
    public let utilization: Double
    /// Distinct filter blocks, and how many times one is loaded.
    public let filterBlocks: Int
    public let filterLoads: Int
    /// Ifmap tile loads.
    public let ifmapLoads: Int
    /// Words read: descriptors, filter blocks, ifmap tiles.
    public let programWordsRead: Int
    public let filterWordsRead: Int
    public let ifmapWordsRead: Int
    /// Words written: psum tiles stored to the ofmap.
    public let ofmapWordsWritten: Int
    /// The mapper's cost estimate (`Mapping.estimatedCycles`).
    public let estimatedCycles: Double

    /// All words read from DRAM.
    public var dramWordsRead: Int { programWordsRead + filterWordsRead + ifmapWordsRead }
    /// All words written to DRAM.
    public var dramWordsWritten: Int { ofmapWordsWritten }
}

extension LayerPlan {
    /// The plan's numbers, counted from its passes.
    public var statistics: PlanStatistics {
        var macs = 0
        var weighted = 0.0
        var maxActive = 0
        var filterLoads = 0, ifmapLoads = 0
        var filterLines = 0, ifmapLines = 0, storeLines = 0
        for pass in passes {
            let g = pass.geometry
            macs += g.macs
            weighted += Double(g.macs) * Double(g.activePEs)
            maxActive = max(maxActive, g.activePEs)
            if pass.flags.contains(.loadFilters) {
                filterLoads += 1
                filterLines += pass.filterLines
            }
            if pass.nextFilterLines > 0 {
                filterLoads += 1
                filterLines += pass.nextFilterLines
            }
            if pass.flags.contains(.loadIfmaps) {
                ifmapLoads += 1
                ifmapLines += g.channels * pass.ifmapLoadRows * layout.wl
            }
            if pass.flags.contains(.store) { storeLines += g.filters * g.epass * layout.fl }
        }
        let peCount = config.peCount
        return PlanStatistics(
            passes: passes.count, macs: macs, layerMACs: layer.macs, maxActivePEs: maxActive, peCount: peCount,
            utilization: macs > 0 ? weighted / Double(macs) / Double(peCount) : 0,
            filterBlocks: Set(passes.map(\.filterAddress)).count, filterLoads: filterLoads, ifmapLoads: ifmapLoads,
            programWordsRead: layout.programLines * lanes, filterWordsRead: filterLines * lanes,
            ifmapWordsRead: ifmapLines * lanes, ofmapWordsWritten: storeLines * lanes,
            estimatedCycles: mapping.estimatedCycles)
    }

    /// A human-readable account of the mapping: geometry, chunks, passes, PE use, buffer split
    /// and planned DRAM traffic (what `eyeriss map` prints).
    public func summary() -> String {
        let l = layer
        let m = mapping
        let st = statistics
        let raw = config.raw
        let bankLines = raw.globalBuffer.bankWords
        let banks = raw.globalBuffer.fmapBanks
        let maxIfmapTile = passes.map { $0.geometry.channels * $0.nRows * layout.wl }.max() ?? 0
        let maxPsumTile = passes.map { $0.geometry.psumTileLines(lanes: lanes) }.max() ?? 0
        let maxFilterBlock = passes.map(\.filterLines).max() ?? 0
        let filterBuffer = raw.globalBuffer.filterBanks * bankLines
        func percent(_ x: Double) -> String {
            let tenths = Int((1000 * x).rounded())
            return "\(tenths / 10).\(tenths % 10)%"
        }
        func runs<T: Equatable>(_ items: [T], _ text: (T) -> String) -> String {
            var parts: [(String, Int)] = []
            for item in items {
                let s = text(item)
                if let last = parts.last, last.0 == s { parts[parts.count - 1].1 += 1 } else { parts.append((s, 1)) }
            }
            return parts.map { "\($0.1) x \($0.0)" }.joined(separator: " + ")
        }
        let words = "\(raw.fixedPoint.dataBits)-bit words"
        var lines: [String] = []
        lines.append("layer \(l.name): n=\(l.n) C=\(l.c) H=\(l.h) W=\(l.w) M=\(l.m) R=\(l.r) S=\(l.s) stride=\(l.stride) pad=\(l.padding) groups=\(l.groups) -> E=\(l.e) F=\(l.f), shift \(shift)")
        lines.append("array \(raw.array.rows) x \(raw.array.columns) (\(st.peCount) PEs)")
        lines.append("mapping: q=\(m.q) p=\(m.p) Rc=\(m.rc) r=\(m.r) e=\(m.e) t=\(m.t) jobRows=\(m.jobRows) (Epass=\(m.e * m.jobRows), Ycount=\((m.e - 1) * l.stride + m.rc))")
        lines.append("  PE set \(m.rc) x \(m.e), \(m.r) channel set(s) x \(m.t) filter group(s): \(m.rc * m.r * m.e * m.t) active PEs")
        lines.append("  filter chunks per group: " + runs(m.filterChunks) { "(p=\($0.p), t=\($0.t))" })
        lines.append("  row chunks: " + runs(m.rowChunks) { "(e=\($0.e), jobRows=\($0.jobRows))" })
        lines.append("  accumulation per psum tile: filter rows " + m.filterRowChunks.map(String.init).joined(separator: "+")
                     + "; " + runs(m.accumulationChunks) { "(Rc=\($0.rc), q=\($0.q), r=\($0.r))" })
        // With images interleaved in groups, the image loop of the order walks the groups.
        let order = m.loopOrder.map { m.interleavesImages && $0 == .image ? "imageGroup" : $0.rawValue }.joined(separator: " > ")
        var inner: [String] = []
        if m.interleavesRowChunks {
            let tiles = m.sharesRowTiles ? " and the ifmap tile" : ""
            inner.append("rowChunk (each row chunk its own psum tile, sharing the filter block\(tiles))")
        }
        if m.interleavesImages {
            let group = m.loopOrder.contains(.image) ? " of a group of \(m.imageSlots)" : ""
            inner.append("image (each image\(group) its own psum tile, sharing the filter block)")
        }
        lines.append("  loop order: " + (["group", order, "accumulation (each loop back and forth)"] + inner).joined(separator: " > "))
        let kept = passes.filter { $0.flags.contains(.keepFilters) }.count
        let keeping = kept > 0 ? " (\(kept) keep the PEs' filters from the pass before)" : ""
        lines.append("passes: \(st.passes)\(keeping); active PEs up to \(st.maxActivePEs)/\(st.peCount); utilization \(percent(st.utilization)) (MAC-weighted)")
        lines.append("MACs: \(st.macs) planned, \(st.layerMACs) in the layer")
        lines.append("global buffer: banks 0..<\(m.psumBank) ifmaps (\(m.psumBank * bankLines) lines, largest tile \(maxIfmapTile)), banks \(m.psumBank)..<\(banks) psums (\((banks - m.psumBank) * bankLines) lines\(m.psumSlots > 1 ? ", \(m.psumSlots) tiles in slots of \(Set(m.psumSlotLines).sorted(by: >).map(String.init).joined(separator: "/")) lines" : ""), largest tile \(maxPsumTile)); filter buffer \(filterBuffer) lines, largest block \(maxFilterBlock)")
        lines.append("DRAM (\(words)): read \(st.dramWordsRead) = program \(st.programWordsRead) + filters \(st.filterWordsRead) (\(st.filterBlocks) blocks, \(st.filterLoads) loads) + ifmaps \(st.ifmapWordsRead) (\(st.ifmapLoads) tile loads); written \(st.dramWordsWritten)")
        lines.append("DRAM layout (lines): program \(layout.programBase)+\(layout.programLines), filters \(layout.filterBase)+\(layout.filterLines), ifmap \(layout.ifmapBase)+\(layout.ifmapLines), ofmap \(layout.ofmapBase)+\(layout.ofmapLines), total \(layout.totalLines)")
        func codes(_ coded: Bool, _ rows: Int) -> String { !coded ? "raw" : rows == 1 ? "a code per row" : "a code per \(rows) rows" }
        lines.append("fmap codes: ifmap \(codes(io.ifmapRLC, layout.ifmapRowsPerSlot)), ofmap \(codes(io.ofmapRLC, layout.ofmapRowsPerSlot))\(io.rowPool.map { ", rows pooled \($0.size)/\(RowPool.stride) (\(ofmapWidth) of F = \(l.f) values)" } ?? "")")
        lines.append("estimated cycles (mapper's cost model): \(Int(st.estimatedCycles.rounded()))")
        return lines.joined(separator: "\n")
    }
}
