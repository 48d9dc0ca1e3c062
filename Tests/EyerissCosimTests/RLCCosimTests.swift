import EyerissConfig
import EyerissCosim
import EyerissGolden
import EyerissMapper
import XCTest

/// The run-length codec in the generated RTL: coded ifmaps decoded into the global buffer,
/// ofmaps through ReLU and the encoder, every value and every code word checked against the
/// golden model and the golden codec; malformed codes flagged, never a hang.
final class RLCCosimTests: XCTestCase {
    static func config(_ rows: Int, _ columns: Int) throws -> ValidConfig {
        try ConfigLoader.load(file: nil, overrides: ["array.rows=\(rows)", "array.columns=\(columns)"]).validated()
    }

    /// Random layers with coded fmaps and ReLU, from no zeros to nothing but zeros.
    func testCodedLayersOn3x4() throws {
        let config = try Self.config(3, 4)
        let layers = try RandomCases.layers(count: 6, seed: 0x41C, config: config)
        for (i, layer) in layers.enumerated() {
            let sparsity = [0.0, 0.3, 0.6, 0.9, 1.0, 0.75][i]
            let options = LayerRunOptions(seed: 90 + UInt64(i), sparsity: sparsity, shift: 9, io: .hidden)
            let result = try LayerRunner.run(layer, config: config, options: options)
            XCTAssertEqual(result.mismatches, 0, "\(layer) sparsity \(sparsity): \(result.firstMismatches)")
            XCTAssertGreaterThan(result.ofmapZeroFraction, 0.0, "\(layer): ReLU leaves zeros")
            if sparsity >= 0.9 {
                let raw = try LayerRunner.run(layer, config: config,
                                              options: LayerRunOptions(seed: 90 + UInt64(i), sparsity: sparsity, shift: 9,
                                                                       io: LayerIO(relu: true)))
                XCTAssertEqual(raw.mismatches, 0)
                XCTAssertLessThan(result.dramBytesRead + result.dramBytesWritten, raw.dramBytesRead + raw.dramBytesWritten,
                                  "\(layer): coding mostly-zero fmaps must move fewer DRAM bytes")
                XCTAssertEqual(result.stats.gated, raw.stats.gated, "\(layer): the decoded ifmap gates the same MACs")
            }
        }
    }

