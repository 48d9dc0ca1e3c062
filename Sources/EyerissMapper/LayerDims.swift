import EyerissConfig

/// The sizes of a layer the mapper works with, per group.
struct LayerDims {
    let n: Int
    let groups: Int
    /// Input channels per group.
    let cg: Int
    /// Filters per group.
    let mg: Int
    let h: Int
    let w: Int
    let e: Int
    let f: Int
    let r: Int
    let s: Int
    let stride: Int
    let pad: Int
    /// Lines per ifmap row and per psum/ofmap row.
    let wl: Int
    let fl: Int
    /// New ifmap columns per output: `min(stride, S)`.
    var step: Int { min(stride, s) }
    /// Ifmap columns the feeder sends per job row.
    var inputColumns: Int { s + (f - 1) * step }

    init(_ layer: LayerShape, lanes: Int) {
        n = layer.n
        groups = layer.groups
        cg = layer.channelsPerGroup
        mg = layer.filtersPerGroup
        h = layer.h
        w = layer.w
        e = layer.e
        f = layer.f
        r = layer.r
        s = layer.s
        stride = layer.stride
        pad = layer.padding
        wl = ceilDiv(layer.w, lanes)
        fl = ceilDiv(layer.f, lanes)
    }

    /// Ifmap rows per channel an ifmap tile can need, at most: the span of a pass, clipped to
    /// the image (tiles at the border hold fewer).
    func tileRows(epass: Int, rc: Int) -> Int { min(h, (epass - 1) * stride + rc) }

    /// Ifmap rows per channel of the largest tile that passes of `Rc = rc` (filter rows `i0 =
    /// 0, rc, ...` while a whole chunk fits in R) load when the output rows are cut into the
    /// row chunks of `(e, jobRows)`: the span of each pass clipped to the image, as
    /// `PassBuilder` cuts it (the top and bottom chunks lose the rows in the padding).
    func largestTileRows(e: Int, jobRows: Int, rc: Int) -> Int {
        var largest = 0
        var e0 = 0
        for run in splitChunks(self.e, x: jobRows, y: e) {
            for _ in 0..<run.count {
                let epass = run.x * run.y
                var i0 = 0
                while i0 + rc <= r {
                    let yStart = e0 * stride - pad + i0
                    let yHi = min(yStart + (epass - 1) * stride + rc - 1, h - 1)
                    largest = max(largest, yHi - max(yStart, 0) + 1)
                    i0 += rc
                }
                e0 += epass
            }
        }
        return largest
    }
}
