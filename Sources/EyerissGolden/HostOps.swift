/// Steps between accelerated layers that the chip did not do, done by the host and in the
/// golden model alike (JSSC 2017: pooling ran off-chip; here the store engine may do the row
/// half, `RowPool`). Plain integer operations: exact.
public enum HostOps {
    /// Max pooling of every `[n][c]` plane: windows of `size` x `size` every `stride`, no
    /// padding, windows that would run past the edge left out (AlexNet's 3/2, VGG's 2/2).
    /// Max pooling is separable: this is `columnMaxPool` of `rowMaxPool` (`RowPool`).
    public static func maxPool(_ t: Tensor4, size: Int, stride: Int) -> Tensor4 {
        precondition(size >= 1 && stride >= 1 && t.dims[2] >= size && t.dims[3] >= size,
                     "HostOps.maxPool: window \(size) stride \(stride) on \(t.dims)")
        return columnMaxPool(rowMaxPool(t, size: size, stride: stride), size: size, stride: stride)
    }

    /// Max pooling along each row only: value `x` of an output row is the largest of the row's
    /// values `x * stride ..< x * stride + size` (the windows that would run past the row's end
    /// left out). What the store engine does with `RowPool`.
    public static func rowMaxPool(_ t: Tensor4, size: Int, stride: Int) -> Tensor4 {
        linearMaxPool(t, size: size, stride: stride, alongRows: true)
    }

    /// Max pooling down each column only: row `y` of an output plane is the largest of rows
    /// `y * stride ..< y * stride + size`, column by column (windows past the edge left out).
    public static func columnMaxPool(_ t: Tensor4, size: Int, stride: Int) -> Tensor4 {
        linearMaxPool(t, size: size, stride: stride, alongRows: false)
    }

    /// Windows of `size` every `stride` along the rows (the last index) or down the columns.
    private static func linearMaxPool(_ t: Tensor4, size: Int, stride: Int, alongRows: Bool) -> Tensor4 {
        let axis = alongRows ? 3 : 2
        precondition(size >= 1 && stride >= 1 && t.dims[axis] >= size,
                     "HostOps.\(alongRows ? "rowMaxPool" : "columnMaxPool"): window \(size) stride \(stride) on \(t.dims)")
        var dims = t.dims
        dims[axis] = (t.dims[axis] - size) / stride + 1
        var out = Tensor4(dims: dims)
        for i in 0..<dims[0] {
            for c in 0..<dims[1] {
                for y in 0..<dims[2] {
                    for x in 0..<dims[3] {
                        out[i, c, y, x] = (0..<size).map { k in
                            alongRows ? t[i, c, y, x * stride + k] : t[i, c, y * stride + k, x]
                        }.max()!
                    }
                }
            }
        }
        return out
    }
}

/// The row half of a max pooling that the store engine does on the ofmap on its way out, after
/// ReLU and before the code (docs/architecture.md, section 8): windows of `size` values every 2
/// of each ofmap row, so a layer followed by AlexNet's 3 x 3 / 2 or VGG's 2 x 2 / 2 pooling
/// writes rows of `(F - size) / 2 + 1` values and the host pools only down the columns
/// (`HostOps.columnMaxPool`). The chip pooled entirely off-chip; this halves the rows it wrote.
/// ReLU and the maximum commute, so the order of the two does not change a value.
public enum RowPool: Int, CaseIterable, Codable, Sendable {
    /// Windows of 2 values every 2 (VGG-16's 2 x 2 / 2).
    case two = 2
    /// Windows of 3 values every 2 (AlexNet's 3 x 3 / 2).
    case three = 3

    /// Columns from one window's first value to the next's.
    public static let stride = 2

    /// Values in a window.
    public var size: Int { rawValue }

    /// The row pool that does the row half of a `size` x `size` / `stride` max pooling, if the
    /// store engine has one.
    public init?(size: Int, stride: Int) {
        guard stride == Self.stride, let pool = RowPool(rawValue: size) else { return nil }
        self = pool
    }

    /// Values of a pooled row of `width` values.
    public func outputs(width: Int) -> Int { (width - size) / Self.stride + 1 }

    /// Whether the windows cover a row of `width` values exactly: the store engine takes the
    /// row's last value as the last window's (`(width - size)` even, `width >= size`).
    public func coversExactly(width: Int) -> Bool { width >= size && (width - size) % Self.stride == 0 }

    /// The ofmap as stored: each row pooled (`HostOps.rowMaxPool`).
    public func apply(_ t: Tensor4) -> Tensor4 { HostOps.rowMaxPool(t, size: size, stride: Self.stride) }
}
