import EyerissConfig
import EyerissGolden
import Foundation

/// A CNN as the accelerator runs it: CONV layers on the chip, pooling between them on the host,
/// or, where the store engine has the window (`RowPool`), its rows on the chip and its columns
/// on the host.
public struct Network: Sendable {
    /// One CONV layer and what the host does to its output before the next layer.
    public struct Stage: Sendable {
        public var layer: LayerShape
        /// Max pooling after the layer (window, stride), or nil.
        public var poolAfter: (size: Int, stride: Int)?
        /// Zeros the weights are drawn to leave in this layer's output after ReLU
        /// (`NetworkData.weights`); what a run measures is reported, not this.
        public var targetZeroFraction: Double
    }

    public var name: String
    public var stages: [Stage]

    /// Whether stage `k`'s ifmap is one the host made (pooled the stage before's output) and
    /// wrote to DRAM itself, rather than the accelerator's own stored output.
    public func hostPoolsInput(of k: Int) -> Bool { k > 0 && stages[k - 1].poolAfter != nil }

    /// The networks `eyeriss run --network` knows. The "-small" ones keep every layer's kind
    /// (filter sizes, strides, groups, pooling) with fewer channels and a smaller image, for
    /// the test suite.
    public static let names = ["alexnet", "vgg16", "alexnet-small", "vgg16-small"]

    /// Zeros the weights are drawn to leave in each AlexNet layer's output after ReLU, before
    /// pooling: 40 % for CONV1's growing to 75 % for CONV5's, after the reference's profile for
    /// the ifmaps (about 40 % at CONV2's input growing to about 75 % at CONV5's). Runs measure
    /// other figures: the offset is calibrated before the product shift, which truncates more
    /// outputs to zero, and the 3 x 3 max pooling after CONV1 and CONV2 keeps fewer (seed 1,
    /// batch 4: 22.5, 47.1, 74.5 and 81.4 % in CONV2-5's inputs; docs/results.md).
    static let alexnetZeros = [0.40, 0.50, 0.60, 0.70, 0.75]

    public static func named(_ name: String, batch: Int = 1) -> Network? {
        switch name {
        case "alexnet":
            return alexnet(layers: BuiltinLayers.alexnet, batch: batch, name: name)
        case "alexnet-small":
            let layers = [
                LayerShape(name: "alexnet-small.conv1", n: 1, c: 3, h: 67, w: 67, m: 8, r: 11, s: 11, stride: 4, padding: 0),
                LayerShape(name: "alexnet-small.conv2", n: 1, c: 8, h: 7, w: 7, m: 12, r: 5, s: 5, stride: 1, padding: 2, groups: 2),
                LayerShape(name: "alexnet-small.conv3", n: 1, c: 12, h: 3, w: 3, m: 16, r: 3, s: 3, stride: 1, padding: 1),
                LayerShape(name: "alexnet-small.conv4", n: 1, c: 16, h: 3, w: 3, m: 16, r: 3, s: 3, stride: 1, padding: 1, groups: 2),
                LayerShape(name: "alexnet-small.conv5", n: 1, c: 16, h: 3, w: 3, m: 8, r: 3, s: 3, stride: 1, padding: 1, groups: 2),
            ]
            return alexnet(layers: layers, batch: batch, name: name)
        case "vgg16":
            return vgg(layers: BuiltinLayers.vgg16, batch: batch, name: name)
        case "vgg16-small":
            // VGG-16's 13 layers and 4 poolings on a 32 x 32 image with 1/16 of the channels.
            let layers = BuiltinLayers.vgg16.map { l -> LayerShape in
                var s = l
                s.name = l.name.replacingOccurrences(of: "vgg16", with: "vgg16-small")
                s.h = l.h * 32 / 224
                s.w = l.w * 32 / 224
                s.c = l.c == 3 ? 3 : l.c / 16
                s.m = l.m / 16
                return s
            }
            return vgg(layers: layers, batch: batch, name: name)
        default:
            return nil
        }
    }

    static func alexnet(layers: [LayerShape], batch: Int, name: String) -> Network {
        let stages = layers.enumerated().map { k, l -> Stage in
            var layer = l
            layer.n = batch
            return Stage(layer: layer, poolAfter: k < 2 ? (3, 2) : nil, targetZeroFraction: alexnetZeros[k])
        }
        return Network(name: name, stages: stages)
    }

