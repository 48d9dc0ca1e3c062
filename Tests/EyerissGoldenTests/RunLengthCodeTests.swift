import EyerissConfig
import EyerissGolden
import XCTest

/// The RLC format: hand-worked words, the edges the issue names, round trips and every error.
final class RunLengthCodeTests: XCTestCase {
    let chip = RunLengthCode(runBits: 5, levelBits: 16, pairsPerWord: 3, wordBits: 64)

    /// Builds a word by hand from the layout in the documentation: pair k at bits 21k, run low.
    func word(_ pairs: [(run: UInt64, level: Int)], last: Bool) -> UInt64 {
        var w: UInt64 = last ? 1 << 63 : 0
        for (k, pair) in pairs.enumerated() {
            let level = UInt64(UInt16(bitPattern: Int16(pair.level)))
            w |= (pair.run | level << 5) << UInt64(21 * k)
        }
        return w
    }

    func testFromConfig() throws {
        XCTAssertEqual(RunLengthCode(try AcceleratorConfig().validated()), chip)
        XCTAssertEqual(chip.maxRun, 31)
        XCTAssertEqual(chip.maxWords(width: 13), 5)
        XCTAssertEqual(chip.maxWords(width: 3), 1)
    }

    func testHandWorkedRow() throws {
        // 0 0 5 0 -1 | 7: pairs (2,5) (1,-1) (0,7) fill one word, which is also the last.
        let row = [0, 0, 5, 0, -1, 7]
        let code = chip.encode(row: row)
        XCTAssertEqual(code, [word([(2, 5), (1, -1), (0, 7)], last: true)])
        XCTAssertEqual(try chip.decode(row: code, width: 6).values, row)
    }

    func testAllZeros() throws {
        // 40 zeros: the encoder streams, so the first 32 make a (31, 0) pair before it knows
        // the row is all zeros; the 8 it ends with get none.
        let row = Array(repeating: 0, count: 40)
        let code = chip.encode(row: row)
        XCTAssertEqual(code, [word([(31, 0)], last: true)])
        // 20 zeros: no pair at all, one flagged word of all-zero pairs.
        XCTAssertEqual(chip.encode(row: Array(repeating: 0, count: 20)), [word([], last: true)])
        XCTAssertEqual(try chip.decode(row: [word([], last: true)], width: 20).values, Array(repeating: 0, count: 20))
        XCTAssertEqual(try chip.decode(row: code, width: 40).values, row)
        XCTAssertEqual(chip.storeWrites(row: row), 1)
    }

    func testTrailingZerosGetNoPair() throws {
        // 1 2 0 0: pairs (0,1) (0,2), flagged; the decoder fills the two zeros.
        let short = [1, 2, 0, 0]
        XCTAssertEqual(chip.encode(row: short), [word([(0, 1), (0, 2)], last: true)])
        XCTAssertEqual(try chip.decode(row: chip.encode(row: short), width: 4).values, short)
        XCTAssertEqual(chip.storeWrites(row: short), 1)
        // 1 2 3 0 0: the three pairs fill the word, which the streaming store engine has written
        // before it sees that only zeros follow: it writes it again, flagged. One word to read
        // (it was two, the zeros' pair in a word of its own), two to write.
        let full = [1, 2, 3, 0, 0]
        XCTAssertEqual(chip.encode(row: full), [word([(0, 1), (0, 2), (0, 3)], last: true)])
        XCTAssertEqual(try chip.decode(row: chip.encode(row: full), width: 5).values, full)
        XCTAssertEqual(chip.storeWrites(row: full), 2)
        // A run of more than 31 zeros inside the row keeps its (31, 0) pair; the end's zeros none.
        let long = [5] + Array(repeating: 0, count: 40)
        XCTAssertEqual(chip.encode(row: long), [word([(0, 5), (31, 0)], last: true)])
        XCTAssertEqual(try chip.decode(row: chip.encode(row: long), width: 41).values, long)
        // The pair (0, 0), which the encoder never writes, ends the row's pairs in a flagged
        // word (zeros follow) and is one zero in any other.
        XCTAssertEqual(try chip.decode(row: [word([(0, 1), (0, 0)], last: true)], width: 6).values, [1, 0, 0, 0, 0, 0])
        XCTAssertEqual(try chip.decode(row: [word([(0, 1), (0, 0), (0, 2)], last: false), word([(0, 3)], last: true)],
                                       width: 5).values, [1, 0, 2, 3, 0])
    }

