/// A typed hardware expression. Width and signedness belong to the value, so mismatches are
/// caught in Swift, at the generator's line, instead of as a wrong bit a million cycles later.
///
/// Binary operators require equal widths and signedness; resizing is always explicit
/// (`zeroExtended(to:)`, `signExtended(to:)`, `truncated(to:)`).
public struct Expr: Sendable, CustomStringConvertible {
    public indirect enum Kind: Sendable {
        case signal(String)
        case literal(UInt64)
        case memRead(String, Expr)
        case slice(String, hi: Int, lo: Int)
        case unary(String, Expr)
        case binary(String, Expr, Expr)
        case mux(Expr, Expr, Expr)
        case concat([Expr])
        case replicate(Int, Expr)
        case cast(signed: Bool, Expr)
        /// A named constant (a typed localparam of the module).
        case constant(String)
        /// `$past(value)`: the value at the previous clock edge. Only assertions may read it.
        case past(Expr)
    }

    public let kind: Kind
    public let width: Int
    public let signed: Bool

    init(_ kind: Kind, width: Int, signed: Bool = false) {
        precondition(width >= 1, "HDL: expression width must be at least 1, got \(width)")
        self.kind = kind
        self.width = width
        self.signed = signed
    }

    public var description: String { VerilogPrinter.expr(self) }

    /// The name of the signal this expression is, if it is a plain signal reference.
    public var signalName: String? {
        if case let .signal(name) = kind { return name }
        return nil
    }

    // MARK: Literals

    /// A sized literal. Negative values are allowed for signed literals (two's complement).
    public static func lit(_ value: Int, width: Int, signed: Bool = false,
                           file: StaticString = #fileID, line: UInt = #line) -> Expr {
        let fits: Bool
        if signed {
            let lo = width >= 64 ? Int.min : -(1 << (width - 1))
            let hi = width >= 64 ? Int.max : (1 << (width - 1)) - 1
            fits = value >= lo && value <= hi
        } else {
            fits = value >= 0 && (width >= 63 || value < (1 << width))
        }
        precondition(fits, "HDL: literal \(value) does not fit \(signed ? "signed" : "unsigned") \(width) bits (\(file):\(line))")
        let mask: UInt64 = width >= 64 ? .max : (1 << UInt64(width)) - 1
        return Expr(.literal(UInt64(bitPattern: Int64(value)) & mask), width: width, signed: signed)
    }

    public static let one = Expr.lit(1, width: 1)
    public static let zero = Expr.lit(0, width: 1)

    /// A literal sized like `other`.
    public static func lit(_ value: Int, like other: Expr) -> Expr {
        .lit(value, width: other.width, signed: other.signed)
    }

    // MARK: Selection and resizing

    /// `name[hi:lo]` of a plain signal (Verilog cannot slice an arbitrary expression).
    public func bits(_ hi: Int, _ lo: Int, file: StaticString = #fileID, line: UInt = #line) -> Expr {
        guard let name = signalName else {
            preconditionFailure("HDL: can only slice a named signal; assign \(self) to a signal first (\(file):\(line))")
        }
        precondition(hi >= lo && lo >= 0 && hi < width, "HDL: slice [\(hi):\(lo)] out of range for \(name) of width \(width) (\(file):\(line))")
        if hi == width - 1 && lo == 0 && !signed { return self }
        return Expr(.slice(name, hi: hi, lo: lo), width: hi - lo + 1)
    }

    public func bit(_ index: Int, file: StaticString = #fileID, line: UInt = #line) -> Expr {
        bits(index, index, file: file, line: line)
    }

    public func zeroExtended(to newWidth: Int, file: StaticString = #fileID, line: UInt = #line) -> Expr {
        precondition(newWidth >= width, "HDL: cannot zero-extend width \(width) to \(newWidth) (\(file):\(line))")
        if newWidth == width { return asUnsigned }
        return Expr(.concat([.lit(0, width: newWidth - width), self]), width: newWidth)
    }

