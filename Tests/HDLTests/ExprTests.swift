import HDL
import XCTest

/// Typed expressions: literal printing, explicit resizing, muxes and concatenations. Expected
/// text and widths are worked out by hand from the Verilog rules.
final class ExprTests: XCTestCase {
    /// Signals to build expressions from (the builder is never built).
    private let b = ModuleBuilder("exprs")
    private lazy var a8 = b.input("a_i", 8)
    private lazy var c8 = b.input("c_i", 8)
    private lazy var n4 = b.input("n_i", 4)
    private lazy var s4 = b.input("s_i", 4, signed: true)
    private lazy var s8 = b.input("s8_i", 8, signed: true)
    private lazy var sel = b.input("sel_i")

    // MARK: - Literals

    func testUnsignedLiterals() {
        let five = Expr.lit(5, width: 8)
        XCTAssertEqual(five.description, "8'd5")
        XCTAssertEqual(five.width, 8)
        XCTAssertFalse(five.signed)
        XCTAssertEqual(Expr.lit(255, width: 8).description, "8'd255")
        XCTAssertEqual(Expr.lit(0, width: 1).description, "1'd0")
        XCTAssertEqual(Expr.one.description, "1'd1")
        XCTAssertEqual(Expr.zero.description, "1'd0")
        XCTAssertEqual(Expr.lit(3, like: n4).description, "4'd3")
    }

    func testSignedLiteralsAreTwosComplementHex() {
        // -1 in 8 bits is 0xff; -128 is 0x80; -3 in 4 bits is 0xd.
        let minusOne = Expr.lit(-1, width: 8, signed: true)
        XCTAssertEqual(minusOne.description, "8'shff")
        XCTAssertTrue(minusOne.signed)
        XCTAssertEqual(minusOne.width, 8)
        XCTAssertEqual(Expr.lit(-128, width: 8, signed: true).description, "8'sh80")
        XCTAssertEqual(Expr.lit(-3, width: 4, signed: true).description, "4'shd")
        XCTAssertEqual(Expr.lit(127, width: 8, signed: true).description, "8'sh7f")
        XCTAssertEqual(Expr.lit(-1, width: 64, signed: true).description, "64'shffffffffffffffff")
        XCTAssertEqual(Expr.lit(-2, like: s8).description, "8'shfe")
    }

    // MARK: - Resizing

    func testSignExtended() {
        let e = s4.signExtended(to: 8)
        XCTAssertEqual(e.description, "$signed({{4{s_i[3]}}, s_i})")
        XCTAssertEqual(e.width, 8)
        XCTAssertTrue(e.signed)
        // Same width: only the type changes.
        XCTAssertEqual(s4.signExtended(to: 4).description, "s_i")
        XCTAssertEqual(n4.signExtended(to: 4).description, "$signed(n_i)")
        XCTAssertTrue(n4.signExtended(to: 4).signed)
    }

    func testZeroExtended() {
        let e = n4.zeroExtended(to: 8)
        XCTAssertEqual(e.description, "{4'd0, n_i}")
        XCTAssertEqual(e.width, 8)
        XCTAssertFalse(e.signed)
        // A signed value zero-extends to an unsigned one.
        let fromSigned = s4.zeroExtended(to: 6)
        XCTAssertEqual(fromSigned.description, "{2'd0, s_i}")
        XCTAssertFalse(fromSigned.signed)
        XCTAssertEqual(s4.zeroExtended(to: 4).description, "$unsigned(s_i)")
        XCTAssertEqual(n4.zeroExtended(to: 4).description, "n_i")
    }

