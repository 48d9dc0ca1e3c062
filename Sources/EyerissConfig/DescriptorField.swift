/// The fields of a pass descriptor (docs/architecture.md, section 5) and where they lie in its
/// 64-bit DRAM lines.
///
/// The one definition of the descriptor format: the mapper packs descriptors with it and the
/// controller generator decodes them with it.
///
/// In DRAM a descriptor is compact: line 0, then only the lines its predecessor's `nextLines`
/// names (the first descriptor of a program is whole); lines left out keep the previous
/// descriptor's values. So the fields are ordered by how often they change from one pass to the
/// next (measured on AlexNet at batch 4), and each is only as wide as it must be, so that what
/// changes shares few lines: line 0 holds what changes every pass (flags, psum tile, tile slot)
/// beside the opcode and the mask; then the tile addresses, a later filter block's part, the row
/// window, the filter block, the geometry, and the layer's constants.
public enum DescriptorField: Int, CaseIterable, Sendable {
    case opcode = 0, nextLines, flags
    /// First line of the pass's psum tile in the fmap banks (bank x bankWords + line): its bank
    /// is the first the psum region takes in this pass, and tiles may start inside a bank, so
    /// that open tiles pack the banks (2026-12-06; it was the first bank, `psumBank`).
    case psumLine
    case ifmapBase
    case ifmapAddress, ofmapAddress
    case nextFilterAddress, nextFilterLines, nextFilterBase
    case yStart, yCount, epass
    case e, filterLines, filterAddress
    case yLo, nRows, p, q
    case rc, r, t, jobRows
    /// The product shift, and the columns from one filter group's first column to the next's
    /// (`PassGeometry.pitch`): 8 bits each, in the line of the PE job's other constants.
    case s, stride, f, shift, pitch
    case pad, w, h, wl
    case ifmapChannelLines, ofmapPlaneLines
    case fl, step
    /// Rows per ifmap code (1 raw or a code per row) and codes per channel of the tile.
    case ifmapCodeRows, ifmapTileCodes
    case ifmapRowLines, ofmapRowLines
    /// Rows per channel the tile load brings, and the ring place of the tile's first row.
    case ifmapLoadRows, ifmapRowPhase
}

extension DescriptorField {
    /// Bits of a descriptor line (a DRAM line).
    public static let lineBits = 64

    /// Bits of the field in DRAM. DRAM line addresses and the lines of an fmap plane take 32;
    /// buffer lines take what `AcceleratorConfig.validated()` allows (18 for the fmap banks'
    /// lines, so that the psum tile's and the ifmap slot's first lines share line 0 with the
    /// opcode, the mask and the flags; 16 for the filter buffer's); counts of the PE array, of rows and columns, and the
    /// lines of a row's slot take 16, as the hardware's count registers do. The mapper rejects a
    /// mapping with a value that does not fit.
    public var bits: Int {
        switch self {
        case .opcode: return 4
        case .nextLines, .flags: return 12
        case .shift, .pitch: return 8
        case .psumLine, .ifmapBase: return 18
        case .ifmapAddress, .ofmapAddress, .nextFilterAddress, .filterAddress, .yStart, .ifmapChannelLines,
             .ofmapPlaneLines:
            return 32
        default: return 16
        }
    }

    /// Whether the field is two's complement (`yStart`, the first row counting padding).
    public var isSigned: Bool { self == .yStart }

    /// The values the field holds.
    public var range: ClosedRange<Int> {
        isSigned ? -(1 << (bits - 1))...((1 << (bits - 1)) - 1) : 0...((1 << bits) - 1)
    }

    /// (line, first bit) of every field: in order, each in the line of the one before when it
    /// still fits there, else from bit 0 of the next line.
    private static let placement: [(line: Int, offset: Int)] = {
        var out: [(line: Int, offset: Int)] = []
        var (line, offset) = (0, 0)
        for field in allCases {
            if offset + field.bits > lineBits { (line, offset) = (line + 1, 0) }
            out.append((line, offset))
            offset += field.bits
        }
        return out
    }()

    /// The line a field is in.
    public var line: Int { Self.placement[rawValue].line }
    /// The field's lowest bit in its line.
    public var offset: Int { Self.placement[rawValue].offset }

    /// DRAM lines of a whole descriptor (at most `nextLines.bits`: the mask names each).
    public static let linesPerDescriptor = placement.last!.line + 1
}