    func testNoZeros() throws {
        let row = [1, -2, 3, -4, 5, -32768, 32767]
        let code = chip.encode(row: row)
        XCTAssertEqual(code, [word([(0, 1), (0, -2), (0, 3)], last: false),
                              word([(0, -4), (0, 5), (0, -32768)], last: false),
                              word([(0, 32767)], last: true)])
        XCTAssertEqual(code.count, chip.maxWords(width: row.count))
        XCTAssertEqual(try chip.decode(row: code, width: row.count).values, row)
    }

    func testRunLongerThanTheField() throws {
        // 33 zeros then 9: (31, 0) is 32 values, then (0, 9)... no: the 33rd zero starts a new run.
        let row = Array(repeating: 0, count: 33) + [9]
        let code = chip.encode(row: row)
        XCTAssertEqual(code, [word([(31, 0), (1, 9)], last: true)])
        XCTAssertEqual(try chip.decode(row: code, width: 34).values, row)
    }

    func testStreamEndingMidWord() throws {
        // Two rows back to back: the first ends after one pair of its second word.
        let a = [4, 0, 0, 0, 3, 2, 1], b = [0, 6]
        let codeA = chip.encode(row: a), codeB = chip.encode(row: b)
        XCTAssertEqual(codeA.count, 2)
        let stream = codeA + codeB
        let first = try chip.decode(row: stream, width: a.count)
        XCTAssertEqual(first.values, a)
        XCTAssertEqual(first.words, 2)
        XCTAssertEqual(try chip.decode(row: stream.dropFirst(first.words), width: b.count).values, b)
    }

    func testRandomRoundTrips() throws {
        var rng = SplitMix64(seed: 7)
        for trial in 0..<500 {
            let width = Int.random(in: 1...300, using: &rng)
            let zeroFraction = [0.0, 0.3, 0.7, 0.95, 1.0][trial % 5]
            let row = (0..<width).map { _ in
                Double.random(in: 0..<1, using: &rng) < zeroFraction ? 0 : Int.random(in: -32768...32767, using: &rng)
            }
            let code = chip.encode(row: row)
            XCTAssertLessThanOrEqual(code.count, chip.maxWords(width: width))
            XCTAssertEqual(code.filter { $0 & chip.lastFlag != 0 }.count, 1)
            XCTAssertNotEqual(code.last! & chip.lastFlag, 0)
            XCTAssertTrue((code.count...(code.count + 1)).contains(chip.storeWrites(row: row)))
            let decoded = try chip.decode(row: code, width: width)
            XCTAssertEqual(decoded.values, row)
            XCTAssertEqual(decoded.words, code.count)
        }
    }

    func testOtherFieldWidths() throws {
        let small = RunLengthCode(runBits: 2, levelBits: 8, pairsPerWord: 2, wordBits: 32)
        let row = [0, 0, 0, 0, 0, -128, 127, 0]
        let code = small.encode(row: row)
        XCTAssertEqual(try small.decode(row: code, width: row.count).values, row)
        XCTAssertTrue(code.allSatisfy { $0 < 1 << 32 })
    }

    func testMalformedStreams() {
        func fails(_ words: [UInt64], width: Int, with expected: RunLengthCode.DecodeError,
                   line: UInt = #line) {
            XCTAssertThrowsError(try chip.decode(row: words, width: width), line: line) { error in
                XCTAssertEqual(error as? RunLengthCode.DecodeError, expected, line: line)
                XCTAssertFalse("\(error)".isEmpty)
            }
        }
        fails([word([(5, 1)], last: true)], width: 4, with: .runPastRow(word: 0, pair: 0))
        fails([word([(0, 1), (0, 2), (0, 3)], last: false)], width: 3, with: .missingLast(word: 0))
        fails([word([(0, 1), (0, 2), (0, 3)], last: true)], width: 2, with: .trailingPair(word: 0, pair: 2))
        fails([word([(0, 1), (0, 0), (0, 2)], last: true)], width: 5, with: .trailingPair(word: 0, pair: 2))
        fails([word([(0, 1), (0, 2), (0, 3)], last: false)], width: 9, with: .truncated(words: 1, decoded: 3))
        fails([], width: 1, with: .truncated(words: 0, decoded: 0))
    }
}
