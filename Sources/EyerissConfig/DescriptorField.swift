/// Field numbers of a pass descriptor (docs/architecture.md, section 5): 37 fields of 32 bits,
/// field `k` in line `k / 2`, bits `32 * (k % 2) +: 32`.
///
/// The one definition of the descriptor format: the mapper packs descriptors with it and the
/// controller generator decodes them with it.
public enum DescriptorField: Int, CaseIterable, Sendable {
    case opcode = 0, flags, s, stride, f, q, p, rc, r, e, t, jobRows, shift, pad, w, h
    case yStart, yLo, nRows, wl, yCount, filterAddress, filterLines, ifmapAddress
    case ifmapChannelLines, psumBank, epass, fl, ofmapAddress, ofmapPlaneLines, step, ifmapRowLines
    case ofmapRowLines, ifmapBase, nextFilterAddress, nextFilterLines, nextFilterBase
}

extension DescriptorField {
    /// DRAM lines of one descriptor.
    public static let linesPerDescriptor = (allCases.count + 1) / 2
}
