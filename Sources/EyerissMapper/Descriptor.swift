import EyerissConfig

/// Opcodes of field 0.
public enum DescriptorOpcode: UInt32, Sendable {
    case end = 0
    case pass = 1
}

/// One descriptor of the program the controller runs: `lineCount` DRAM lines when whole; in a
/// program, compact (see `Descriptor.program(_:)`).
public struct Descriptor: Equatable, Sendable {
    /// Lines of a whole descriptor.
    public static let lineCount = DescriptorField.linesPerDescriptor
    /// Fields per descriptor.
    public static let fieldCount = 2 * DescriptorField.linesPerDescriptor

    /// The raw fields, indexed by `DescriptorField.rawValue`.
    public private(set) var fields: [UInt32]

    /// The END descriptor: every field 0.
    public init() {
        fields = Array(repeating: 0, count: Self.fieldCount)
    }

    /// Decodes a descriptor; nil if there are not exactly `lineCount` lines.
    public init?(lines: [UInt64]) {
        guard lines.count == Self.lineCount else { return nil }
        fields = (0..<Self.fieldCount).map { k in UInt32(truncatingIfNeeded: lines[k / 2] >> (32 * UInt64(k % 2))) }
    }

    /// The END descriptor.
    public static let end = Descriptor()

    /// A raw field.
    public subscript(_ field: DescriptorField) -> UInt32 {
        get { fields[field.rawValue] }
        set { fields[field.rawValue] = newValue }
    }

    /// A field read as an unsigned number.
    public func value(_ field: DescriptorField) -> Int { Int(self[field]) }

    /// A field read as a two's-complement number (`yStart`).
    public func signedValue(_ field: DescriptorField) -> Int { Int(Int32(bitPattern: self[field])) }

    /// Sets a field from a number that must fit 32 bits (unsigned, or signed for `yStart`).
    public mutating func set(_ field: DescriptorField, _ value: Int) {
        precondition(value >= Int(Int32.min) && value <= Int(UInt32.max),
                     "Descriptor: field \(field) = \(value) does not fit 32 bits")
        self[field] = UInt32(truncatingIfNeeded: value)
    }

    /// The lines, field `2k` in the low half of line `k`.
    public var lines: [UInt64] {
        (0..<Self.lineCount).map { line in
            UInt64(fields[2 * line]) | UInt64(fields[2 * line + 1]) << 32
        }
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