    static func vgg(layers: [LayerShape], batch: Int, name: String) -> Network {
        let poolAfter: Set<String> = ["conv1_2", "conv2_2", "conv3_3", "conv4_3"]
        let stages = layers.enumerated().map { k, l -> Stage in
            var layer = l
            layer.n = batch
            let pooled = poolAfter.contains { l.name.hasSuffix($0) }
            return Stage(layer: layer, poolAfter: pooled ? (2, 2) : nil,
                         targetZeroFraction: 0.4 + 0.35 * Double(k) / Double(max(1, layers.count - 1)))
        }
        return Network(name: name, stages: stages)
    }
}

/// Data that looks like a real network's, from one documented seed.
///
/// - The image: 8-bit pixels, uniform in 0...255 (no zeros to speak of: the first layer's
///   input is stored raw, as on the chip).
/// - Each layer's weights: uniform integers in `-spread ... spread` plus one offset per layer.
///   Inputs after ReLU are non-negative, so a negative offset pushes outputs below zero: the
///   offset is chosen, from 512 sampled outputs, so that the layer's target fraction of
///   outputs is <= 0 and ReLU makes them zeros.
/// - The product shift: chosen so that the sampled outputs' RMS is about 2^10 after shifting,
///   well inside the 16-bit psums.
public enum NetworkData {
    public static let spread = 1024

    public static func image(dims: [Int], rng: inout SplitMix64) -> Tensor4 {
        Tensor4(dims: dims, values: (0..<dims.reduce(1, *)).map { _ in Int(rng.next() % 256) })
    }

    /// Weights `[m][c/groups][r][s]` and the shift for `layer` on `input`.
    public static func weights(for layer: LayerShape, input: Tensor4, targetZeroFraction: Double, fixedPoint: FixedPoint,
                               rng: inout SplitMix64) -> (weights: Tensor4, shift: Int) {
        let dims = [layer.m, layer.channelsPerGroup, layer.r, layer.s]
        let base = (0..<dims.reduce(1, *)).map { _ in Int(rng.next() % UInt64(2 * spread + 1)) - spread }
        // Sample outputs: P = sum x * w0, Q = sum x over the window.
        let samples = (0..<512).map { _ -> (n: Int, m: Int, e: Int, f: Int) in
            (Int(rng.next() % UInt64(layer.n)), Int(rng.next() % UInt64(layer.m)), Int(rng.next() % UInt64(layer.e)),
             Int(rng.next() % UInt64(layer.f)))
        }
        func window(_ s: (n: Int, m: Int, e: Int, f: Int), weights: [Int]) -> (p: Int, q: Int) {
            let group = s.m / layer.filtersPerGroup
            var p = 0, q = 0
            for cg in 0..<layer.channelsPerGroup {
                let c = group * layer.channelsPerGroup + cg
                for i in 0..<layer.r {
                    let y = s.e * layer.stride - layer.padding + i
                    guard y >= 0 && y < layer.h else { continue }
                    for j in 0..<layer.s {
                        let x = s.f * layer.stride - layer.padding + j
                        guard x >= 0 && x < layer.w else { continue }
                        let v = input[s.n, c, y, x]
                        p += v * weights[((s.m * layer.channelsPerGroup + cg) * layer.r + i) * layer.s + j]
                        q += v
                    }
                }
            }
            return (p, q)
        }
        let windows = samples.map { window($0, weights: base) }
        // Output j is <= 0 once the offset is at most -P/Q; take the quantile that leaves the target.
        let thresholds = windows.map { w in w.q > 0 ? -Double(w.p) / Double(w.q) : (w.p <= 0 ? Double.infinity : -Double.infinity) }
            .sorted()
        let k = min(thresholds.count - 1, max(0, Int((1 - targetZeroFraction) * Double(thresholds.count))))
        let finite = thresholds[k].isFinite ? thresholds[k] : 0
        let offset = Int(finite.rounded())
        let weights = base.map { min(fixedPoint.dataRange.upperBound, max(fixedPoint.dataRange.lowerBound, $0 + offset)) }
        let sums = samples.map { Double(window($0, weights: weights).p) }
        let rms = (sums.map { $0 * $0 }.reduce(0, +) / Double(sums.count)).squareRoot()
        let shift = min(fixedPoint.shiftRange.upperBound - 1, max(0, Int((rms / 1024).log2Rounded)))
        return (Tensor4(dims: dims, values: weights), shift)
    }
}

private extension Double {
    var log2Rounded: Double { self > 0 ? (Foundation.log2(self)).rounded() : 0 }
}
