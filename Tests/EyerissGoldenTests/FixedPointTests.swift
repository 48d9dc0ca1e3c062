import EyerissConfig
import EyerissGolden
import XCTest

/// Hand-worked cases of the fixed-point rules: each expected value is worked out by hand in
/// the comment beside it, never by calling the code under test.
final class FixedPointTests: XCTestCase {
    /// The chip's formats: 16-bit data, 16-bit psums.
    let chip = FixedPoint(dataBits: 16, psumBits: 16)
    /// A tiny format whose every edge is easy to reach by hand: 4-bit data, 6-bit psums.
    let tiny = FixedPoint(dataBits: 4, psumBits: 6)

    func testRanges() {
        XCTAssertEqual(chip.dataRange, -32768...32767)
        XCTAssertEqual(chip.psumRange, -32768...32767)
        XCTAssertEqual(tiny.dataRange, -8...7)
        XCTAssertEqual(tiny.psumRange, -32...31)
        XCTAssertEqual(tiny.shiftRange, 0..<8)
        // The widest format the configuration allows: 32-bit data, 64-bit psums.
        let wide = FixedPoint(dataBits: 32, psumBits: 64)
        XCTAssertEqual(wide.dataRange, -2_147_483_648...2_147_483_647)
        XCTAssertEqual(wide.psumRange, Int.min...Int.max)
        XCTAssertTrue(tiny.isValidData(-8))
        XCTAssertTrue(tiny.isValidData(7))
        XCTAssertFalse(tiny.isValidData(8))
        XCTAssertFalse(tiny.isValidData(-9))
        XCTAssertTrue(tiny.isValidPsum(31))
        XCTAssertFalse(tiny.isValidPsum(32))
    }

    func testInitFromValidConfig() throws {
        var raw = AcceleratorConfig()
        raw.fixedPoint.dataBits = 8
        raw.fixedPoint.psumBits = 16  // a divisor of every bus width
        raw.rlc.levelBits = 8  // the config requires levelBits == dataBits
        raw.noc.ifmapBusBits = 8  // and an ifmap bus of one activation
        let fp = FixedPoint(try raw.validated())
        XCTAssertEqual(fp, FixedPoint(dataBits: 8, psumBits: 16))
        XCTAssertEqual(FixedPoint(try AcceleratorConfig().validated()), chip)
    }

    func testProductWithoutShiftIsExact() {
        XCTAssertEqual(tiny.product(weight: 3, activation: 5, shift: 0), 15)
        XCTAssertEqual(tiny.product(weight: -3, activation: 5, shift: 0), -15)
        XCTAssertEqual(tiny.product(weight: -3, activation: -5, shift: 0), 15)
        XCTAssertEqual(chip.product(weight: 181, activation: -181, shift: 0), -32761)
    }

    func testShiftRoundsTowardMinusInfinity() {
        // -3 >> 1: -1.5 floors to -2 (truncation toward zero would give -1).
        XCTAssertEqual(tiny.product(weight: -3, activation: 1, shift: 1), -2)
        // 3 >> 1: 1.5 floors to 1.
        XCTAssertEqual(tiny.product(weight: 3, activation: 1, shift: 1), 1)
        // -1 >> 3: -0.125 floors to -1; 1 >> 3: 0.125 floors to 0.
        XCTAssertEqual(tiny.product(weight: -1, activation: 1, shift: 3), -1)
        XCTAssertEqual(tiny.product(weight: 1, activation: 1, shift: 3), 0)
        // -7 * 5 = -35; -35 / 4 = -8.75 floors to -9.
        XCTAssertEqual(tiny.product(weight: -7, activation: 5, shift: 2), -9)
        // 7 * 5 = 35; 35 / 4 = 8.75 floors to 8.
        XCTAssertEqual(tiny.product(weight: 7, activation: 5, shift: 2), 8)
        // Largest shift: -8 * -8 = 64 = 0b0100_0000; >> 7 is 0. -8 * 7 = -56; >> 7 is -1.
        XCTAssertEqual(tiny.product(weight: -8, activation: -8, shift: 7), 0)
        XCTAssertEqual(tiny.product(weight: -8, activation: 7, shift: 7), -1)
        // Chip formats: -32768 * 32767 = -1073709056; / 2^15 = -32767.0 exactly.
        XCTAssertEqual(chip.product(weight: -32768, activation: 32767, shift: 15), -32767)
        // -32767 * 3 = -98301; / 2^15 = -2.9999 floors to -3.
        XCTAssertEqual(chip.product(weight: -32767, activation: 3, shift: 15), -3)
    }

