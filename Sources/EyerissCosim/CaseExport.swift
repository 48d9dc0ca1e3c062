import EyerissConfig
import EyerissGolden
import EyerissMapper
import Foundation
import HDL

/// A layer exported for a harness outside Swift (the SystemC example): the DRAM image before
/// the run, the expected ofmap region with masks for don't-care bits, and the run's settings.
///
/// Files, all text:
/// - `dram.hex`: `dramLines` lines, one DRAM line each, 16 hex digits (line 0 first).
/// - `expected.hex`: one `ADDRESS DATA MASK` line (8, 16 and 16 hex digits) per ofmap DRAM line
///   holding checked bits; the harness passes when `(dram[ADDRESS] ^ DATA) & MASK == 0` for all.
///   Masked out: the padding words of a raw ofmap row, the lines of a coded row's slot after its code.
/// - `case.json`: `programLine`, `dramLines`, `cycleLimit`, `seed`, `ofmapBase`, `ofmapLines`,
///   `expectedLines`, the DRAM model (`bytesPerCycle`, `readLatency`, `maxOutstanding`), the
///   layer, the mapping and the configuration (`rows`, `columns`, `configHash`, `config`).
public struct CaseExport {
    public var layer: LayerShape
    public var plan: LayerPlan
    public var dramImage: [UInt64]
    /// The golden ofmap `[n][m][e][f]`.
    public var golden: [Int]
    /// (line address, data, mask) of every checked ofmap line.
    public var expected: [(line: Int, data: UInt64, mask: UInt64)]
    public var cycleLimit: UInt64
    public var seed: UInt64
    public var dram: DRAMBehaviour

    /// Maps `layer`, draws its data from `seed` exactly as `LayerRunner` does, and computes the
    /// golden ofmap.
    public init(layer: LayerShape, config: ValidConfig, options: LayerRunOptions) throws {
        let shape = try layer.validated()
        let fp = FixedPoint(config)
        var rng = SplitMix64(seed: options.seed)
        let input = Tensor4.random(dims: [shape.n, shape.c, shape.h, shape.w], range: fp.dataRange,
                                   zeroFraction: options.sparsity, rng: &rng)
        let weights = Tensor4.random(dims: [shape.m, shape.channelsPerGroup, shape.r, shape.s], range: fp.dataRange,
                                     zeroFraction: 0.1, rng: &rng)
        plan = try Mapper.map(layer: shape, config: config, shift: options.shift, io: options.io)
        self.layer = shape
        seed = options.seed
        dram = options.dram ?? .nominal(config)
        var image = [UInt64](repeating: 0, count: plan.layout.endLine)
        for segment in plan.dramImage(input: input.values, weights: weights.values) {
            image.replaceSubrange(segment.lineAddress..<(segment.lineAddress + segment.lines.count), with: segment.lines)
        }
        dramImage = image
        golden = LayerRunner.golden(shape, io: options.io, input: input, weights: weights, shift: options.shift, fixedPoint: fp).values
        expected = Self.expectedLines(plan: plan, values: golden)
        // Ten times the mapper's estimate and a margin: a limit that only a hang reaches.
        cycleLimit = UInt64(plan.mapping.estimatedCycles.rounded(.up)) * 10 + 100_000
    }

    /// The ofmap region as the RTL must leave it: raw words in their lanes, or each code's golden code.
    static func expectedLines(plan: LayerPlan, values: [Int]) -> [(line: Int, data: UInt64, mask: UInt64)] {
        let shape = plan.layer
        let (f, rowLines, lanes, bits) = (plan.ofmapWidth, plan.layout.ofmapRowLines, plan.lanes, plan.wordBits)
        let wordMask: UInt64 = bits >= 64 ? ~0 : (1 << UInt64(bits)) - 1
        var out: [(line: Int, data: UInt64, mask: UInt64)] = []
        if plan.io.ofmapRLC {
            for (slot, c) in plan.ofmapCodeRows.enumerated() {
                let start = ((c.n * shape.m + c.m) * shape.e + c.rows.lowerBound) * f
                let codeValues = values[start..<(start + c.rows.count * f)]
                for (k, word) in plan.code.encode(row: codeValues).enumerated() {
                    out.append((plan.layout.ofmapBase + slot * rowLines + k, word, ~0))
                }
            }
            return out
        }
        for row in 0..<(shape.n * shape.m * shape.e) {
            let base = plan.layout.ofmapBase + row * rowLines
            let rowValues = values[(row * f)..<(row * f + f)]
            for l in 0..<rowLines {
                var data: UInt64 = 0, mask: UInt64 = 0
                for lane in 0..<lanes where l * lanes + lane < f {
                    let v = UInt64(bitPattern: Int64(rowValues[rowValues.startIndex + l * lanes + lane])) & wordMask
                    data |= v << UInt64(lane * bits)
                    mask |= wordMask << UInt64(lane * bits)
                }
                if mask != 0 { out.append((base + l, data, mask)) }
            }
        }
        return out
    }

    static func hex(_ v: UInt64, digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    /// Writes `dram.hex`, `expected.hex` and `case.json` into `directory` (created if missing).
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var text = ""
        text.reserveCapacity(dramImage.count * 17)
        for line in dramImage { text += Self.hex(line, digits: 16) + "\n" }
        try writeAtomically(text, to: directory.appendingPathComponent("dram.hex"))
        text = expected.map { "\(Self.hex(UInt64($0.line), digits: 8)) \(Self.hex($0.data, digits: 16)) \(Self.hex($0.mask, digits: 16))" }
            .joined(separator: "\n") + "\n"
        try writeAtomically(text, to: directory.appendingPathComponent("expected.hex"))
        try writeAtomically(json(), to: directory.appendingPathComponent("case.json"))
    }

    /// `case.json`: flat, uniquely named numbers first (the C++ example reads those by key),
    /// then the layer, mapping and configuration for people and tools.
    public func json() throws -> String {
        struct Case: Encodable {
            var programLine: Int
            var dramLines: Int
            var cycleLimit: UInt64
            var seed: UInt64
            var ofmapBase: Int
            var ofmapLines: Int
            var expectedLines: Int
            var bytesPerCycle: Double
            var readLatency: Int
            var maxOutstanding: Int
            var passes: Int
            var rows: Int
            var columns: Int
            var configHash: String
            var layer: LayerShape
            var mapping: String
            var config: AcceleratorConfig
        }
        let m = plan.mapping
        let c = Case(programLine: plan.layout.programBase, dramLines: dramImage.count, cycleLimit: cycleLimit, seed: seed,
                     ofmapBase: plan.layout.ofmapBase, ofmapLines: plan.layout.ofmapLines, expectedLines: expected.count,
                     bytesPerCycle: dram.bytesPerCycle, readLatency: dram.readLatency, maxOutstanding: dram.maxOutstanding,
                     passes: plan.passes.count, rows: plan.config.raw.array.rows, columns: plan.config.raw.array.columns,
                     configHash: plan.config.raw.hashHex, layer: layer,
                     mapping: "q=\(m.q) p=\(m.p) Rc=\(m.rc) r=\(m.r) e=\(m.e) t=\(m.t) jobRows=\(m.jobRows)",
                     config: plan.config.raw)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(c), as: UTF8.self) + "\n"
    }
}
