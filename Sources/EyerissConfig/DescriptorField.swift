/// Field numbers of a pass descriptor (docs/architecture.md, section 5): 40 fields of 32 bits,
/// field `k` in line `k / 2`, bits `32 * (k % 2) +: 32`.
///
/// The one definition of the descriptor format: the mapper packs descriptors with it and the
/// controller generator decodes them with it.
///
/// In DRAM a descriptor is compact: line 0, then only the lines its predecessor's `nextLines`
/// names (the first descriptor of a program is whole); lines left out keep the previous
/// descriptor's values. So the fields are ordered by how often they change from one pass to the
/// next (measured on AlexNet at batch 4): the tile addresses every pass, the filter block and
/// row window per chunk, the geometry per short chunk, the layer's constants never.
public enum DescriptorField: Int, CaseIterable, Sendable {
    case opcode = 0, nextLines
    case flags, ifmapBase, ifmapAddress, ofmapAddress, psumBank, nextFilterAddress, nextFilterLines, nextFilterBase
    case filterAddress, filterLines, yStart, yLo, nRows, yCount, epass, e
    case p, q, rc, r, t, jobRows
    case s, stride, f, shift, pad, w, h, wl, ifmapChannelLines, fl, ofmapPlaneLines, step, ifmapRowLines, ofmapRowLines
    /// Rows per ifmap code (1 raw or a code per row) and codes per channel of the tile.
    case ifmapCodeRows, ifmapTileCodes
}

extension DescriptorField {
    /// DRAM lines of a whole descriptor.
    public static let linesPerDescriptor = (allCases.count + 1) / 2
    /// The line a field is in.
    public var line: Int { rawValue / 2 }
}
