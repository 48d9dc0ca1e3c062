import Foundation

/// The float reference of every operator this tool runs, in `Double`, written from the ONNX
/// operator definitions. It is what a quantized run is compared with, and what host steps
/// that are not exact in integers (LRN, Softmax, averaging, adding tensors of different
/// scales) compute before re-quantizing.
enum FloatOps {
    /// Spatial geometry of a Conv or a pooling window over `[n][c][h][w]`.
    struct Window: Equatable {
        var kernel: (h: Int, w: Int)
        var strides: (h: Int, w: Int)
        /// top, left, bottom, right
        var pads: (t: Int, l: Int, b: Int, r: Int)
        var dilations: (h: Int, w: Int)
        var ceilMode = false

        static func == (a: Window, b: Window) -> Bool {
            a.kernel == b.kernel && a.strides == b.strides && a.pads == b.pads && a.dilations == b.dilations && a.ceilMode == b.ceilMode
        }

        func outputSize(h: Int, w: Int) -> (Int, Int) {
            func size(_ x: Int, _ k: Int, _ s: Int, _ begin: Int, _ end: Int, _ d: Int) -> Int {
                let span = x + begin + end - ((k - 1) * d + 1)
                guard span >= 0 else { return 0 }
                var out = (ceilMode ? (span + s - 1) / s : span / s) + 1
                // Ceil mode: the last window must start inside the input or its leading padding.
                if ceilMode && (out - 1) * s >= x + begin { out -= 1 }
                return out
            }
            return (size(h, kernel.h, strides.h, pads.t, pads.b, dilations.h),
                    size(w, kernel.w, strides.w, pads.l, pads.r, dilations.w))
        }

        /// Reads the window attributes of a node; `kernel` from the attribute or the weights.
        static func of(_ node: Graph.Node, kernel: (Int, Int)?) throws -> Window {
            guard let k = try kernel ?? node.ints("kernel_shape").map({ ks -> (Int, Int) in
                guard ks.count == 2 else { throw ONNXError.badModel("\(node.label): only 2-D kernels are supported, kernel_shape \(ks)") }
                return (ks[0], ks[1])
            }) else { throw ONNXError.badModel("\(node.label): no kernel_shape") }
            let s = try node.ints("strides") ?? [1, 1]
            let d = try node.ints("dilations") ?? [1, 1]
            var p = try node.ints("pads") ?? [0, 0, 0, 0]
            let autoPad = try node.string("auto_pad", default: "NOTSET")
            guard s.count == 2, d.count == 2, p.count == 4 else {
                throw ONNXError.badModel("\(node.label): strides \(s), dilations \(d), pads \(p) must be 2, 2 and 4 values")
            }
            if autoPad != "NOTSET" && autoPad != "VALID" {
                throw ONNXError.badModel("\(node.label): auto_pad \(autoPad) needs the input size; give explicit pads")
            }
            if autoPad == "VALID" { p = [0, 0, 0, 0] }
            return Window(kernel: k, strides: (s[0], s[1]), pads: (p[0], p[1], p[2], p[3]), dilations: (d[0], d[1]),
                          ceilMode: try node.int("ceil_mode", default: 0) != 0)
        }
    }

