import EyerissGolden
import XCTest

final class TensorTests: XCTestCase {
    func testRowMajorLayoutAndSubscript() {
        var t = Tensor4(dims: [2, 3, 4, 5], fill: 0)
        XCTAssertEqual(t.count, 120)
        XCTAssertEqual(t.dims, [2, 3, 4, 5])
        // [1][2][3][4] is the last element; [0][0][1][0] is one row of 5 in.
        XCTAssertEqual(t.offset(1, 2, 3, 4), 119)
        XCTAssertEqual(t.offset(0, 0, 1, 0), 5)
        XCTAssertEqual(t.offset(0, 1, 0, 0), 20)
        XCTAssertEqual(t.offset(1, 0, 0, 0), 60)
        t[1, 2, 3, 4] = 42
        t[0, 1, 0, 0] = -7
        XCTAssertEqual(t[1, 2, 3, 4], 42)
        XCTAssertEqual(t.values[119], 42)
        XCTAssertEqual(t.values[20], -7)

        let u = Tensor4(dims: [1, 1, 2, 2], values: [1, 2, 3, 4])
        XCTAssertEqual(u[0, 0, 1, 0], 3)
        XCTAssertEqual(u, Tensor4(dims: [1, 1, 2, 2], values: [1, 2, 3, 4]))
        XCTAssertNotEqual(u, Tensor4(dims: [1, 1, 4, 1], values: [1, 2, 3, 4]))
        XCTAssertEqual(Tensor4(dims: [1, 2, 1, 1], fill: 9).values, [9, 9])
    }

    func testSplitMix64MatchesTheReferenceSequence() {
        // First outputs of the reference C implementation (Vigna, splitmix64.c) from seed 0.
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(rng.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(rng.next(), 0x06C4_5D18_8009_454F)
    }

    func testRandomIsDeterministicAndHasTheRequestedZeros() {
        var a = SplitMix64(seed: 1234)
        var b = SplitMix64(seed: 1234)
        let ta = Tensor4.random(dims: [2, 3, 7, 5], range: -100...100, zeroFraction: 0.4, rng: &a)
        let tb = Tensor4.random(dims: [2, 3, 7, 5], range: -100...100, zeroFraction: 0.4, rng: &b)
        XCTAssertEqual(ta, tb)
        XCTAssertEqual(ta.values.filter { $0 == 0 }.count, 84)  // 0.4 * 210
        XCTAssertTrue(ta.values.allSatisfy { (-100...100).contains($0) })

        var c = SplitMix64(seed: 1235)
        let tc = Tensor4.random(dims: [2, 3, 7, 5], range: -100...100, zeroFraction: 0.4, rng: &c)
        XCTAssertNotEqual(ta, tc)
    }

    func testRandomCoversTheRangeButNeverDrawsZeroAsANonZero() {
        var rng = SplitMix64(seed: 99)
        let t = Tensor4.random(dims: [1, 1, 40, 50], range: -3...2, zeroFraction: 0, rng: &rng)
        XCTAssertEqual(Set(t.values), [-3, -2, -1, 1, 2])
        let allZero = Tensor4.random(dims: [1, 1, 3, 3], range: -3...2, zeroFraction: 1, rng: &rng)
        XCTAssertEqual(allZero.values, Array(repeating: 0, count: 9))
        let positive = Tensor4.random(dims: [1, 1, 10, 10], range: 5...6, zeroFraction: 0.25, rng: &rng)
        XCTAssertEqual(positive.values.filter { $0 == 0 }.count, 25)
        XCTAssertEqual(Set(positive.values), [0, 5, 6])
    }
}