    /// Sign-extends a signed signal; the result is signed.
    public func signExtended(to newWidth: Int, file: StaticString = #fileID, line: UInt = #line) -> Expr {
        precondition(newWidth >= width, "HDL: cannot sign-extend width \(width) to \(newWidth) (\(file):\(line))")
        if newWidth == width { return asSigned }
        let msb = bit(width - 1, file: file, line: line)
        let fill = Expr(.replicate(newWidth - width, msb), width: newWidth - width)
        return Expr(.cast(signed: true, Expr(.concat([fill, self]), width: newWidth)), width: newWidth, signed: true)
    }

    /// Keeps the low `newWidth` bits of a signal.
    public func truncated(to newWidth: Int, file: StaticString = #fileID, line: UInt = #line) -> Expr {
        precondition(newWidth <= width, "HDL: cannot truncate width \(width) to \(newWidth) (\(file):\(line))")
        let r = bits(newWidth - 1, 0, file: file, line: line)
        return signed ? r.asSigned : r
    }

    /// Zero-extends or truncates to `newWidth` (for counters and indices whose range is known).
    public func resized(to newWidth: Int, file: StaticString = #fileID, line: UInt = #line) -> Expr {
        newWidth >= width ? zeroExtended(to: newWidth, file: file, line: line)
                          : truncated(to: newWidth, file: file, line: line)
    }

    public var asSigned: Expr { signed ? self : Expr(.cast(signed: true, self), width: width, signed: true) }
    public var asUnsigned: Expr { signed ? Expr(.cast(signed: false, self), width: width) : self }

    // MARK: Operators

    static func same(_ op: String, _ l: Expr, _ r: Expr, _ file: StaticString, _ line: UInt) {
        precondition(l.width == r.width, "HDL: '\(op)' needs equal widths, got \(l.width) (\(l)) and \(r.width) (\(r)) (\(file):\(line))")
        precondition(l.signed == r.signed, "HDL: '\(op)' needs equal signedness: \(l) and \(r) (\(file):\(line))")
    }

    static func arith(_ op: String, _ l: Expr, _ r: Expr, _ file: StaticString, _ line: UInt) -> Expr {
        same(op, l, r, file, line)
        return Expr(.binary(op, l, r), width: l.width, signed: l.signed)
    }

    static func compare(_ op: String, _ l: Expr, _ r: Expr, _ file: StaticString, _ line: UInt) -> Expr {
        same(op, l, r, file, line)
        return Expr(.binary(op, l, r), width: 1)
    }

