/// The shape of one processing pass on the PE array (docs/architecture.md, section 2): how
/// many channels and filters each PE interleaves, how the logical PE sets are laid out, and
/// what every active PE's 1-D convolution job looks like. All values are uniform inside a pass.
///
/// PE `(ρ, c)` is active iff `ρ < rc * r`, `c / pitch < t` and `c % pitch < e`; its channel
/// set is `ρ / rc`, its filter row in the chunk `ρ % rc`, its filter group `c / pitch` and its
/// strip column `c % pitch`. The pitch is `e` but for the narrower row chunks of a layer, whose
/// filter groups start where the widest chunk's do (so their PEs hold the same filters).
public struct PassGeometry: Hashable, Sendable {
    /// Filter width `S`: taps of one filter row.
    public var s: Int
    /// Convolution stride, the same in both dimensions.
    public var stride: Int
    /// Outputs per row `F` (every output column of the layer).
    public var f: Int
    /// Channels interleaved in each PE (`q * s <= ifmapSpadWords`).
    public var q: Int
    /// Filters interleaved in each PE (`p * q * s <= filterSpadWords`, `p <= psumSpadWords`).
    public var p: Int
    /// Filter rows in this pass (`Rc`): the height of one PE set.
    public var rc: Int
    /// Channel sets stacked vertically (`rc * r <= rows`); psums chain up through all of them.
    public var r: Int
    /// Strip columns: output rows computed side by side by one filter group (`e * t <= columns`).
    public var e: Int
    /// Filter groups placed side by side.
    public var t: Int
    /// Columns from one filter group's first column to the next's: `e`, or more for a row chunk
    /// narrower than the layer's widest (`pitch * t <= columns`).
    public var pitch: Int
    /// Strips (job rows) each PE computes in this pass.
    public var jobRows: Int
    /// Product shift of the layer.
    public var shift: Int
    /// Zero padding of the layer, on each side.
    public var pad: Int

    public init(s: Int, stride: Int, f: Int, q: Int, p: Int, rc: Int, r: Int, e: Int, t: Int,
                jobRows: Int, shift: Int, pad: Int, pitch: Int? = nil) {
        self.s = s
        self.stride = stride
        self.f = f
        self.q = q
        self.p = p
        self.rc = rc
        self.r = r
        self.e = e
        self.t = t
        self.pitch = pitch ?? e
        self.jobRows = jobRows
        self.shift = shift
        self.pad = pad
    }

    /// Whether the PEs a feed of this geometry filled hold, each, exactly the filter words
    /// `other` needs from the same block: the same words per PE (`S`, `q`, `p`) in the same PE
    /// rows (`Rc`, `r`) and filter groups (`t`), each active column of `other` in a group this
    /// feed filled. Column `c` takes group `c / pitch` and is active while `c % pitch < e`: so
    /// the same pitch (any, with a single filter group: every column the same words) and an
    /// `other` no wider. Job rows, stride and the rest do not touch the filter spads.
    public func holdsFilters(of other: PassGeometry) -> Bool {
        guard s == other.s, q == other.q, p == other.p, rc == other.rc, r == other.r, t == other.t else { return false }
        return (t == 1 || pitch == other.pitch) && other.e <= e
    }

    /// New ifmap columns per output once the first window is in the spad: `min(stride, S)`.
    public var step: Int { min(stride, s) }
    /// Diagonal ifmap rows a job row reads, the ifmap GIN column tags: `(e-1)*stride + rc`.
    public var yCount: Int { (e - 1) * stride + rc }
    /// Output rows of the pass: `Epass = e * jobRows`.
    public var epass: Int { e * jobRows }
    /// Input channels of the pass: `q * r`.
    public var channels: Int { q * r }
    /// Filters (output channels) of the pass: `p * t`.
    public var filters: Int { p * t }
    /// Filters the store engine codes at once, each from its own word of one psum-tile line:
    /// two when `p` is even (a filter pair then never straddles a line), else one.
    public func storeFilters(lanes: Int) -> Int { lanes >= 2 && p % 2 == 0 ? 2 : 1 }
    /// Active PE rows: `rc * r`.
    public var activeRows: Int { rc * r }
    /// Active PE columns (how many; they lie at `pitch`): `e * t`.
    public var activeColumns: Int { e * t }
    /// Active PEs: `rc * r * e * t`.
    public var activePEs: Int { activeRows * activeColumns }
    /// Ifmap columns the feeder sends per job row: the first window `S`, then `step` per output.
    public var inputColumns: Int { s + (f - 1) * step }
    /// Filter words the filter feeder sends: `t * rc * r * S * q * p`.
    public var filterWords: Int { t * activeRows * s * q * p }
    /// Filter words in one line of the filter block, which the filter network delivers in one
    /// cycle, each word to a different PE row (docs/architecture.md, section 4).
    public func filterWordsPerLine(lanes: Int) -> Int { Self.filterWordsPerLine(lanes: lanes, activeRows: activeRows) }
    /// Lines of the pass's filter block: the filter feeder sends one per cycle.
    public func filterLines(lanes: Int) -> Int {
        Self.filterLines(lanes: lanes, groups: t, activeRows: activeRows, wordsPerPE: s * q * p)
    }

    /// `min(lanes, activeRows)`: a line never holds two words for the same PE row.
    public static func filterWordsPerLine(lanes: Int, activeRows: Int) -> Int { min(lanes, activeRows) }
    /// Per filter group, its `activeRows * wordsPerPE` words packed `filterWordsPerLine` to a
    /// line; every group starts on a new line (its words go to other columns).
    public static func filterLines(lanes: Int, groups: Int, activeRows: Int, wordsPerPE: Int) -> Int {
        let perLine = filterWordsPerLine(lanes: lanes, activeRows: activeRows)
        return groups * ((activeRows * wordsPerPE + perLine - 1) / perLine)
    }
    /// Psum tile lines of one row of a filter group: `ceil(p * F / lanes)`. The tile holds the
    /// row as the stream one PE column sends (`f`, then `k`), `lanes` words to a line
    /// (docs/architecture.md, section 3), so the output and psum networks move a line of a
    /// column's psums per cycle.
    public func psumRowLines(lanes: Int) -> Int { Self.psumRowLines(lanes: lanes, p: p, f: f) }
    public static func psumRowLines(lanes: Int, p: Int, f: Int) -> Int { (p * f + lanes - 1) / lanes }
    /// Lines of the pass's psum tile: `Epass * t * ceil(p * F / lanes)`.
    public func psumTileLines(lanes: Int) -> Int { epass * t * psumRowLines(lanes: lanes) }
    /// Lines the output network writes (and the psum network reads, when the pass accumulates):
    /// `jobRows * e * t * ceil(p * F / lanes)`.
    public func psumNetworkLines(lanes: Int) -> Int { jobRows * activeColumns * psumRowLines(lanes: lanes) }
    /// MACs of one active PE: `jobRows * F * p * q * S` (padding positions included).
    public var macsPerPE: Int { jobRows * f * p * q * s }
    /// MACs of the whole pass: every active PE does the same work.
    public var macs: Int { activePEs * macsPerPE }
}
