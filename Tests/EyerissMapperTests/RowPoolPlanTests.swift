import EyerissConfig
import EyerissGolden
@testable import EyerissMapper
import XCTest

/// Plans whose stores pool each ofmap row (`LayerIO.rowPool`): the layout of the pooled rows,
/// the flags the controller reads, the functional executor's result, and the rows the pool
/// cannot cover.
final class RowPoolPlanTests: XCTestCase {
    /// The ofmap region holds rows of the pooled width, raw and coded, and every pass carries the
    /// pool's flags; the descriptor decoded apart from the mapper says the same.
    func testPooledRowsSetTheOfmapLayoutAndTheFlags() throws {
        let config = try AcceleratorConfig().validated()
        let layer = LayerShape(name: "conv1-like", n: 1, c: 3, h: 227, w: 227, m: 8, r: 11, s: 11, stride: 4, padding: 0)
        for pool in RowPool.allCases where pool.coversExactly(width: layer.f) {
            for io in [LayerIO(relu: true, rowPool: pool), LayerIO(ofmapRLC: true, relu: true, rowPool: pool)] {
                let plan = try Mapper.map(layer: layer, config: config, shift: 12, io: io)
                let width = (layer.f - pool.size) / 2 + 1
                XCTAssertEqual(plan.ofmapWidth, width)
                XCTAssertEqual(plan.layout.fl, (width + plan.lanes - 1) / plan.lanes)
                XCTAssertEqual(plan.layout.ofmapRowLines, io.ofmapRLC ? plan.code.maxWords(width: width) : plan.layout.fl)
                XCTAssertEqual(plan.layout.ofmapLines, layer.m * layer.e * plan.layout.ofmapRowLines)
                for descriptor in decodeProgram(plan.program()) where !descriptor.isEnd {
                    XCTAssertEqual(descriptor.rowPoolSize, pool.size)
                    XCTAssertEqual(descriptor.storedWidth, width)
                }
            }
        }
        let plain = try Mapper.map(layer: layer, config: config, shift: 12, io: LayerIO(relu: true))
        XCTAssertEqual(plain.ofmapWidth, layer.f)
        XCTAssertTrue(plain.passes.allSatisfy { !$0.flags.contains(.rowPool) && !$0.flags.contains(.rowPoolThree) })
    }

    /// Random small layers whose rows the pools cover, pooled by windows of 2 and of 3, raw, coded
    /// and coded by row chunk: the functional executor's ofmap equals the golden model's pooled
    /// rows bit for bit (`runAndCompare`), and a raw store writes the pooled rows' lines.
    func testPooledPlansExecuteBitExact() throws {
        var rng = SplitMix64(seed: 77)
        let config = try ConfigLoader.load(file: nil, overrides: ["array.rows=3", "array.columns=4"]).validated()
        var ran = 0
        while ran < 12 {
            let layer = randomLayer("pooled-\(ran)", rng: &rng)
            let pool = RowPool.allCases[ran % 2]
            guard pool.coversExactly(width: layer.f) else { continue }
            let io = [LayerIO(relu: true, rowPool: pool), LayerIO(ofmapRLC: true, relu: true, rowPool: pool),
                      LayerIO(ofmapRLC: true, ofmapCodeByRowChunk: true, rowPool: pool)][ran % 3]
            guard let plan = try? Mapper.map(layer: layer, config: config, shift: 9, io: io) else { continue }
            try runAndCompare(plan: plan, seed: UInt64(ran))
            ran += 1
        }
    }

    /// Windows that do not end on a row's last value are rejected with the rule, not truncated.
    func testRowsThePoolCannotCoverAreRejected() throws {
        let config = try AcceleratorConfig().validated()
        let layer = LayerShape(name: "even", n: 1, c: 3, h: 20, w: 20, m: 4, r: 3, s: 3, stride: 1, padding: 0)
        XCTAssertThrowsError(try Mapper.map(layer: layer, config: config, shift: 12, io: LayerIO(rowPool: .three))) { error in
            XCTAssertTrue("\(error)".contains("row pool"), "\(error)")
            XCTAssertTrue("\(error)".contains("F = 18"), "\(error)")
        }
        XCTAssertNoThrow(try Mapper.map(layer: layer, config: config, shift: 12, io: LayerIO(rowPool: .two)))
    }
}
