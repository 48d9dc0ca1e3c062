/// Steps between accelerated layers that the chip did not do, done by the host and in the
/// golden model alike (JSSC 2017: pooling ran off-chip). Plain integer operations: exact.
public enum HostOps {
    /// Max pooling of every `[n][c]` plane: windows of `size` x `size` every `stride`, no
    /// padding, windows that would run past the edge left out (AlexNet's 3/2, VGG's 2/2).
    public static func maxPool(_ t: Tensor4, size: Int, stride: Int) -> Tensor4 {
        precondition(size >= 1 && stride >= 1 && t.dims[2] >= size && t.dims[3] >= size,
                     "HostOps.maxPool: window \(size) stride \(stride) on \(t.dims)")
        let (n, c, h, w) = (t.dims[0], t.dims[1], t.dims[2], t.dims[3])
        let (oh, ow) = ((h - size) / stride + 1, (w - size) / stride + 1)
        var out = Tensor4(dims: [n, c, oh, ow])
        for i in 0..<n {
            for ch in 0..<c {
                for y in 0..<oh {
                    for x in 0..<ow {
                        var best = Int.min
                        for dy in 0..<size {
                            for dx in 0..<size { best = max(best, t[i, ch, y * stride + dy, x * stride + dx]) }
                        }
                        out[i, ch, y, x] = best
                    }
                }
            }
        }
        return out
    }
}
