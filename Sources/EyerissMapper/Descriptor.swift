import EyerissConfig

/// Opcodes of field 0.
public enum DescriptorOpcode: UInt32, Sendable {
    case end = 0
    case pass = 1
}

/// One descriptor of the program the controller runs: `lineCount` DRAM lines.
public struct Descriptor: Equatable, Sendable {
    /// Lines per descriptor.
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
}
