import EyerissConfig
import EyerissCosim
import EyerissGolden
import EyerissMapper
import XCTest

/// Whole networks through run-length coded DRAM, every layer checked bit-exact.
final class NetworkCosimTests: XCTestCase {
    func testSmallVGGEndToEnd() throws {
        let config = try ConfigLoader.load(file: nil, overrides: ["array.rows=6", "array.columns=7"]).validated()
        let net = try XCTUnwrap(Network.named("vgg16-small"))
        XCTAssertEqual(net.stages.count, 13)
        XCTAssertEqual(net.stages.filter { $0.poolAfter != nil }.count, 4)
        let result = try NetworkRunner.run(net, config: config, options: NetworkRunOptions(seed: 3))
        XCTAssertTrue(result.passed, result.layers.flatMap(\.result.firstMismatches).joined(separator: "\n"))
        XCTAssertEqual(result.layers.count, 13)
        XCTAssertFalse(result.layers[0].result.io.ifmapRLC, "the image is read raw")
        XCTAssertTrue(result.layers.allSatisfy { $0.result.io.ofmapRLC })
        // Layers after an unpooled one read the RTL encoder's bytes as they are; after a pooled
        // one, what the host wrote: coded, or raw where that is smaller.
        XCTAssertEqual(result.layers.filter { $0.ifmapSource.hasPrefix("hardware") }.count, 8)
        for layer in result.layers.dropFirst() {
            let raw = layer.ifmapSource.hasSuffix("raw (smaller than its code)")
            XCTAssertEqual(layer.result.io.ifmapRLC, !raw, "\(layer.result.layer.name): \(layer.ifmapSource)")
            if layer.ifmapSource.hasPrefix("hardware") { XCTAssertTrue(layer.result.io.ifmapRLC) }
        }
        for layer in result.layers.dropFirst() {
            XCTAssertGreaterThan(layer.result.ifmapZeroFraction, 0.2, "\(layer.result.layer.name): ReLU zeros reach the next layer")
            XCTAssertGreaterThan(layer.result.stats.gated, 0, "\(layer.result.layer.name): zeros are gated")
        }
        // Wide rows with many zeros code smaller than raw (conv1_2: 32-value rows, ~40 % zeros);
        // rows of a few values cannot (a coded row takes at least one line, as a raw one does).
        XCTAssertGreaterThan(result.layers[1].fmapCompression, 1.05)
        XCTAssertLessThan(result.layers[1].fmapBytesCoded, result.layers[1].fmapBytesRaw)
    }

    /// The host codes a pooled ifmap in codes of as many rows as give each tile 24 codes, three
    /// for each code the RLC loader keeps open: AlexNet CONV3 at batch 1 loads 8 channels a
    /// tile, so its 13 rows go in codes of 5 (5, 5, 3); a tile of 24 channels or more takes a
    /// code per channel.
    func testHostCodesGiveEachTileEnoughCodes() throws {
        let config = try ConfigLoader.load(file: nil, overrides: []).validated()
        let conv3 = try Mapper.map(layer: BuiltinLayers.alexnet[2], config: config, shift: 12, io: .hidden)
        XCTAssertEqual(conv3.passes.map(\.geometry.channels).max(), 8, "the test expects 8 channels a tile")
        XCTAssertEqual(NetworkRunner.hostCodeRows(conv3), 5)
        let wide = LayerShape(name: "wide", n: 1, c: 96, h: 6, w: 6, m: 4, r: 1, s: 1, stride: 1, padding: 0)
        let plan = try Mapper.map(layer: wide, config: config, shift: 12, io: .hidden)
        XCTAssertEqual(plan.passes.map(\.geometry.channels).max(), 24, "the test expects 24 channels a tile")
        XCTAssertEqual(NetworkRunner.hostCodeRows(plan), 6, "a code per channel")
    }