    public static func + (l: Expr, r: Expr) -> Expr { arith("+", l, r, #fileID, #line) }
    public static func - (l: Expr, r: Expr) -> Expr { arith("-", l, r, #fileID, #line) }
    /// Multiplication keeps the operand width: extend the operands first for a full product.
    public static func * (l: Expr, r: Expr) -> Expr { arith("*", l, r, #fileID, #line) }
    public static func & (l: Expr, r: Expr) -> Expr { arith("&", l, r, #fileID, #line) }
    public static func | (l: Expr, r: Expr) -> Expr { arith("|", l, r, #fileID, #line) }
    public static func ^ (l: Expr, r: Expr) -> Expr { arith("^", l, r, #fileID, #line) }
    public static func + (l: Expr, r: Int) -> Expr { l + .lit(r, like: l) }
    public static func - (l: Expr, r: Int) -> Expr { l - .lit(r, like: l) }
    public static prefix func ~ (e: Expr) -> Expr { Expr(.unary("~", e), width: e.width, signed: e.signed) }
    /// Logical not of a 1-bit value.
    public static prefix func ! (e: Expr) -> Expr {
        precondition(e.width == 1, "HDL: '!' takes a 1-bit value, got \(e.width) bits: \(e)")
        return Expr(.unary("!", e), width: 1)
    }
    public static func && (l: Expr, r: Expr) -> Expr {
        precondition(l.width == 1 && r.width == 1, "HDL: '&&' takes 1-bit values: \(l), \(r)")
        return Expr(.binary("&&", l, r), width: 1)
    }
    public static func || (l: Expr, r: Expr) -> Expr {
        precondition(l.width == 1 && r.width == 1, "HDL: '||' takes 1-bit values: \(l), \(r)")
        return Expr(.binary("||", l, r), width: 1)
    }

    public func eq(_ r: Expr, file: StaticString = #fileID, line: UInt = #line) -> Expr { Self.compare("==", self, r, file, line) }
    public func ne(_ r: Expr, file: StaticString = #fileID, line: UInt = #line) -> Expr { Self.compare("!=", self, r, file, line) }
    public func lt(_ r: Expr, file: StaticString = #fileID, line: UInt = #line) -> Expr { Self.compare("<", self, r, file, line) }
    public func le(_ r: Expr, file: StaticString = #fileID, line: UInt = #line) -> Expr { Self.compare("<=", self, r, file, line) }
    public func gt(_ r: Expr, file: StaticString = #fileID, line: UInt = #line) -> Expr { Self.compare(">", self, r, file, line) }
    public func ge(_ r: Expr, file: StaticString = #fileID, line: UInt = #line) -> Expr { Self.compare(">=", self, r, file, line) }
    public func eq(_ r: Int) -> Expr { eq(.lit(r, like: self)) }
    public func ne(_ r: Int) -> Expr { ne(.lit(r, like: self)) }

    /// Arithmetic shift right of a signed value by an unsigned amount.
    public func shiftedRightArithmetic(by amount: Expr) -> Expr {
        precondition(signed && !amount.signed, "HDL: '>>>' needs a signed value and an unsigned amount: \(self), \(amount)")
        return Expr(.binary(">>>", self, amount), width: width, signed: true)
    }

    public func shiftedLeft(by amount: Expr) -> Expr {
        precondition(!amount.signed, "HDL: shift amount must be unsigned: \(amount)")
        return Expr(.binary("<<", self, amount), width: width, signed: signed)
    }

    /// Reduction OR: 1 when any bit is set.
    public var anySet: Expr { Expr(.unary("|", self), width: 1) }
    /// Reduction NOR: 1 when every bit is clear.
    public var isZero: Expr { Expr(.unary("~|", self), width: 1) }

    public static func mux(_ sel: Expr, _ whenTrue: Expr, _ whenFalse: Expr,
                           file: StaticString = #fileID, line: UInt = #line) -> Expr {
        precondition(sel.width == 1, "HDL: mux select must be 1 bit, got \(sel.width): \(sel) (\(file):\(line))")
        same("?:", whenTrue, whenFalse, file, line)
        return Expr(.mux(sel, whenTrue, whenFalse), width: whenTrue.width, signed: whenTrue.signed)
    }

    /// `$past(value)`: what `value` was at the previous rising edge of `clk_i`. For protocol
    /// assertions only (`ModuleBuilder.assertion`): logic that reads it is an elaboration error,
    /// because synthesis never sees the assertions that give it a meaning.
    public static func past(_ value: Expr) -> Expr {
        Expr(.past(value), width: value.width, signed: value.signed)
    }

    /// True when `$past` appears anywhere in the expression.
    public var readsPast: Bool {
        switch kind {
        case .past: return true
        case .signal, .literal, .slice, .constant: return false
        case let .memRead(_, i): return i.readsPast
        case let .unary(_, a), let .replicate(_, a), let .cast(_, a): return a.readsPast
        case let .binary(_, a, b): return a.readsPast || b.readsPast
        case let .mux(s, a, b): return s.readsPast || a.readsPast || b.readsPast
        case let .concat(parts): return parts.contains { $0.readsPast }
        }
    }

    /// `{parts[0], parts[1], ...}`: the first part is the most significant.
    public static func concat(_ parts: [Expr]) -> Expr {
        precondition(!parts.isEmpty, "HDL: empty concatenation")
        // A concatenation is unsigned whatever its parts are, so the parts need no casts.
        if parts.count == 1 { return parts[0].asUnsigned }
        return Expr(.concat(parts), width: parts.reduce(0) { $0 + $1.width })
    }
}
