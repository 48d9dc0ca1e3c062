import EyerissConfig
import EyerissGolden
import EyerissMapper
import Foundation
import Logging

/// What a network run uses besides the network and the hardware.
public struct NetworkRunOptions: Sendable {
    /// Seed of the image, the weights and the simulator's random state.
    public var seed: UInt64
    public var dram: DRAMBehaviour?
    public var watchdogCycles: UInt64
    /// The first layer's ifmap `[n][c][h][w]` in the data format; nil: random 8-bit pixels
    /// from the seed (`NetworkData.image`).
    public var image: Tensor4?

    public init(seed: UInt64 = 1, dram: DRAMBehaviour? = nil, watchdogCycles: UInt64 = 200_000, image: Tensor4? = nil) {
        self.seed = seed
        self.dram = dram
        self.watchdogCycles = watchdogCycles
        self.image = image
    }
}

/// One layer of a network run: the co-simulated layer and what run-length coding did for it.
public struct NetworkLayerResult: Codable, Sendable {
    public var result: LayerResult
    /// Where the layer's ifmap in DRAM came from.
    public var ifmapSource: String
    /// Bytes of fmaps (ifmap read + ofmap written) moved coded, measured at the DRAM port, and
    /// what the same mapping moves raw (the planner's exact count).
    public var fmapBytesCoded: UInt64
    public var fmapBytesRaw: UInt64
    /// All DRAM bytes (program and filters included), coded and raw.
    public var dramBytesCoded: UInt64
    public var dramBytesRaw: UInt64
    /// Raw fmap bytes over coded fmap bytes.
    public var fmapCompression: Double { Double(fmapBytesRaw) / Double(max(1, fmapBytesCoded)) }
    /// Raw DRAM bytes over coded DRAM bytes.
    public var dramCompression: Double { Double(dramBytesRaw) / Double(max(1, dramBytesCoded)) }
    /// MACs gated over MAC slots.
    public var gatedFraction: Double {
        Double(result.stats.gated) / Double(max(1, result.stats.macs + result.stats.gated))
    }
}

/// The outcome of a network run.
public struct NetworkResult: Codable, Sendable {
    public var network: String
    public var seed: UInt64
    public var layers: [NetworkLayerResult]
    /// Layers of the network that did not run because an earlier one failed.
    public var notRun: [String]
    public var passed: Bool { notRun.isEmpty && layers.allSatisfy { $0.result.passed } }
}

/// Runs a network's CONV layers in order on the Verilated accelerator: the first layer reads
/// the raw image, every layer writes its output through ReLU and the RTL encoder, and the next
/// layer decodes exactly those bytes, or, where the host pools in between, the host decodes
/// them, pools, and codes the result with the golden encoder. Every layer is checked value for
/// value and code word for code word against the golden model.
public enum NetworkRunner {
    public static func run(_ network: Network, config: ValidConfig, options: NetworkRunOptions,
                           logger: Logger = Logger(label: "eyeriss.run")) throws -> NetworkResult {
        try runDetailed(network, config: config, options: options, logger: logger).result
    }

    /// `run`, and the last layer's output as the hardware wrote it (nil if a layer failed).
    public static func runDetailed(_ network: Network, config: ValidConfig, options: NetworkRunOptions,
                                   logger: Logger = Logger(label: "eyeriss.run")) throws -> (result: NetworkResult, output: Tensor4?) {
        let fp = FixedPoint(config)
        var rng = SplitMix64(seed: options.seed)
        guard let first = network.stages.first?.layer else { throw CosimError.badArgument("\(network.name) has no layers") }
        let imageDims = [first.n, first.c, first.h, first.w]
        // Drawn even when an image is given, so the weights are the same either way.
        let randomImage = NetworkData.image(dims: imageDims, rng: &rng)
        if let image = options.image, image.dims != imageDims {
            throw CosimError.badArgument("\(first.name) takes an image of \(imageDims), the given one is \(image.dims)")
        }
        var input = options.image ?? randomImage
        var codedInput: [UInt64]?
        var source = options.image == nil ? "image, raw" : "the given image, raw"
        var results: [NetworkLayerResult] = []
        for (k, stage) in network.stages.enumerated() {
            let layer = try stage.layer.validated()
            guard input.dims == [layer.n, layer.c, layer.h, layer.w] else {
                throw CosimError.badArgument("\(layer.name) takes [\(layer.n), \(layer.c), \(layer.h), \(layer.w)], the previous stage gives \(input.dims)")
            }
            let (weights, shift) = NetworkData.weights(for: layer, input: input, targetZeroFraction: stage.targetZeroFraction,
                                                       fixedPoint: fp, rng: &rng)
            let runOptions = LayerRunOptions(seed: options.seed &+ UInt64(k), sparsity: 0, shift: shift, dram: options.dram,
                                             watchdogCycles: options.watchdogCycles, io: k == 0 ? .first : .hidden)
            logger.info("\(layer.name): shift \(shift), ifmap from \(source)")
            let run = try LayerRunner.runDetailed(layer, config: config, options: runOptions, input: input, weights: weights,
                                                  ifmapLines: codedInput, logger: logger)
            let st = run.plan.statistics
            let wordBytes = UInt64(config.raw.fixedPoint.dataBits / 8)
            let fixedBytes = UInt64(st.programWordsRead + st.filterWordsRead) * wordBytes
            let r = run.result
            let coded = r.dramBytesRead + r.dramBytesWritten
            logger.info("\(layer.name): \(r.cycles) cycles, \(r.dramBytesRead) DRAM bytes read, \(r.dramBytesWritten) written, \(r.verdict)")
            results.append(NetworkLayerResult(
                result: r, ifmapSource: source,
                fmapBytesCoded: coded - min(coded, fixedBytes),
                fmapBytesRaw: UInt64(st.ifmapWordsRead + st.ofmapWordsWritten) * wordBytes,
                dramBytesCoded: coded, dramBytesRaw: r.rawDRAMBytes))
            guard r.passed else {
                return (NetworkResult(network: network.name, seed: options.seed, layers: results,
                                      notRun: network.stages.dropFirst(k + 1).map(\.layer.name)), nil)
            }
            // The next layer's input: what the hardware wrote.
            let written = Tensor4(dims: [layer.n, layer.m, layer.e, layer.f], values: try run.plan.readOfmap(lines: run.ofmapLines))
            if let pool = stage.poolAfter {
                input = HostOps.maxPool(written, size: pool.size, stride: pool.stride)
                codedInput = nil
                source = "host: \(pool.size)x\(pool.size)/\(pool.stride) max pool of \(layer.name)'s output, golden encoder"
            } else {
                input = written
                codedInput = run.ofmapLines
                source = "hardware: \(layer.name)'s coded output as the RTL wrote it"
            }
        }
        return (NetworkResult(network: network.name, seed: options.seed, layers: results, notRun: []), input)
    }
}