    func testTruncated() {
        let low = a8.truncated(to: 3)
        XCTAssertEqual(low.description, "a_i[2:0]")
        XCTAssertEqual(low.width, 3)
        XCTAssertFalse(low.signed)
        XCTAssertEqual(a8.truncated(to: 1).description, "a_i[0]")
        XCTAssertEqual(a8.truncated(to: 8).description, "a_i")
        // Truncating a signed value keeps it signed.
        let signedLow = s8.truncated(to: 4)
        XCTAssertEqual(signedLow.description, "$signed(s8_i[3:0])")
        XCTAssertEqual(signedLow.width, 4)
        XCTAssertTrue(signedLow.signed)
    }

    func testResizedAndSlices() {
        XCTAssertEqual(n4.resized(to: 6).description, "{2'd0, n_i}")
        XCTAssertEqual(a8.resized(to: 5).description, "a_i[4:0]")
        XCTAssertEqual(a8.bits(5, 2).description, "a_i[5:2]")
        XCTAssertEqual(a8.bits(5, 2).width, 4)
        XCTAssertEqual(a8.bit(7).description, "a_i[7]")
        XCTAssertEqual(a8.bit(7).width, 1)
    }

    // MARK: - Operators

    func testMux() {
        let m = Expr.mux(sel, a8, c8)
        XCTAssertEqual(m.description, "sel_i ? a_i : c_i")
        XCTAssertEqual(m.width, 8)
        XCTAssertFalse(m.signed)
        // Operator operands get parentheses, never precedence puzzles.
        XCTAssertEqual(Expr.mux(sel, a8 + c8, c8).description, "sel_i ? (a_i + c_i) : c_i")
        let signedMux = Expr.mux(sel.eq(.one), s8, .lit(-1, like: s8))
        XCTAssertEqual(signedMux.description, "(sel_i == 1'd1) ? s8_i : 8'shff")
        XCTAssertTrue(signedMux.signed)
    }

    func testConcatWidths() {
        let c = Expr.concat([a8, n4, .one])
        XCTAssertEqual(c.width, 13)
        XCTAssertFalse(c.signed)
        XCTAssertEqual(c.description, "{a_i, n_i, 1'd1}")
        // A concatenation is unsigned, whatever its parts are.
        let mixed = Expr.concat([s4, n4])
        XCTAssertEqual(mixed.width, 8)
        XCTAssertFalse(mixed.signed)
        XCTAssertEqual(mixed.description, "{s_i, n_i}")
        XCTAssertEqual(Expr.concat([s4]).description, "$unsigned(s_i)")
        XCTAssertEqual(Expr.concat([s4]).width, 4)
    }

    func testOperatorTypesAndParentheses() {
        let sum = a8 + c8
        XCTAssertEqual(sum.width, 8)
        XCTAssertEqual((sum & c8).description, "(a_i + c_i) & c_i")
        XCTAssertEqual((a8 - 1).description, "a_i - 8'd1")
        XCTAssertEqual((~(a8 ^ c8)).description, "~(a_i ^ c_i)")
        let cmp = a8.lt(c8)
        XCTAssertEqual(cmp.width, 1)
        XCTAssertEqual(cmp.description, "a_i < c_i")
        XCTAssertEqual(a8.eq(3).description, "a_i == 8'd3")
        XCTAssertEqual((sel && !sel).description, "sel_i && !sel_i")
        XCTAssertEqual(a8.anySet.description, "|a_i")
        XCTAssertEqual(a8.isZero.description, "~|a_i")
        XCTAssertEqual(a8.anySet.width, 1)
        let shifted = s8.shiftedRightArithmetic(by: n4)
        XCTAssertEqual(shifted.description, "s8_i >>> n_i")
        XCTAssertTrue(shifted.signed)
        XCTAssertEqual(shifted.width, 8)
        XCTAssertEqual(a8.shiftedLeft(by: n4).description, "a_i << n_i")
        XCTAssertEqual((s8 * s8).signed, true)
    }

    func testSignalName() {
        XCTAssertEqual(a8.signalName, "a_i")
        XCTAssertNil((a8 + c8).signalName)
        XCTAssertNil(Expr.lit(1, width: 2).signalName)
    }
}
