import EyerissConfig
import EyerissCosim
import EyerissGolden
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
        XCTAssertTrue(result.layers.dropFirst().allSatisfy { $0.result.io.ifmapRLC && $0.result.io.ofmapRLC })
        // Layers after an unpooled one read the RTL encoder's bytes as they are.
        XCTAssertEqual(result.layers.filter { $0.ifmapSource.hasPrefix("hardware") }.count, 8)
        for layer in result.layers.dropFirst() {
            XCTAssertGreaterThan(layer.result.ifmapZeroFraction, 0.2, "\(layer.result.layer.name): ReLU zeros reach the next layer")
            XCTAssertGreaterThan(layer.result.stats.gated, 0, "\(layer.result.layer.name): zeros are gated")
        }
        // Wide rows with many zeros code smaller than raw (conv1_2: 32-value rows, ~40 % zeros);
        // rows of a few values cannot (a coded row takes at least one line, as a raw one does).
        XCTAssertGreaterThan(result.layers[1].fmapCompression, 1.05)
        XCTAssertLessThan(result.layers[1].fmapBytesCoded, result.layers[1].fmapBytesRaw)
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
        XCTAssertEqual(try XCTUnwrap(parallel.output).values, try XCTUnwrap(inOrder.output).values)
        XCTAssertThrowsError(try NetworkRunner.run(net, config: config, options: NetworkRunOptions(jobs: 0)))
    }

    func testMaxPool() {
        let t = Tensor4(dims: [1, 1, 3, 4], values: [1, 5, 2, 0, -3, 4, 9, 1, 7, 0, 0, 8])
        XCTAssertEqual(HostOps.maxPool(t, size: 2, stride: 2).values, [5, 9])
        XCTAssertEqual(HostOps.maxPool(t, size: 3, stride: 1).values, [9, 9])
    }
}
