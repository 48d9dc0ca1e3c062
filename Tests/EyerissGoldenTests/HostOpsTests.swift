import EyerissGolden
import XCTest

/// The pooling the host and the store engine share (`HostOps`, `RowPool`).
final class HostOpsTests: XCTestCase {
    func testRowAndColumnPoolsByHand() {
        let t = Tensor4(dims: [1, 1, 3, 5], values: [1, 5, 2, 0, 3,
                                                    -3, -4, -9, -1, -2,
                                                    7, 0, 0, 8, 6])
        XCTAssertEqual(HostOps.rowMaxPool(t, size: 3, stride: 2).values, [5, 3, -3, -1, 7, 8])
        XCTAssertEqual(HostOps.rowMaxPool(t, size: 2, stride: 2).values, [5, 2, -3, -1, 7, 8])
        XCTAssertEqual(HostOps.columnMaxPool(t, size: 2, stride: 1).values, [1, 5, 2, 0, 3, 7, 0, 0, 8, 6])
        XCTAssertEqual(RowPool.three.apply(t).dims, [1, 1, 3, 2])
    }

    /// Max pooling is separable: the store engine's row pool then the host's column pool give
    /// the whole pooling, for AlexNet's 3/2 and VGG's 2/2, on random signed data with ties.
    func testRowThenColumnPoolIsTheWholePool() {
        var rng = SplitMix64(seed: 5)
        for (size, h, w) in [(3, 13, 15), (2, 8, 10), (3, 7, 9)] {
            let values = (0..<(2 * 3 * h * w)).map { _ in Int(rng.next() % 9) - 4 }
            let t = Tensor4(dims: [2, 3, h, w], values: values)
            var whole = Tensor4(dims: [2, 3, (h - size) / 2 + 1, (w - size) / 2 + 1])
            for n in 0..<2 { for c in 0..<3 { for y in 0..<whole.dims[2] { for x in 0..<whole.dims[3] {
                whole[n, c, y, x] = (0..<size).flatMap { dy in (0..<size).map { dx in t[n, c, 2 * y + dy, 2 * x + dx] } }.max()!
            } } } }
            let pool = RowPool(size: size, stride: 2)!
            XCTAssertEqual(HostOps.columnMaxPool(pool.apply(t), size: size, stride: 2), whole)
            XCTAssertEqual(HostOps.maxPool(t, size: size, stride: 2), whole)
        }
    }

    func testRowPoolWindows() {
        XCTAssertEqual(RowPool(size: 3, stride: 2), .three)
        XCTAssertEqual(RowPool(size: 2, stride: 2), .two)
        XCTAssertNil(RowPool(size: 3, stride: 1), "the store engine's windows are every 2 values")
        XCTAssertNil(RowPool(size: 4, stride: 2))
        XCTAssertEqual(RowPool.three.outputs(width: 55), 27)
        XCTAssertEqual(RowPool.two.outputs(width: 224), 112)
        XCTAssertTrue(RowPool.three.coversExactly(width: 55))
        XCTAssertFalse(RowPool.three.coversExactly(width: 56))
        XCTAssertFalse(RowPool.three.coversExactly(width: 1))
        XCTAssertTrue(RowPool.two.coversExactly(width: 2))
        XCTAssertFalse(RowPool.two.coversExactly(width: 13))
    }
}
