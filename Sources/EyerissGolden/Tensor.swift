/// A four-dimensional array of integers, `[d0][d1][d2][d3]`, stored row-major (the last index
/// varies fastest). The golden model's ifmaps (`[n][c][h][w]`), filters (`[m][c/groups][r][s]`)
/// and ofmaps/psums (`[n][m][e][f]`) are all of this type.
public struct Tensor4: Equatable, Sendable {
    /// The four extents, outermost first.
    public let dims: [Int]
    /// The elements in row-major order; `values.count == count`.
    public private(set) var values: [Int]

    /// Number of elements: the product of the extents.
    public var count: Int { values.count }

    /// A tensor with every element set to `fill`.
    public init(dims: [Int], fill: Int = 0) {
        Self.checkDims(dims)
        self.dims = dims
        self.values = Array(repeating: fill, count: dims.reduce(1, *))
    }

    /// A tensor holding `values` in row-major order.
    public init(dims: [Int], values: [Int]) {
        Self.checkDims(dims)
        let count = dims.reduce(1, *)
        precondition(values.count == count,
                     "Tensor4: \(values.count) values given for dims \(dims), which hold \(count)")
        self.dims = dims
        self.values = values
    }

    /// The element at `[i0][i1][i2][i3]`; every index must be within its extent.
    public subscript(_ i0: Int, _ i1: Int, _ i2: Int, _ i3: Int) -> Int {
        get { values[offset(i0, i1, i2, i3)] }
        set { values[offset(i0, i1, i2, i3)] = newValue }
    }

    /// Row-major position of `[i0][i1][i2][i3]` in `values`.
    public func offset(_ i0: Int, _ i1: Int, _ i2: Int, _ i3: Int) -> Int {
        precondition((0..<dims[0]).contains(i0) && (0..<dims[1]).contains(i1)
                     && (0..<dims[2]).contains(i2) && (0..<dims[3]).contains(i3),
                     "Tensor4: index [\(i0)][\(i1)][\(i2)][\(i3)] is outside dims \(dims)")
        return ((i0 * dims[1] + i1) * dims[2] + i2) * dims[3] + i3
    }

    private static func checkDims(_ dims: [Int]) {
        precondition(dims.count == 4, "Tensor4: dims \(dims) must have exactly 4 extents")
        precondition(dims.allSatisfy { $0 >= 0 }, "Tensor4: dims \(dims) must not be negative")
    }
}

extension Tensor4 {
    /// Test data: a tensor with exactly `round(zeroFraction * count)` zeros at random places
    /// and every other element a random non-zero value of `range`, each drawn uniformly.
    ///
    /// Deterministic for a given generator state: the draws use only `rng.next()` (not the
    /// standard library's `random(in:)`, whose algorithm may change between Swift versions),
    /// so a seed printed by a failing test replays it anywhere.
    public static func random(dims: [Int], range: ClosedRange<Int>, zeroFraction: Double,
                              rng: inout some RandomNumberGenerator) -> Tensor4 {
        precondition((0...1).contains(zeroFraction), "Tensor4.random: zeroFraction \(zeroFraction) must be in 0...1")
        var tensor = Tensor4(dims: dims, fill: 0)
        let zeros = Int((zeroFraction * Double(tensor.count)).rounded())
        let nonZeroValues = range.count - (range.contains(0) ? 1 : 0)
        precondition(zeros == tensor.count || nonZeroValues > 0,
                     "Tensor4.random: range \(range) has no non-zero value to draw")

        // Places of the non-zeros: the first (count - zeros) of a Fisher-Yates shuffle.
        var places = Array(0..<tensor.count)
        for i in 0..<(tensor.count - zeros) {
            places.swapAt(i, i + uniformIndex(below: places.count - i, rng: &rng))
        }
        for place in places.prefix(tensor.count - zeros) {
            // Draw from the range with zero removed, by skipping over it.
            var value = range.lowerBound + uniformIndex(below: nonZeroValues, rng: &rng)
            if range.contains(0), value >= 0 { value += 1 }
            tensor.values[place] = value
        }
        return tensor
    }

    /// A uniform integer in `0 ..< bound` (bound >= 1) from raw 64-bit draws, by rejection so
    /// that no value is favoured.
    private static func uniformIndex(below bound: Int, rng: inout some RandomNumberGenerator) -> Int {
        precondition(bound >= 1, "uniformIndex: bound \(bound) must be positive")
        let b = UInt64(bound)
        // Largest multiple of b that fits in 2^64, minus one: draws above it are rejected.
        let limit = UInt64.max - (UInt64.max % b + 1) % b
        while true {
            let x = rng.next()
            if x <= limit { return Int(x % b) }
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood, OOPSLA 2014; the seeding generator of Java's
/// `SplittableRandom` and of xoshiro): a small, fast, well-mixed generator whose output is
/// fully determined by its 64-bit seed. Test data is drawn from it so that a random test's
/// seed reproduces it exactly, on any machine and Swift version.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state; advanced by a fixed odd constant on every draw.
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
