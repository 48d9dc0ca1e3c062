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

    /// Ifmap rows per channel of the tile that interleaved row chunks share (the union of their
    /// spans: every output row's, clipped to the image) for filter-row chunks of `rc` (`full`)
    /// and the shorter last one when `R % rc > 0` (`short`, 0 when there is none).
    func unionTileRows(rc: Int) -> (full: Int, short: Int) {
        var largest = (full: 0, short: 0)
        var i0 = 0
        while i0 < r {
            let height = min(rc, r - i0)
            let lo = max(i0 - pad, 0)
            let hi = min((e - 1) * stride - pad + i0 + height - 1, h - 1)
            let rows = max(0, hi - lo + 1)
            if height == rc { largest.full = max(largest.full, rows) } else { largest.short = max(largest.short, rows) }
            i0 += height
        }
        return largest
    }

    /// Ifmap rows per channel of the largest tile the passes load when the output rows are cut
    /// into the row chunks of `(e, jobRows)` and the filter rows into chunks of `rc` (`full`) and
    /// the shorter last one when `R % rc > 0` (`short`, 0 when there is none): the span of each
    /// pass clipped to the image, as `PassBuilder` cuts it (the top and bottom chunks lose the
    /// rows in the padding). The first and last chunk of each run of equal row chunks are
    /// measured; the ones between count their whole span (within the image: an upper bound), so
    /// that a layer of many chunks costs no more than one of few.
    func largestTileRows(e: Int, jobRows: Int, rc: Int) -> (full: Int, short: Int) {
        var largest = (full: 0, short: 0)
        func measure(e0: Int, epass: Int, clipped: Bool) {
            var i0 = 0
            while i0 < r {
                let height = min(rc, r - i0)
                let span = (epass - 1) * stride + height
                let yStart = e0 * stride - pad + i0
                let rows = clipped ? max(0, min(yStart + span - 1, h - 1) - max(yStart, 0) + 1) : min(h, span)
                if height == rc { largest.full = max(largest.full, rows) } else { largest.short = max(largest.short, rows) }
                i0 += height
            }
        }
        var e0 = 0
        for run in splitChunks(self.e, x: jobRows, y: e) {
            let epass = run.x * run.y
            measure(e0: e0, epass: epass, clipped: true)
            measure(e0: e0 + (run.count - 1) * epass, epass: epass, clipped: true)
            if run.count > 2 { measure(e0: e0 + epass, epass: epass, clipped: false) }
            e0 += run.count * epass
        }
        return largest
    }
}
