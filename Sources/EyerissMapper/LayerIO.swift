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

    public init(ifmapRLC: Bool = false, ofmapRLC: Bool = false, relu: Bool = false) {
        self.ifmapRLC = ifmapRLC
        self.ofmapRLC = ofmapRLC
        self.relu = relu
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
        if relu { f.insert(.relu) }
        return f
    }
}
