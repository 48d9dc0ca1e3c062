import EyerissConfig

/// The run-length code (RLC) that fmaps use in DRAM, written down once. The RTL decoder
/// (`eyeriss_rlc_loader`) and encoder (`eyeriss_rlc_encoder`), the mapper's DRAM images and
/// every checker use this type; nothing else defines the format.
///
/// ## Format (JSSC 2017; field widths from `rlc.*` and `dram.busBits`)
/// One DRAM word of `wordBits` (64) bits holds `pairsPerWord` (3) `(run, level)` pairs and a
/// last-word flag:
/// - pair `k` occupies bits `[k * pairBits +: pairBits]`, `pairBits = runBits + levelBits`
///   (5 + 16 = 21): the run in its low `runBits` bits, the level (two's complement) above it;
/// - bit `wordBits - 1` is set in the last word of a row, and only there.
///
/// A pair `(run, level)` stands for `run` zeros followed by the value `level`. `level` may be 0:
/// that is how a run longer than `maxRun` (31) continues.
///
/// ## Rows
/// Each fmap row (`W` values of one channel of one image) is coded on its own, so the
/// controller can fetch any rows of a tile. A code may also hold a group of a channel's rows
/// (`LayerIO.ifmapCodeRows`, `LayerIO.ofmapCodeByRowChunk`): `g` rows are coded as one row of
/// `g * W` values, so a run goes on from one row into the next; the format is the same, only
/// the rows are longer. The encoder streams the row: it extends a run while
/// the value is 0, the run is below `maxRun` and the value is not the row's last; otherwise it
/// emits a pair, except for a last value of 0: the run of zeros the row ends with gets no pair
/// (the decoder fills it in; a run longer than `maxRun` still takes its `(31, 0)` pairs, and
/// only the zeros after the last of them are left out). So every pair covers at least one
/// value, a row takes at most `W` pairs, and `maxWords(width:) = ceil(W / pairsPerWord)` words,
/// which is the size of a row's slot in DRAM. The row's last word is flagged: the one holding
/// its last pair, or, for a row of at most `maxRun + 1` zeros (no pair at all), one word of
/// all-zero pairs. Unused pairs of the last word are 0 (all bits). A decoder
/// fills a row whose flagged word ends early with zeros; in a flagged word, the first all-zero
/// pair is where the row's pairs end (the encoder never writes the pair (0, 0), which would be
/// one zero), and any pair after it must be 0 too.
///
/// A row ending in zeros whose last pair filled a word is stored (`storeWrites(row:)`) by
/// writing that word again with its flag once the row is over: the store engine streams and
/// cannot know earlier that no pair follows. So the row's code, which later layers read, is a
/// word shorter, and its store writes as many lines as the code with the zeros' pair would take
/// (the store of every row writes as many lines as before; only the reads shrink).
///
/// ## What a decoder rejects (`RunLengthCode.DecodeError`)
/// A run that goes past the row's end; a word that completes the row without the last flag; a
/// non-zero pair after the row is complete (or after the all-zero pair that ends it); a stream
/// that ends before the last word.
public struct RunLengthCode: Sendable, Equatable {
    /// Bits of a zero-run field.
    public let runBits: Int
    /// Bits of a level (= data width).
    public let levelBits: Int
    /// Pairs per word.
    public let pairsPerWord: Int
    /// Bits of a word (= DRAM line).
    public let wordBits: Int

    public init(runBits: Int, levelBits: Int, pairsPerWord: Int, wordBits: Int) {
        precondition(runBits >= 1 && levelBits >= 2 && levelBits <= 32 && pairsPerWord >= 1,
                     "RunLengthCode: runBits \(runBits), levelBits \(levelBits), pairsPerWord \(pairsPerWord)")
        precondition(pairsPerWord * (runBits + levelBits) + 1 <= wordBits && wordBits <= 64,
                     "RunLengthCode: \(pairsPerWord) pairs of \(runBits + levelBits) b and a flag do not fit \(wordBits) b")
        self.runBits = runBits
        self.levelBits = levelBits
        self.pairsPerWord = pairsPerWord
        self.wordBits = wordBits
    }

    /// The code of a validated configuration.
    public init(_ config: ValidConfig) {
        let c = config.raw
        self.init(runBits: c.rlc.runBits, levelBits: c.rlc.levelBits, pairsPerWord: c.rlc.pairsPerWord,
                  wordBits: c.dram.busBits)
    }

    /// Bits of one pair.
    public var pairBits: Int { runBits + levelBits }
    /// Longest run one pair holds.
    public var maxRun: Int { (1 << runBits) - 1 }
    /// The last-word flag.
    public var lastFlag: UInt64 { 1 << UInt64(wordBits - 1) }

