@testable import EyerissONNX
import XCTest

/// The float reference against hand-worked values.
final class FloatOpsTests: XCTestCase {
    func testConvWithPaddingStrideAndGroups() throws {
        // One 3 x 3 plane of 1...9, a 2 x 2 filter of ones, stride 1, padding 0: window sums.
        let x = FloatTensor(dims: [1, 1, 3, 3], values: (1...9).map(Double.init))
        let w = FloatTensor(dims: [1, 1, 2, 2], fill: 1)
        let window = FloatOps.Window(kernel: (2, 2), strides: (1, 1), pads: (0, 0, 0, 0), dilations: (1, 1))
        XCTAssertEqual(FloatOps.conv(x, weights: w, bias: FloatTensor(dims: [1], values: [0.5]), window: window, groups: 1).values,
                       [12.5, 16.5, 24.5, 28.5])
        // Padding 1 on the left and top only, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1).
        let uneven = FloatOps.Window(kernel: (2, 2), strides: (2, 2), pads: (1, 1, 0, 0), dilations: (1, 1))
        XCTAssertEqual(FloatOps.conv(x, weights: w, bias: nil, window: uneven, groups: 1).values, [1, 5, 11, 28])
        // Two groups: each output channel sees only its own input channel.
        let x2 = FloatTensor(dims: [1, 2, 1, 1], values: [3, 5])
        let w2 = FloatTensor(dims: [2, 1, 1, 1], values: [2, 10])
        let one = FloatOps.Window(kernel: (1, 1), strides: (1, 1), pads: (0, 0, 0, 0), dilations: (1, 1))
        XCTAssertEqual(FloatOps.conv(x2, weights: w2, bias: nil, window: one, groups: 2).values, [6, 50])
    }

    func testPoolingSoftmaxGemmAndReshape() throws {
        let x = FloatTensor(dims: [1, 1, 3, 3], values: [1, -2, 3, -4, 5, -6, 7, -8, 9])
        let ceil = FloatOps.Window(kernel: (2, 2), strides: (2, 2), pads: (0, 0, 0, 0), dilations: (1, 1), ceilMode: true)
        XCTAssertEqual(FloatOps.pool(x, window: ceil, max: true).values, [5, 3, 7, 9])
        XCTAssertEqual(FloatOps.pool(x, window: ceil, max: false).values, [0, -1.5, -0.5, 9])
        let s = FloatOps.softmax(FloatTensor(dims: [1, 2], values: [0, log(3)]), axis: -1)
        XCTAssertEqual(s.values[0], 0.25, accuracy: 1e-12)
        // [1, 2, 1, 1]: before opset 13 the classes (axis 1 on) share one softmax; from 13 the
        // default last axis holds one value each.
        let logits = FloatTensor(dims: [1, 2, 1, 1], values: [0, log(3)])
        XCTAssertEqual(FloatOps.softmax(logits, fromAxis: 1).values[1], 0.75, accuracy: 1e-12)
        XCTAssertEqual(FloatOps.softmax(logits, axis: -1).values, [1, 1])
        let rows = FloatOps.softmax(FloatTensor(dims: [2, 2], values: [0, 0, 0, log(3)]), axis: 0)
        XCTAssertEqual(rows.values[3], 0.75, accuracy: 1e-12)
        let g = try FloatOps.gemm(FloatTensor(dims: [1, 2], values: [1, 2]), FloatTensor(dims: [3, 2], values: [1, 0, 0, 1, 1, 1]),
                                  FloatTensor(dims: [3], values: [10, 20, 30]), alpha: 2, beta: 1, transA: false, transB: true)
        XCTAssertEqual(g.values, [12, 24, 36])
        XCTAssertEqual(try FloatOps.reshapeDims([2, 3, 4], [0, -1]), [2, 12])
        let m = FloatTensor(dims: [2, 3], values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(FloatOps.transpose(m, perm: [1, 0]), FloatTensor(dims: [3, 2], values: [1, 4, 2, 5, 3, 6]))
        XCTAssertEqual(try FloatOps.elementwise(m, FloatTensor(dims: [3], values: [10, 20, 30]), +).values, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual(try FloatOps.elementwise(m, FloatTensor(dims: [2, 1], values: [1, 2]), *).values, [1, 2, 3, 8, 10, 12])
        XCTAssertThrowsError(try FloatOps.elementwise(m, FloatTensor(dims: [2], values: [1, 2]), +))
        XCTAssertThrowsError(try FloatOps.reshapeDims([2, 3, 4], [5, -1]))
    }
}
