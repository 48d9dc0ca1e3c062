import EyerissConfig

/// Opcodes of field 0.
public enum DescriptorOpcode: UInt32, Sendable {
    case end = 0
    case pass = 1
}

/// One descriptor of the program the controller runs: `lineCount` DRAM lines when whole; in a
/// program, compact (see `Descriptor.program(_:)`). Where each field lies is
/// `DescriptorField`'s.
public struct Descriptor: Equatable, Sendable {
    /// Lines of a whole descriptor.
    public static let lineCount = DescriptorField.linesPerDescriptor
    /// Fields per descriptor.
    public static let fieldCount = DescriptorField.allCases.count

    /// The raw fields (as many low bits as the field has), indexed by `DescriptorField.rawValue`.
    public private(set) var fields: [UInt32]

    /// The END descriptor: every field 0.
    public init() {
        fields = Array(repeating: 0, count: Self.fieldCount)
    }

    /// Decodes a descriptor; nil if there are not exactly `lineCount` lines.
    public init?(lines: [UInt64]) {
        guard lines.count == Self.lineCount else { return nil }
        fields = DescriptorField.allCases.map { f in
            UInt32(truncatingIfNeeded: (lines[f.line] >> UInt64(f.offset)) & Self.mask(f))
        }
    }

    /// The END descriptor.
    public static let end = Descriptor()

    /// The low `bits` bits (at most 32) of a field's line.
    private static func mask(_ field: DescriptorField) -> UInt64 { (1 << UInt64(field.bits)) - 1 }

    /// A raw field.
    public subscript(_ field: DescriptorField) -> UInt32 {
        get { fields[field.rawValue] }
        set { fields[field.rawValue] = newValue }
    }

    /// A field read as an unsigned number.
    public func value(_ field: DescriptorField) -> Int { Int(self[field]) }

    /// A field read as a two's-complement number of its width (`yStart`).
    public func signedValue(_ field: DescriptorField) -> Int {
        let v = value(field), sign = 1 << (field.bits - 1)
        return v & sign != 0 ? v - 2 * sign : v
    }

    /// Sets a field from a number in its range (`DescriptorField.range`; the mapper rejects
    /// layers and configurations whose values would not fit).
    public mutating func set(_ field: DescriptorField, _ value: Int) {
        precondition(field.range.contains(value), "Descriptor: field \(field) = \(value) does not fit its \(field.bits) bits")
        self[field] = UInt32(truncatingIfNeeded: UInt64(bitPattern: Int64(value)) & Self.mask(field))
    }

    /// The lines, each field at its place (`DescriptorField.line`, `.offset`).
    public var lines: [UInt64] {
        var out = Array(repeating: UInt64(0), count: Self.lineCount)
        for f in DescriptorField.allCases { out[f.line] |= UInt64(self[f]) << UInt64(f.offset) }
        return out
    }

    /// Fields the controller reads only for something this pass does not do, with what it must
    /// do for them to be read (docs/architecture.md, section 5): the tile's DRAM address and rows loaded only to
    /// load the tile, the ofmap address only to start the store (the store engine takes it
    /// then), the later filter block's address and buffer line only to load some of its lines.
    /// The mapper gives such a field the value of the pass before, so that a compact program does
    /// not send a line for it.
    public mutating func holdUnusedFields(from previous: Descriptor) {
        let flags = PassFlags(rawValue: value(.flags))
        var held: [DescriptorField] = []
        if !flags.contains(.loadIfmaps) { held += [.ifmapAddress, .ifmapLoadRows] }
        if !flags.contains(.store) { held.append(.ofmapAddress) }
        if value(.nextFilterLines) == 0 { held += [.nextFilterAddress, .nextFilterBase] }
        for field in held { self[field] = previous[field] }
    }

    /// Line masks (bit `k`: line `k`) that name every line of a descriptor.
    public static let allLines = (1 << lineCount) - 1

    /// The lines a descriptor sends after `previous`: line 0 (opcode and `nextLines`), and every
    /// line in which it differs.
    public func changedLines(from previous: Descriptor) -> Int {
        let mine = lines, theirs = previous.lines
        return (1..<Self.lineCount).reduce(1) { mask, k in mine[k] != theirs[k] ? mask | 1 << k : mask }
    }

    /// The lines each of `descriptors` and the END after them takes in a program: all of them
    /// for the first, then line 0 and the lines in which it differs from the one before (END:
    /// line 0 alone).
    public static func lineMasks(_ descriptors: [Descriptor]) -> [Int] {
        guard !descriptors.isEmpty else { return [allLines] }
        return descriptors.indices.map { k in k == 0 ? allLines : descriptors[k].changedLines(from: descriptors[k - 1]) } + [1]
    }

    /// The program as it lies in DRAM: `descriptors`, then END (docs/architecture.md, section 5),
    /// each with the lines of `lineMasks(_:)`, in line order; each descriptor names the lines of
    /// the next in `nextLines`. Most passes change only their tile addresses and flags, so a
    /// descriptor takes a few lines, not `lineCount`.
    public static func program(_ descriptors: [Descriptor]) -> [UInt64] {
        let masks = lineMasks(descriptors)
        var lines: [UInt64] = []
        for (k, var d) in (descriptors + [Descriptor.end]).enumerated() {
            if k < descriptors.count { d.set(.nextLines, masks[k + 1]) }
            let all = d.lines
            for line in 0..<lineCount where masks[k] & 1 << line != 0 { lines.append(all[line]) }
        }
        return lines
    }
}