    func testProductSaturatesAtBothEnds() {
        // 7 * 7 = 49 > 31: the top of the 6-bit psum range.
        XCTAssertEqual(tiny.product(weight: 7, activation: 7, shift: 0), 31)
        // -8 * 7 = -56 < -32: the bottom.
        XCTAssertEqual(tiny.product(weight: -8, activation: 7, shift: 0), -32)
        // -8 * -8 = 64 > 31, and 64 >> 1 = 32 > 31 still; 64 >> 2 = 16 fits.
        XCTAssertEqual(tiny.product(weight: -8, activation: -8, shift: 0), 31)
        XCTAssertEqual(tiny.product(weight: -8, activation: -8, shift: 1), 31)
        XCTAssertEqual(tiny.product(weight: -8, activation: -8, shift: 2), 16)
        // -56 >> 1 = -28 fits.
        XCTAssertEqual(tiny.product(weight: -8, activation: 7, shift: 1), -28)
        // Right at the edges: -8 * 4 = -32 is exactly the minimum and is kept; -4 * -8 = 32 is
        // one past the maximum and saturates.
        XCTAssertEqual(tiny.product(weight: -8, activation: 4, shift: 0), -32)
        XCTAssertEqual(tiny.product(weight: -4, activation: -8, shift: 0), 31)
        // Chip: 32767 * 32767 = 1073676289 saturates to 32767; with shift 15 it is 32766.
        XCTAssertEqual(chip.product(weight: 32767, activation: 32767, shift: 0), 32767)
        XCTAssertEqual(chip.product(weight: 32767, activation: 32767, shift: 15), 32766)
        XCTAssertEqual(chip.product(weight: -32768, activation: -32768, shift: 15), 32767)  // 2^30 / 2^15 = 32768
        XCTAssertEqual(chip.product(weight: -32768, activation: 32767, shift: 0), -32768)
    }

    func testSaturateAndWrapHelpers() {
        XCTAssertEqual(tiny.saturatePsum(100), 31)
        XCTAssertEqual(tiny.saturatePsum(-100), -32)
        XCTAssertEqual(tiny.saturatePsum(-5), -5)
        // 32 = 0b10_0000 is -32 in 6 bits; 64 is 0; -33 = ...1101_1111 is 31.
        XCTAssertEqual(tiny.wrapPsum(32), -32)
        XCTAssertEqual(tiny.wrapPsum(64), 0)
        XCTAssertEqual(tiny.wrapPsum(-33), 31)
        XCTAssertEqual(tiny.wrapPsum(-5), -5)
        XCTAssertEqual(chip.wrapPsum(0x1_2345), 0x2345)
        XCTAssertEqual(chip.wrapPsum(0x8000), -32768)
        let wide = FixedPoint(dataBits: 32, psumBits: 64)
        XCTAssertEqual(wide.wrapPsum(Int.min), Int.min)
        XCTAssertEqual(wide.saturatePsum(Int.max), Int.max)
    }

    func testAccumulateWrapsAtBothEnds() {
        // 31 + 1 = 32 wraps to -32; -32 + -1 = -33 wraps to 31.
        XCTAssertEqual(tiny.accumulate(31, 1), -32)
        XCTAssertEqual(tiny.accumulate(-32, -1), 31)
        // 20 + 20 = 40 wraps to 40 - 64 = -24; -20 + -20 = -40 wraps to 24.
        XCTAssertEqual(tiny.accumulate(20, 20), -24)
        XCTAssertEqual(tiny.accumulate(-20, -20), 24)
        XCTAssertEqual(tiny.accumulate(10, -3), 7)
        // Chip: 32767 + 1 = -32768; -32768 + -32768 = 0.
        XCTAssertEqual(chip.accumulate(32767, 1), -32768)
        XCTAssertEqual(chip.accumulate(-32768, -32768), 0)
        // 64-bit psums wrap like Int's own &+.
        let wide = FixedPoint(dataBits: 32, psumBits: 64)
        XCTAssertEqual(wide.accumulate(Int.max, 1), Int.min)
    }

    func testWrappedAccumulationIsOrderIndependent() {
        // 31 + 1 - 1: wrapping gives 31 in either order; saturating would not
        // ((31 + 1) would stick at 31, then 30).
        XCTAssertEqual(tiny.accumulate(tiny.accumulate(31, 1), -1), 31)
        XCTAssertEqual(tiny.accumulate(31, tiny.accumulate(1, -1)), 31)
        var rng = SplitMix64(seed: 7)
        let terms = (0..<200).map { _ in Int(rng.next() % 64) - 32 }
        let forward = terms.reduce(0, tiny.accumulate)
        let backward = terms.reversed().reduce(0, tiny.accumulate)
        XCTAssertEqual(forward, backward)
        // And both equal the exact sum reduced modulo 64 into -32...31.
        let exact = terms.reduce(0, +)
        let expected = ((exact % 64) + 64 + 32) % 64 - 32
        XCTAssertEqual(forward, expected)
    }

    func testZeroContributesNothing() {
        for w in tiny.dataRange {
            for shift in tiny.shiftRange {
                XCTAssertEqual(tiny.product(weight: w, activation: 0, shift: shift), 0)
                XCTAssertEqual(tiny.product(weight: 0, activation: w, shift: shift), 0)
            }
        }
        for p in tiny.psumRange {
            XCTAssertEqual(tiny.accumulate(p, 0), p)
        }
    }

    func testRelu() {
        XCTAssertEqual(chip.relu(-1), 0)
        XCTAssertEqual(chip.relu(-32768), 0)
        XCTAssertEqual(chip.relu(0), 0)
        XCTAssertEqual(chip.relu(5), 5)
        XCTAssertEqual(chip.relu(32767), 32767)
    }
}
