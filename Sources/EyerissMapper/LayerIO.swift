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
    /// The coded ifmap holds one code per channel (its `H` rows one after the other, a run may
    /// cross rows) instead of one per row. A row's code starts on a new DRAM line, which on
    /// 13-value rows with 70-80 % zeros costs about as many lines as the pairs themselves; a
    /// channel's code does not. Only for an ifmap the host codes (the store engine codes rows),
    /// and only when every ifmap tile of the mapping holds whole channels
    /// (`LayerPlan.tilesHoldWholeChannels`); `Mapper.map` rejects it otherwise.
    public var ifmapByChannel: Bool

    public init(ifmapRLC: Bool = false, ofmapRLC: Bool = false, relu: Bool = false, ifmapByChannel: Bool = false) {
        self.ifmapRLC = ifmapRLC
        self.ofmapRLC = ofmapRLC
        self.relu = relu
        self.ifmapByChannel = ifmapByChannel
    }

    private enum CodingKeys: String, CodingKey { case ifmapRLC, ofmapRLC, relu, ifmapByChannel }

    /// Reports written before `ifmapByChannel` existed have no such key: their codes were rows.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(ifmapRLC: try c.decode(Bool.self, forKey: .ifmapRLC), ofmapRLC: try c.decode(Bool.self, forKey: .ofmapRLC),
                  relu: try c.decode(Bool.self, forKey: .relu),
                  ifmapByChannel: try c.decodeIfPresent(Bool.self, forKey: .ifmapByChannel) ?? false)
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
        if ifmapByChannel { f.insert(.ifmapByChannel) }
        if ofmapRLC { f.insert(.ofmapRLC) }
        if relu { f.insert(.relu) }
        return f
    }
}