    /// Words of the largest code of a `width`-value row: the size of a row's slot in DRAM.
    public func maxWords(width: Int) -> Int { (width + pairsPerWord - 1) / pairsPerWord }

    /// Codes one row. Every value must fit `levelBits` bits (two's complement).
    public func encode(row values: some Collection<Int>) -> [UInt64] { stream(row: values).words }

    /// Lines the store engine writes for one row: its code, and once more its last word when the
    /// flag came after the word was written (a row ending in zeros whose last pair filled a word).
    public func storeWrites(row values: some Collection<Int>) -> Int {
        let coded = stream(row: values)
        return coded.words.count + (coded.reflagged ? 1 : 0)
    }

    /// The code as the store engine streams it, and whether it flags a word it already wrote.
    private func stream(row values: some Collection<Int>) -> (words: [UInt64], reflagged: Bool) {
        precondition(!values.isEmpty, "RunLengthCode.encode: an empty row")
        let limit = 1 << (levelBits - 1)
        var words: [UInt64] = []
        var word: UInt64 = 0
        var pairs = 0
        var run = 0
        let last = values.count - 1
        for (x, value) in values.enumerated() {
            precondition(value >= -limit && value < limit,
                         "RunLengthCode.encode: \(value) does not fit \(levelBits) bits")
            if value == 0 && run < maxRun && x != last {
                run += 1
                continue
            }
            if value == 0 && x == last {
                // The zeros the row ends with are left out: flag the last word that has pairs.
                if pairs > 0 { words.append(word | lastFlag) } else if let final = words.indices.last {
                    words[final] |= lastFlag
                    return (words, true)
                } else {
                    words.append(lastFlag)
                }
                return (words, false)
            }
            word |= pairField(run: run, level: value) << UInt64(pairs * pairBits)
            pairs += 1
            run = 0
            if x == last {
                words.append(word | lastFlag)
            } else if pairs == pairsPerWord {
                words.append(word)
                word = 0
                pairs = 0
            }
        }
        return (words, false)
    }

    /// Why a code is not a valid row.
    public enum DecodeError: Error, Equatable, CustomStringConvertible {
        /// A pair's run goes past the row's end.
        case runPastRow(word: Int, pair: Int)
        /// The word that completes the row is not flagged last.
        case missingLast(word: Int)
        /// A pair after the one that completes the row is not 0.
        case trailingPair(word: Int, pair: Int)
        /// The stream ends before a word flagged last.
        case truncated(words: Int, decoded: Int)

        public var description: String {
            switch self {
            case let .runPastRow(w, k): return "word \(w), pair \(k): the run goes past the end of the row"
            case let .missingLast(w): return "word \(w) completes the row but is not flagged last"
            case let .trailingPair(w, k): return "word \(w), pair \(k): a non-zero pair after the row is complete"
            case let .truncated(n, d): return "the stream ends after \(n) words and \(d) values, with no word flagged last"
            }
        }
    }

    /// Decodes one row of `width` values from the start of `words`; returns the values and the
    /// number of words the row used. A flagged word that leaves the row short ends it in zeros.
    public func decode(row words: some Collection<UInt64>, width: Int) throws(DecodeError) -> (values: [Int], words: Int) {
        var values: [Int] = []
        values.reserveCapacity(width)
        let pairMask: UInt64 = (1 << UInt64(pairBits)) - 1
        for (w, word) in words.enumerated() {
            let flagged = word & lastFlag != 0
            for k in 0..<pairsPerWord {
                let field = (word >> UInt64(k * pairBits)) & pairMask
                if values.count == width {
                    if field != 0 { throw .trailingPair(word: w, pair: k) }
                    continue
                }
                if flagged && field == 0 {
                    // The row's pairs end here; the pairs after this one are checked as trailing.
                    values += repeatElement(0, count: width - values.count)
                    continue
                }
                let (run, level) = split(field)
                if values.count + run + 1 > width { throw .runPastRow(word: w, pair: k) }
                values += repeatElement(0, count: run)
                values.append(level)
            }
            if flagged && values.count < width { values += repeatElement(0, count: width - values.count) }
            if !flagged && values.count == width { throw .missingLast(word: w) }
            if flagged { return (values, w + 1) }
        }
        throw .truncated(words: words.count, decoded: values.count)
    }

    private func pairField(run: Int, level: Int) -> UInt64 {
        let levelMask: UInt64 = (1 << UInt64(levelBits)) - 1
        return UInt64(run) | (UInt64(bitPattern: Int64(level)) & levelMask) << UInt64(runBits)
    }

    private func split(_ field: UInt64) -> (run: Int, level: Int) {
        let run = Int(field & UInt64(maxRun))
        let raw = Int(field >> UInt64(runBits))
        let unused = Int.bitWidth - levelBits
        return (run, (raw << unused) >> unused)
    }
}