    /// Layers on two threads, each reading the golden chain's ifmap, give what the run in order
    /// on the RTL's own bytes gives: every layer's cycles and counts, and the last output.
    func testParallelLayersMatchTheRunInOrder() throws {
        let config = try ConfigLoader.load(file: nil, overrides: ["array.rows=3", "array.columns=4"]).validated()
        let net = try XCTUnwrap(Network.named("alexnet-small"))
        let inOrder = try NetworkRunner.runDetailed(net, config: config, options: NetworkRunOptions(seed: 5))
        let parallel = try NetworkRunner.runDetailed(net, config: config, options: NetworkRunOptions(seed: 5, jobs: 2))
        XCTAssertTrue(inOrder.result.passed)
        XCTAssertTrue(parallel.result.passed)
        XCTAssertEqual(parallel.result.layers.map(\.result.layer.name), inOrder.result.layers.map(\.result.layer.name))
        for (p, s) in zip(parallel.result.layers, inOrder.result.layers) {
            XCTAssertEqual(p.result.cycles, s.result.cycles, p.result.layer.name)
            XCTAssertEqual(p.result.stats, s.result.stats, p.result.layer.name)
            XCTAssertEqual(p.dramBytesCoded, s.dramBytesCoded, p.result.layer.name)
        }
        XCTAssertTrue(inOrder.result.layers.contains { $0.ifmapSource.hasPrefix("hardware") })
        XCTAssertFalse(parallel.result.layers.contains { $0.ifmapSource.hasPrefix("hardware") })
        // CONV2 and CONV3 read pooled maps 7 and 3 values wide: a coded row takes as many lines
        // as a raw one or more, so the host writes them raw, and they still match bit for bit.
        for run in [inOrder, parallel] {
            XCTAssertEqual(run.result.layers.map(\.result.io.ifmapRLC), [false, false, false, true, true])
        }
        XCTAssertEqual(try XCTUnwrap(parallel.output).values, try XCTUnwrap(inOrder.output).values)
        XCTAssertThrowsError(try NetworkRunner.run(net, config: config, options: NetworkRunOptions(jobs: 0)))
    }

    /// The host codes a pooled ifmap only when the code takes fewer DRAM lines than raw rows.
    func testTheHostWritesThePooledIfmapInTheSmallerFormat() throws {
        let config = try ConfigLoader.load(file: nil, overrides: []).validated()
        let code = RunLengthCode(config)
        var rng = SplitMix64(seed: 4)
        // 27-value rows: raw 7 lines; coded, a pair a value (21 bits) and a line per 3 pairs.
        let dense = Tensor4.random(dims: [1, 2, 3, 27], range: 1...100, zeroFraction: 0, rng: &rng)
        XCTAssertFalse(NetworkRunner.ifmapCodeIsSmaller(dense, code: code, lanes: 4), "9 coded lines a row against 7")
        let sparse = Tensor4.random(dims: [1, 2, 3, 27], range: 1...100, zeroFraction: 0.8, rng: &rng)
        XCTAssertTrue(NetworkRunner.ifmapCodeIsSmaller(sparse, code: code, lanes: 4))
        // A tie (a 7-wide row: 2 lines either way) goes to raw, which the DMA loads directly.
        let tie = Tensor4(dims: [1, 1, 1, 7], values: [1, 0, 2, 3, 0, 4, 5])
        XCTAssertEqual(code.encode(row: tie.values).count, 2)
        XCTAssertFalse(NetworkRunner.ifmapCodeIsSmaller(tie, code: code, lanes: 4))
    }

    func testMaxPool() {
        let t = Tensor4(dims: [1, 1, 3, 4], values: [1, 5, 2, 0, -3, 4, 9, 1, 7, 0, 0, 8])
        XCTAssertEqual(HostOps.maxPool(t, size: 2, stride: 2).values, [5, 9])
        XCTAssertEqual(HostOps.maxPool(t, size: 3, stride: 1).values, [9, 9])
    }
}