    static func conv(_ x: FloatTensor, weights w: FloatTensor, bias: FloatTensor?, window: Window, groups: Int) -> FloatTensor {
        let (n, c, h, wd) = (x.dims[0], x.dims[1], x.dims[2], x.dims[3])
        let (m, cg, kh, kw) = (w.dims[0], w.dims[1], w.dims[2], w.dims[3])
        let (oh, ow) = window.outputSize(h: h, w: wd)
        let mg = m / groups
        var out = [Double](repeating: 0, count: n * m * oh * ow)
        x.values.withUnsafeBufferPointer { xv in
            w.values.withUnsafeBufferPointer { wv in
                out.withUnsafeMutableBufferPointer { ov in
                    for b in 0..<n {
                        for f in 0..<m {
                            let g = f / mg
                            let base = ((b * m + f) * oh) * ow
                            let bv = bias?.values[f] ?? 0
                            for i in 0..<(oh * ow) { ov[base + i] = bv }
                            for cc in 0..<cg {
                                let ch = g * cg + cc
                                for ky in 0..<kh {
                                    for kx in 0..<kw {
                                        let wt = wv[((f * cg + cc) * kh + ky) * kw + kx]
                                        if wt == 0 { continue }
                                        // Outputs whose column ox * sw + offset lies in the image.
                                        let (sw, offset) = (window.strides.w, kx * window.dilations.w - window.pads.l)
                                        let first = offset < 0 ? (-offset + sw - 1) / sw : 0
                                        guard wd - 1 - offset >= 0 else { continue }
                                        let last = min(ow - 1, (wd - 1 - offset) / sw)
                                        guard first <= last else { continue }
                                        for oy in 0..<oh {
                                            let y = oy * window.strides.h - window.pads.t + ky * window.dilations.h
                                            guard y >= 0 && y < h else { continue }
                                            let row = ((b * c + ch) * h + y) * wd + offset
                                            let outRow = base + oy * ow
                                            for ox in first...last { ov[outRow + ox] += wt * xv[row + ox * sw] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return FloatTensor(dims: [n, m, oh, ow], values: out)
    }

    /// `alpha * A' * B' + beta * C` with A' = A or its transpose (2-D), likewise B'.
    static func gemm(_ a: FloatTensor, _ b: FloatTensor, _ c: FloatTensor?, alpha: Double, beta: Double, transA: Bool,
                     transB: Bool) throws -> FloatTensor {
        guard a.dims.count == 2, b.dims.count == 2 else { throw ONNXError.badModel("Gemm: A \(a.dims) and B \(b.dims) must be 2-D") }
        let (rows, k) = transA ? (a.dims[1], a.dims[0]) : (a.dims[0], a.dims[1])
        let (k2, cols) = transB ? (b.dims[1], b.dims[0]) : (b.dims[0], b.dims[1])
        guard k == k2 else { throw ONNXError.badModel("Gemm: inner sizes \(k) and \(k2) differ") }
        var out = [Double](repeating: 0, count: rows * cols)
        for i in 0..<rows {
            for j in 0..<cols {
                var s = 0.0
                for t in 0..<k {
                    let av = transA ? a.values[t * rows + i] : a.values[i * k + t]
                    let bv = transB ? b.values[j * k + t] : b.values[t * cols + j]
                    s += av * bv
                }
                out[i * cols + j] = alpha * s
            }
        }
        var result = FloatTensor(dims: [rows, cols], values: out)
        if let c, beta != 0 {
            let cb = try broadcast(c, to: [rows, cols])
            for i in result.values.indices { result.values[i] += beta * cb.values[i] }
        }
        return result
    }

    /// Max or average pooling; padding never wins a max and, for the average, counts only
    /// when `countIncludePad`.
    static func pool(_ x: FloatTensor, window: Window, max isMax: Bool, countIncludePad: Bool = false) -> FloatTensor {
        let (n, c, h, w) = (x.dims[0], x.dims[1], x.dims[2], x.dims[3])
        let (oh, ow) = window.outputSize(h: h, w: w)
        var out = FloatTensor(dims: [n, c, oh, ow])
        for plane in 0..<(n * c) {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var best = -Double.infinity, sum = 0.0, count = 0
                    for ky in 0..<window.kernel.h {
                        let y = oy * window.strides.h - window.pads.t + ky * window.dilations.h
                        for kx in 0..<window.kernel.w {
                            let xx = ox * window.strides.w - window.pads.l + kx * window.dilations.w
                            guard y >= 0 && y < h && xx >= 0 && xx < w else {
                                if countIncludePad && y < h + window.pads.b && xx < w + window.pads.r { count += 1 }
                                continue
                            }
                            let v = x.values[(plane * h + y) * w + xx]
                            best = Swift.max(best, v)
                            sum += v
                            count += 1
                        }
                    }
                    out.values[(plane * oh + oy) * ow + ox] = isMax ? best : sum / Double(Swift.max(1, count))
                }
            }
        }
        return out
    }

    static func lrn(_ x: FloatTensor, size: Int, alpha: Double, beta: Double, bias: Double) -> FloatTensor {
        let (n, c, hw) = (x.dims[0], x.dims[1], x.dims[2...].reduce(1, *))
        var out = x
        let lo = (size - 1) / 2, hi = size / 2
        for b in 0..<n {
            for ch in 0..<c {
                for p in 0..<hw {
                    var sq = 0.0
                    for k in Swift.max(0, ch - lo)...Swift.min(c - 1, ch + hi) {
                        let v = x.values[(b * c + k) * hw + p]
                        sq += v * v
                    }
                    let i = (b * c + ch) * hw + p
                    out.values[i] = x.values[i] / pow(bias + alpha / Double(size) * sq, beta)
                }
            }
        }
        return out
    }

    /// Softmax over the axes from `axis` on, taken as one (ONNX before opset 13).
    static func softmax(_ x: FloatTensor, fromAxis axis: Int) -> FloatTensor {
        let a = axis < 0 ? axis + x.dims.count : axis
        return softmax(x.reshaped([x.dims[..<a].reduce(1, *), x.dims[a...].reduce(1, *)]), axis: 1).reshaped(x.dims)
    }

    /// Softmax along one axis (ONNX from opset 13).
    static func softmax(_ x: FloatTensor, axis: Int) -> FloatTensor {
        let a = axis < 0 ? axis + x.dims.count : axis
        let (length, inner) = (x.dims[a], x.dims[(a + 1)...].reduce(1, *))
        let outer = x.dims[..<a].reduce(1, *)
        var out = x
        for o in 0..<outer {
            for i in 0..<inner {
                let index = (0..<length).map { (o * length + $0) * inner + i }
                let peak = index.map { x.values[$0] }.max() ?? 0
                let e = index.map { exp(x.values[$0] - peak) }
                let total = e.reduce(0, +)
                for (k, j) in index.enumerated() { out.values[j] = e[k] / total }
            }
        }
        return out
    }

    /// NumPy-style broadcast of `t` to `dims`.
    static func broadcast(_ t: FloatTensor, to dims: [Int]) throws -> FloatTensor {
        if t.dims == dims { return t }
        let rank = dims.count
        guard t.dims.count <= rank else { throw ONNXError.badModel("cannot broadcast \(t.dims) to \(dims)") }
        let src = Array(repeating: 1, count: rank - t.dims.count) + t.dims
        for (s, d) in zip(src, dims) where s != d && s != 1 { throw ONNXError.badModel("cannot broadcast \(t.dims) to \(dims)") }
        var strides = Array(repeating: 0, count: rank)
        var acc = 1
        for k in stride(from: rank - 1, through: 0, by: -1) {
            strides[k] = src[k] == 1 ? 0 : acc
            acc *= src[k]
        }
        return FloatTensor(dims: dims, values: gather(t.values, dims: dims, strides: strides))
    }

    /// The output of `dims`, row-major, where each element is read from `values` at the offset
    /// `sum(index[k] * strides[k])` (broadcasting and transposing are both this).
    static func gather(_ values: [Double], dims: [Int], strides: [Int]) -> [Double] {
        let rank = dims.count
        let total = dims.reduce(1, *)
        var out = [Double](repeating: 0, count: total)
        var index = Array(repeating: 0, count: rank)
        for i in 0..<total {
            var off = 0
            for k in 0..<rank { off += index[k] * strides[k] }
            out[i] = values[off]
            var k = rank - 1
            while k >= 0 {
                index[k] += 1
                if index[k] < dims[k] { break }
                index[k] = 0
                k -= 1
            }
        }
        return out
    }

    static func broadcastDims(_ a: [Int], _ b: [Int]) throws -> [Int] {
        let rank = max(a.count, b.count)
        let pa = Array(repeating: 1, count: rank - a.count) + a, pb = Array(repeating: 1, count: rank - b.count) + b
        return try zip(pa, pb).map { x, y in
            guard x == y || x == 1 || y == 1 else { throw ONNXError.badModel("shapes \(a) and \(b) do not broadcast") }
            return max(x, y)
        }
    }

    static func elementwise(_ a: FloatTensor, _ b: FloatTensor, _ f: (Double, Double) -> Double) throws -> FloatTensor {
        let dims = try broadcastDims(a.dims, b.dims)
        let (x, y) = (try broadcast(a, to: dims), try broadcast(b, to: dims))
        return FloatTensor(dims: dims, values: zip(x.values, y.values).map(f))
    }

    static func concat(_ parts: [FloatTensor], axis: Int) throws -> FloatTensor {
        guard let first = parts.first else { throw ONNXError.badModel("Concat of nothing") }
        let a = axis < 0 ? axis + first.dims.count : axis
        for p in parts where p.dims.count != first.dims.count || p.dims.enumerated().contains(where: { $0.offset != a && $0.element != first.dims[$0.offset] }) {
            throw ONNXError.badModel("Concat on axis \(axis): \(p.dims) does not fit \(first.dims)")
        }
        let outer = first.dims[..<a].reduce(1, *)
        var dims = first.dims
        dims[a] = parts.map { $0.dims[a] }.reduce(0, +)
        var out: [Double] = []
        out.reserveCapacity(dims.reduce(1, *))
        for o in 0..<outer {
            for p in parts {
                let inner = p.dims[a...].reduce(1, *)
                out += p.values[(o * inner)..<((o + 1) * inner)]
            }
        }
        return FloatTensor(dims: dims, values: out)
    }

    /// ONNX Reshape: 0 keeps the input's extent, -1 takes what is left.
    static func reshapeDims(_ input: [Int], _ spec: [Int], allowZero: Bool = false) throws -> [Int] {
        var dims = spec.enumerated().map { k, d in d == 0 && !allowZero && k < input.count ? input[k] : d }
        let total = input.reduce(1, *)
        if let free = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != free }.map(\.element).reduce(1, *)
            guard known > 0, total % known == 0 else { throw ONNXError.badModel("Reshape \(input) to \(spec)") }
            dims[free] = total / known
        }
        guard dims.reduce(1, *) == total, dims.allSatisfy({ $0 >= 0 }) else { throw ONNXError.badModel("Reshape \(input) to \(spec)") }
        return dims
    }

    static func flattenDims(_ input: [Int], axis: Int) -> [Int] {
        let a = axis < 0 ? axis + input.count : axis
        return [input[..<a].reduce(1, *), input[a...].reduce(1, *)]
    }

    static func transpose(_ x: FloatTensor, perm: [Int]) -> FloatTensor {
        let rank = x.dims.count
        var srcStrides = Array(repeating: 1, count: rank)
        for k in stride(from: rank - 2, through: 0, by: -1) { srcStrides[k] = srcStrides[k + 1] * x.dims[k + 1] }
        return FloatTensor(dims: perm.map { x.dims[$0] }, values: gather(x.values, dims: perm.map { x.dims[$0] },
                                                                         strides: perm.map { srcStrides[$0] }))
    }
}
