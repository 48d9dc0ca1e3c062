import EyerissGolden

/// How a layer's fmaps travel: raw or run-length coded in DRAM, and whether the ofmap passes
/// through ReLU on its way out (JSSC 2017: every fmap is coded except the first layer's input;
/// ofmaps go buffer -> ReLU -> encoder -> DRAM). Chosen by the host per layer.
public struct LayerIO: Equatable, Sendable, Codable {
    /// The ifmap in DRAM is run-length coded.
    public var ifmapRLC: Bool
    /// The ofmap is written run-length coded.
    public var ofmapRLC: Bool
    /// ReLU on the ofmap.
    public var relu: Bool
    /// Rows of a channel per ifmap code: 1 (a code per row) or more, `H` or more for a code per
    /// channel. A code starts on a new DRAM line, which on 13-value rows with 70-80 % zeros
    /// costs about as many lines as the pairs themselves; a code of several rows (a run may go
    /// on into the next row) loses at most part of a line per code. Every ifmap tile of the
    /// mapping must hold whole codes (`LayerPlan.tilesHoldWholeCodes`): `Mapper.map` takes the
    /// best ranked geometry whose tiles do, and rejects the layer when none does. The plan keeps
    /// it at most `H`.
    public var ifmapCodeRows: Int
    /// Each store codes a filter's rows of its row chunk as one code, not a code per row, when
    /// the mapping's row chunks are all as tall but the last (`DRAMLayout.ofmapRowsPerSlot`
    /// says whether the plan could); the next layer then reads it with `ifmapCodeRows` that tall.
    public var ofmapCodeByRowChunk: Bool
    /// The store engine pools each ofmap row (`RowPool`, after ReLU, before the code): the ofmap
    /// in DRAM has rows of `RowPool.outputs(width: F)` values. Nil: rows of `F` values.
    public var rowPool: RowPool?

    /// `ifmapCodeRows` for a code per channel.
    public static let codePerChannel = Int(Int32.max)

    public init(ifmapRLC: Bool = false, ofmapRLC: Bool = false, relu: Bool = false, ifmapCodeRows: Int = 1,
                ofmapCodeByRowChunk: Bool = false, rowPool: RowPool? = nil) {
        self.ifmapRLC = ifmapRLC
        self.ofmapRLC = ofmapRLC
        self.relu = relu
        self.ifmapCodeRows = ifmapCodeRows
        self.ofmapCodeByRowChunk = ofmapCodeByRowChunk
        self.rowPool = rowPool
    }

    private enum CodingKeys: String, CodingKey { case ifmapRLC, ofmapRLC, relu, ifmapCodeRows, ofmapCodeByRowChunk, rowPool }

    /// Reports written before codes of several rows existed have no such keys: a code per row;
    /// nor those before the row pool: none.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(ifmapRLC: try c.decode(Bool.self, forKey: .ifmapRLC), ofmapRLC: try c.decode(Bool.self, forKey: .ofmapRLC),
                  relu: try c.decode(Bool.self, forKey: .relu),
                  ifmapCodeRows: try c.decodeIfPresent(Int.self, forKey: .ifmapCodeRows) ?? 1,
                  ofmapCodeByRowChunk: try c.decodeIfPresent(Bool.self, forKey: .ofmapCodeByRowChunk) ?? false,
                  rowPool: try c.decodeIfPresent(RowPool.self, forKey: .rowPool))
    }

    /// Raw psums in, raw psums out, no ReLU: what a single layer checks most directly.
    public static let raw = LayerIO()
    /// A hidden layer of a network: coded in, ReLU, coded out.
    public static let hidden = LayerIO(ifmapRLC: true, ofmapRLC: true, relu: true)
    /// The first layer of a network: a raw image in, ReLU, coded out.
    public static let first = LayerIO(ifmapRLC: false, ofmapRLC: true, relu: true)

    /// The flags every pass of the layer carries.
    var flags: PassFlags {
        var f: PassFlags = []
        if ifmapRLC { f.insert(.ifmapRLC) }
        if ofmapRLC { f.insert(.ofmapRLC) }
        if ofmapRLC && ofmapCodeByRowChunk { f.insert(.ofmapByRowChunk) }
        if relu { f.insert(.relu) }
        if let rowPool {
            f.insert(.rowPool)
            if rowPool == .three { f.insert(.rowPoolThree) }
        }
        return f
    }
}