    /// Encoder and decoder against the golden codec on random streams: an identity layer
    /// (1 x 1 filter of weight 1, shift 0, no ReLU) sends every coded ifmap row through the
    /// decoder, the PEs and the encoder, so the ofmap code must equal the ifmap code word for word.
    func testLoopbackOfRandomStreams() throws {
        let config = try Self.config(3, 4)
        var rng = SplitMix64(seed: 0x1009)
        let patterns: [(String, (Int) -> Int)] = [
            ("all zeros", { _ in 0 }),
            ("no zeros", { _ in Int.random(in: 1...32767, using: &rng) * (Bool.random(using: &rng) ? 1 : -1) }),
            ("runs of 40", { x in x % 41 == 40 ? Int.random(in: -5...5, using: &rng) : 0 }),
            ("runs of 31 and 32", { x in x % 33 == 31 || x % 33 == 32 ? 7 : 0 }),
            ("random 70 %", { _ in Double.random(in: 0..<1, using: &rng) < 0.7 ? 0 : Int.random(in: -32768...32767, using: &rng) }),
            // Three pairs fill the first word, then zeros: the store writes that word again flagged.
            ("a full word, then zeros", { x in x < 3 ? x - 9 : 0 }),
        ]
        let io = LayerIO(ifmapRLC: true, ofmapRLC: true, relu: false)
        for (k, (name, value)) in patterns.enumerated() {
            let width = [70, 13, 97, 66, 5, 17][k]
            let layer = LayerShape(name: "loopback-\(k)", n: 1, c: 1, h: 3, w: width, m: 1, r: 1, s: 1, stride: 1, padding: 0)
            let input = Tensor4(dims: [1, 1, 3, width], values: (0..<(3 * width)).map { value($0 % width) })
            let weights = Tensor4(dims: [1, 1, 1, 1], values: [1])
            let result = try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 1, shift: 0, io: io),
                                             input: input, weights: weights)
            XCTAssertEqual(result.mismatches, 0, "\(name): \(result.firstMismatches)")
            let code = RunLengthCode(config)
            // The code's lines, and a word again where its flag came after it was written.
            let storeLines = (0..<3).map { y in code.storeWrites(row: input.values[(y * width)..<(y * width + width)]) }
            XCTAssertEqual(result.stats.dramLinesWritten, UInt64(storeLines.reduce(0, +)), "\(name)")
            if k == patterns.count - 1 {
                XCTAssertEqual(storeLines, [2, 2, 2], "\(name): one word of pairs, written twice")
            }
        }
    }

    /// The store engine codes two filters a step when `p` is even and one when it is odd: an
    /// identity layer with `m` equal filters must write every filter's plane as the input's
    /// code, word for word, and the buffer reads must be the model's (a line a step).
    func testFilterPairsCodeLikeSingleFilters() throws {
        let config = try Self.config(3, 4)
        var rng = SplitMix64(seed: 0x9A1)
        let width = 66
        // Runs of 31 and 32 zeros, then dense values: both word limits in one row.
        let row = (0..<width).map { x in x < 64 ? (x % 33 == 31 || x % 33 == 32 ? 7 : 0) : Int.random(in: 1...900, using: &rng) }
        let io = LayerIO(ifmapRLC: true, ofmapRLC: true, relu: false)
        let code = RunLengthCode(config)
        let rowLines = code.storeWrites(row: row[...])
        func shape(_ m: Int) -> LayerShape {
            LayerShape(name: "pairs-\(m)", n: 1, c: 1, h: 2, w: width, m: m, r: 1, s: 1, stride: 1, padding: 0)
        }
        // Which `p` the mapper takes for `m` filters is its choice: take two filter counts it maps
        // with an even `p` (a small and a large one) and one with an odd `p`.
        var evenP: [Int] = [], oddP: [Int] = []
        for m in [4, 16, 6, 8, 12, 3, 5, 7, 9, 10, 14, 18, 24] {
            let p = try XCTUnwrap(Mapper.map(layer: shape(m), config: config, shift: 0, io: io).passes.first).geometry.p
            if p % 2 == 0 { evenP.append(m) } else { oddP.append(m) }
        }
        XCTAssertGreaterThanOrEqual(evenP.count, 2, "some filter counts map with an even p")
        XCTAssertGreaterThanOrEqual(oddP.count, 1, "some filter count maps with an odd p")
        let chosen = [evenP.min(), evenP.max(), oddP.first].compactMap { $0 }
        for m in chosen {
            let layer = shape(m)
            let input = Tensor4(dims: [1, 1, 2, width], values: row + row)
            let weights = Tensor4(dims: [m, 1, 1, 1], values: Array(repeating: 1, count: m))
            for dram in [DRAMBehaviour.nominal(config), .hostile(config)] {
                let result = try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 2, shift: 0, dram: dram, io: io),
                                                 input: input, weights: weights)
                XCTAssertEqual(result.mismatches, 0, "m = \(m): \(result.firstMismatches)")
                XCTAssertEqual(result.stats.dramLinesWritten, UInt64(m * 2 * rowLines), "m = \(m): every filter's rows, coded")
                let report = try XCTUnwrap(result.report)
                XCTAssertEqual(report.agreement.mismatches, [], "m = \(m): buffer reads a line a step")
            }
        }
    }

    /// An ifmap coded by channel (`LayerIO.ifmapCodeRows`): runs that cross rows, rows that end
    /// on a level, channels of zeros only, dense channels. An identity layer sends every value
    /// through the decoder, so the ofmap must equal the ifmap; the loads must read each channel's
    /// code once, as the model predicts, and fewer lines than a code per row wherever the rows
    /// have zeros, under nominal and hostile DRAM timing.
    func testChannelCodesRunAcrossRows() throws {
        let config = try Self.config(3, 4)
        var rng = SplitMix64(seed: 0xC0DE)
        let patterns: [(String, Int, (Int) -> Int)] = [
            ("all zeros", 13, { _ in 0 }),
            ("no zeros", 13, { _ in Int.random(in: 1...32767, using: &rng) * (Bool.random(using: &rng) ? 1 : -1) }),
            // A run of 40 spans three 13-value rows; one of 31 ends a row exactly.
            ("runs of 40", 13, { x in x % 41 == 40 ? Int.random(in: -5...5, using: &rng) : 0 }),
            ("runs of 31 and 32", 11, { x in x % 33 == 31 || x % 33 == 32 ? 7 : 0 }),
            ("every row's last value", 6, { x in x % 6 == 5 ? 3 : 0 }),
            ("random 75 %", 13, { _ in Double.random(in: 0..<1, using: &rng) < 0.75 ? 0 : Int.random(in: -32768...32767, using: &rng) }),
        ]
        let code = RunLengthCode(config)
        for (name, width, value) in patterns {
            let (c, h) = (2, 5)
            let layer = LayerShape(name: "channel-code", n: 1, c: c, h: h, w: width, m: c, r: 1, s: 1, stride: 1, padding: 0)
            let input = Tensor4(dims: [1, c, h, width], values: (0..<(c * h * width)).map { value($0) })
            // Filter k passes channel k through.
            let weights = Tensor4(dims: [c, c, 1, 1], values: (0..<(c * c)).map { $0 / c == $0 % c ? 1 : 0 })
            let byChannel = LayerIO(ifmapRLC: true, ofmapRLC: true, ifmapCodeRows: LayerIO.codePerChannel)
            let plan = try Mapper.map(layer: layer, config: config, shift: 0, io: byChannel)
            XCTAssertTrue(plan.tilesHoldWholeCodes(of: h), name)
            XCTAssertEqual(plan.layout.ifmapRowLines, code.maxWords(width: h * width), "\(name): a slot per channel")
            let channelLines = (0..<c).map { k in code.encode(row: input.values[(k * h * width)..<((k + 1) * h * width)]).count }
            let rowLines = (0..<(c * h)).map { y in code.encode(row: input.values[(y * width)..<((y + 1) * width)]).count }
            let loadLines = plan.passes.filter { $0.flags.contains(.loadIfmaps) && $0.nRows > 0 }
                .reduce(0) { sum, pass in sum + (pass.c0..<(pass.c0 + pass.geometry.channels)).reduce(0) { $0 + channelLines[$1] } }
            for dram in [DRAMBehaviour.nominal(config), .hostile(config)] {
                let result = try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 4, shift: 0, dram: dram, io: byChannel),
                                                 input: input, weights: weights)
                XCTAssertEqual(result.mismatches, 0, "\(name): \(result.firstMismatches)")
                let report = try XCTUnwrap(result.report)
                XCTAssertEqual(report.agreement.mismatches, [], "\(name): the model predicts the loads")
                XCTAssertEqual(result.stats.perf(.dramIfmapLinesRead), UInt64(loadLines), "\(name): each load reads its channels' codes")
            }
            if name != "no zeros" {
                XCTAssertLessThan(channelLines.reduce(0, +), rowLines.reduce(0, +), "\(name): fewer lines than a code per row")
            }
        }
    }

    /// Codes of several rows written by the store engine and read by the loader: a layer whose
    /// row chunks are all as tall but the last stores each filter's rows of a chunk as one code
    /// (`LayerIO.ofmapCodeByRowChunk`), word for word the golden encoder's; a layer reads an ifmap
    /// in codes of that many rows, the channel's last code shorter. Both under nominal and
    /// hostile DRAM timing, with the model's counts, and fewer lines than a code per row.
    func testCodesOfRowChunksFromStoreToLoad() throws {
        let config = try Self.config(3, 4)
        let hidden = LayerIO(ifmapRLC: true, ofmapRLC: true, relu: true)
        var byChunk = hidden
        byChunk.ofmapCodeByRowChunk = true
        // A layer whose plan codes row chunks of G rows, with E not a multiple of G.
        let shapes = [(13, 8), (13, 6), (11, 8), (14, 9), (9, 12)].map { h, m in
            LayerShape(name: "chunks-\(h)x\(m)", n: 2, c: 4, h: h, w: h, m: m, r: 3, s: 3, stride: 1, padding: 1)
        }
        let found = try shapes.first { layer in
            let rows = try Mapper.map(layer: layer, config: config, shift: 8, io: byChunk).layout.ofmapRowsPerSlot
            return rows > 1 && layer.h % rows != 0
        }
        let layer = try XCTUnwrap(found, "a shape whose row chunks code several rows, the last shorter")
        let rows = try Mapper.map(layer: layer, config: config, shift: 8, io: byChunk).layout.ofmapRowsPerSlot
        for dram in [DRAMBehaviour.nominal(config), .hostile(config)] {
            let stored = try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 11, sparsity: 0.7, shift: 8, dram: dram, io: byChunk))
            XCTAssertEqual(stored.mismatches, 0, "\(layer.name): \(stored.firstMismatches)")
            XCTAssertEqual(try XCTUnwrap(stored.report).agreement.mismatches, [], "\(layer.name): the model's counts")
            let perRow = try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 11, sparsity: 0.7, shift: 8, dram: dram, io: hidden))
            XCTAssertLessThan(stored.stats.dramLinesWritten, perRow.stats.dramLinesWritten, "\(layer.name): codes of \(rows) rows are shorter")
        }
        // The next layer reads codes of that many rows.
        let next = LayerShape(name: "reads-\(rows)-row-codes", n: 2, c: layer.m, h: layer.e, w: layer.f, m: 5, r: 3, s: 3, stride: 1, padding: 1)
        var reads = hidden
        reads.ifmapCodeRows = rows
        let plan = try Mapper.map(layer: next, config: config, shift: 8, io: reads)
        XCTAssertEqual(plan.layout.ifmapRowsPerSlot, rows)
        for dram in [DRAMBehaviour.nominal(config), .hostile(config)] {
            let loaded = try LayerRunner.run(next, config: config, options: LayerRunOptions(seed: 12, sparsity: 0.7, shift: 8, dram: dram, io: reads))
            XCTAssertEqual(loaded.mismatches, 0, "\(next.name): \(loaded.firstMismatches)")
            XCTAssertEqual(try XCTUnwrap(loaded.report).agreement.mismatches, [], "\(next.name): the model's counts")
            let perRow = try LayerRunner.run(next, config: config, options: LayerRunOptions(seed: 12, sparsity: 0.7, shift: 8, dram: dram, io: hidden))
            XCTAssertLessThan(loaded.stats.perf(.dramIfmapLinesRead), perRow.stats.perf(.dramIfmapLinesRead), "\(next.name): fewer lines read")
        }
    }

    /// Corrupt codes in DRAM: each is flagged by the RTL decoder and reported as an error, in
    /// bounded time.
    func testMalformedCodesAreFlagged() throws {
        let config = try Self.config(3, 4)
        let layer = LayerShape(name: "corrupt", n: 1, c: 2, h: 5, w: 8, m: 2, r: 3, s: 3, stride: 1, padding: 1)
        let plan = try Mapper.map(layer: layer, config: config, shift: 4, io: .hidden)
        let code = plan.code
        var rng = SplitMix64(seed: 5)
        let input = Tensor4.random(dims: [1, 2, 5, 8], range: -100...100, zeroFraction: 0.2, rng: &rng)
        let weights = Tensor4.random(dims: [2, 2, 3, 3], range: -100...100, zeroFraction: 0.1, rng: &rng)
        let rowLines = plan.layout.ifmapRowLines
        let firstRow = code.encode(row: input.values[0..<8])
        XCTAssertGreaterThan(firstRow.count, 1, "the test needs a row of several words")
        let corruptions: [(String, (inout [UInt64]) -> Void)] = [
            ("a run past the row's end", { lines in lines[0] |= 31 }),
            ("the last flag missing", { lines in lines[firstRow.count - 1] &= ~code.lastFlag }),
            ("garbage after the row's end", { lines in lines[firstRow.count - 1] |= 1 << 62 }),
            // An all-zero pair in a flagged word ends the row's pairs: no pair may follow it.
            ("a pair after the all-zero pair that ends a row", { lines in lines[0] = code.lastFlag | 1 << UInt64(code.pairBits) }),
        ]
        XCTAssertEqual(rowLines, code.maxWords(width: 8))
        // Each corruption of the ifmap region stops the run with the decoder's error.
        func assertFlagged(_ plan: LayerPlan, _ corruptions: [(String, (inout [UInt64]) -> Void)]) throws {
            for (what, corrupt) in corruptions {
                let sim = try AcceleratorSimulator(config: config, seed: 3, dramLines: plan.layout.endLine, dram: .nominal(config))
                for segment in plan.dramImage(input: input.values, weights: weights.values) {
                    var lines = segment.lines
                    if segment.lineAddress == plan.layout.ifmapBase { corrupt(&lines) }
                    try sim.writeDRAM(line: segment.lineAddress, lines)
                }
                XCTAssertThrowsError(try sim.run(programLine: plan.layout.programBase, watchdogCycles: 20_000), what) { error in
                    XCTAssertTrue("\(error)".contains("RLC decoder"), "\(what): \(error)")
                }
            }
        }
        try assertFlagged(plan, corruptions)
        // A code of a channel's 5 rows (40 values): the same checks hold at its end, not a row's.
        var byChannel = LayerIO.hidden
        byChannel.ifmapCodeRows = 5
        let channelPlan = try Mapper.map(layer: layer, config: config, shift: 4, io: byChannel)
        let channelCode = code.encode(row: input.values[0..<40])
        XCTAssertGreaterThan(channelCode.count, 2, "the test needs a code of several words")
        let pair = { (run: UInt64, level: UInt64) in run | level << UInt64(code.runBits) }
        try assertFlagged(channelPlan, [
            // 32 + 32 values where the code holds 40: the second run goes past its end.
            ("a run past the code's end", { lines in lines[0] = code.lastFlag | pair(31, 1) | pair(31, 1) << UInt64(code.pairBits) }),
            ("the code's last flag missing", { lines in lines[channelCode.count - 1] &= ~code.lastFlag }),
        ])
    }
}
