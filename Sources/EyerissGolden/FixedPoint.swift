import EyerissConfig

/// The accelerator's fixed-point arithmetic, written down once. This is the specification:
/// the RTL's multiplier, adder and ReLU match these functions bit for bit, and every other
/// model (reference convolution, mapper checks, co-simulation checker) calls them rather than
/// re-deriving the rules.
///
/// ## Number formats
/// - **Data** (weights and activations): signed two's-complement integers of `dataBits` bits,
///   `dataRange = -2^(dataBits-1) ... 2^(dataBits-1) - 1`. The chip uses 16 bits
///   (Chen et al., JSSC 2017).
/// - **Psums** (partial sums, and the ofmap before ReLU): signed two's-complement integers of
///   `psumBits` bits, `psumRange`. The chip accumulates at 16 bits (JSSC 2017).
///
/// The binary point is implicit: the numbers are plain integers, and the per-layer `shift`
/// is where a layer's quantization says the product's binary point moves to.
///
/// ## One multiply: `product(weight:activation:shift:)`
/// 1. The full product `w * x` is exact: a signed `2 * dataBits`-bit integer.
/// 2. It is shifted right arithmetically by `shift` bits, `0 <= shift < 2 * dataBits`. That is
///    what dropping the low `shift` bits of a two's-complement number does: floor division by
///    `2^shift`, rounding toward minus infinity (so `-3 >> 1 == -2`, not `-1`). The chip keeps
///    16 of the 32 product bits, "which 16 bits are kept is chosen per layer" (JSSC 2017); the
///    shift is that choice.
/// 3. The shifted product is **saturated** to `psumRange`: a value above the maximum becomes
///    the maximum, below the minimum the minimum. In hardware: the kept window is the low
///    `psumBits` bits of the shifted product, and it is replaced by the extreme of the
///    product's sign whenever the bits above the window are not all copies of the window's top
///    bit. *(check)* The papers do not say how the chip rounds or overflows; floor rounding is
///    what truncation gives for free, and saturation is our choice, made per product so that
///    it never depends on the order in which products are summed.
///
/// ## Accumulation: `accumulate(_:_:)`
/// Psum addition **wraps** modulo `2^psumBits` (two's complement, as a plain `psumBits`-bit
/// adder does when its carry out is dropped). Wrapping addition is associative and
/// commutative, so any mapping, any folding into passes, any order of channels, filter rows
/// or PEs gives exactly the same bits. (Saturating addition would not: `(max + 1) - 1` and
/// `max + (1 - 1)` differ.) Overflow of a whole sum is thus the quantization's job, chosen
/// through `shift`; the hardware never has to reproduce an order.
///
/// ## Zeros
/// A zero weight or a zero activation gives a product of exactly 0, and `accumulate(p, 0)`
/// returns `p` unchanged. That is what lets the chip gate a zero activation: skip the filter
/// spad read and leave the psum as it is (JSSC 2017) without changing any result.
///
/// ## ReLU: `relu(_:)`
/// `max(0, x)` on a psum. It does not narrow: with the chip's `psumBits == dataBits`, an
/// ofmap value after ReLU is already a valid activation of the next layer.
public struct FixedPoint: Sendable, Equatable {
    /// Width of weights and activations, in bits.
    public let dataBits: Int
    /// Width of partial sums and of the product window kept after the shift, in bits.
    public let psumBits: Int

    /// Builds the arithmetic for the given widths. The widths obey the configuration's rules
    /// (`AcceleratorConfig.validated()`): `2 <= dataBits <= 32` (so a full product fits in a
    /// 64-bit `Int`) and `dataBits <= psumBits <= 2 * dataBits`.
    public init(dataBits: Int, psumBits: Int) {
        precondition((2...32).contains(dataBits), "FixedPoint: dataBits = \(dataBits) must be in 2...32")
        precondition((max(2, dataBits)...2 * dataBits).contains(psumBits),
                     "FixedPoint: psumBits = \(psumBits) must be in \(dataBits)...\(2 * dataBits) (dataBits = \(dataBits))")
        self.dataBits = dataBits
        self.psumBits = psumBits
    }

    /// The arithmetic of a validated configuration: its `fixedPoint` widths.
    public init(_ config: ValidConfig) {
        self.init(dataBits: config.raw.fixedPoint.dataBits, psumBits: config.raw.fixedPoint.psumBits)
    }

    // MARK: - Ranges

    /// Every value a weight or activation can take: `-2^(dataBits-1) ... 2^(dataBits-1) - 1`.
    public var dataRange: ClosedRange<Int> { Self.signedRange(bits: dataBits) }

    /// Every value a psum can take: `-2^(psumBits-1) ... 2^(psumBits-1) - 1`.
    public var psumRange: ClosedRange<Int> { Self.signedRange(bits: psumBits) }

    /// Valid product shifts: `0 ..< 2 * dataBits`, any start of the kept window in the full
    /// product (matches `ValidConfig.maxProductShift`).
    public var shiftRange: Range<Int> { 0 ..< 2 * dataBits }

    /// Whether `value` is a representable weight or activation.
    public func isValidData(_ value: Int) -> Bool { dataRange.contains(value) }

    /// Whether `value` is a representable psum.
    public func isValidPsum(_ value: Int) -> Bool { psumRange.contains(value) }

    // MARK: - Arithmetic

    /// One multiplier: the full product `weight * activation`, arithmetically shifted right by
    /// `shift` (floor division by `2^shift`), then saturated to `psumRange`.
    ///
    /// Both operands must be valid data and `shift` must be in `shiftRange`; anything else is a
    /// programming error and stops with a message.
    public func product(weight: Int, activation: Int, shift: Int) -> Int {
        precondition(isValidData(weight), "FixedPoint.product: weight \(weight) is outside the \(dataBits)-bit data range \(dataRange)")
        precondition(isValidData(activation),
                     "FixedPoint.product: activation \(activation) is outside the \(dataBits)-bit data range \(dataRange)")
        precondition(shiftRange.contains(shift), "FixedPoint.product: shift \(shift) must be in 0..<\(2 * dataBits)")
        // |w * x| <= 2^(2*dataBits - 2) <= 2^62: exact in Int. `>>` on Int is arithmetic.
        return saturatePsum((weight * activation) >> shift)
    }

    /// One adder: `a + b` wrapped modulo `2^psumBits` into `psumRange` (two's complement).
    /// Associative and commutative, so the order of accumulation never matters.
    public func accumulate(_ a: Int, _ b: Int) -> Int {
        wrapPsum(a &+ b)
    }

    /// ReLU on a psum: `max(0, x)`.
    public func relu(_ x: Int) -> Int { max(0, x) }

    /// The low `psumBits` bits of `value`, read as a signed number: what a `psumBits`-wide
    /// register keeps. Exact for any `Int`, because `psumBits <= 64`.
    public func wrapPsum(_ value: Int) -> Int {
        let unused = Int.bitWidth - psumBits
        return (value << unused) >> unused
    }

    /// `value` clamped to `psumRange`.
    public func saturatePsum(_ value: Int) -> Int {
        min(max(value, psumRange.lowerBound), psumRange.upperBound)
    }

    /// The two's-complement range of `bits` bits (1...64), computed without overflowing even
    /// at 64 bits.
    private static func signedRange(bits: Int) -> ClosedRange<Int> {
        let unused = Int.bitWidth - bits
        return (Int.min >> unused)...(Int.max >> unused)
    }
}
