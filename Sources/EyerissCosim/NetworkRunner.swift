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

    /// Layers co-simulated at once, each on its own thread and model. With more than one, a
    /// layer's ifmap is the golden model's output of the layer before instead of the bytes the
    /// RTL wrote; the two are equal whenever that layer passes, since its check compares every
    /// value and code word with that same golden output.
    public var jobs: Int
    /// What the mapper's ranking minimizes, for every layer.
    public var objective: MappingObjective

    public init(seed: UInt64 = 1, dram: DRAMBehaviour? = nil, watchdogCycles: UInt64 = 200_000, image: Tensor4? = nil,
                jobs: Int = 1, objective: MappingObjective = .balanced) {
        self.objective = objective
        self.seed = seed
        self.dram = dram
        self.watchdogCycles = watchdogCycles
        self.image = image
        self.jobs = jobs
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
        guard options.jobs >= 1 else { throw CosimError.badArgument("jobs must be at least 1, got \(options.jobs)") }
        var rng = SplitMix64(seed: options.seed)
        let image = try firstImage(network, options: options, rng: &rng)
        if options.jobs > 1 && network.stages.count > 1 {
            return try runParallel(network, config: config, options: options, image: image, rng: &rng, logger: logger)
        }
        var input = image
        var codedInput: [UInt64]?
        var source = options.image == nil ? "image, raw" : "the given image, raw"
        var results: [NetworkLayerResult] = []
        var inputCodeRows = 1
        for (k, stage) in network.stages.enumerated() {
            let (layer, weights, runOptions, plan) = try stageData(k, network, input: input, inputCodeRows: inputCodeRows,
                                                                   config: config, options: options, rng: &rng)
            inputCodeRows = plan.layout.ofmapRowsPerSlot
            if network.hostPoolsInput(of: k) { source += Self.hostFormat(runOptions.io) }
            let shift = runOptions.shift
            logger.info("\(layer.name): shift \(shift), ifmap from \(source)")
            let run = try LayerRunner.runDetailed(layer, config: config, options: runOptions, input: input, weights: weights,
                                                  ifmapLines: codedInput, plan: plan, logger: logger)
            let r = run.result
            logger.info("\(layer.name): \(r.cycles) cycles, \(r.dramBytesRead) DRAM bytes read, \(r.dramBytesWritten) written, \(r.verdict)")
            results.append(NetworkLayerResult(r, plan: run.plan, ifmapSource: source))
            guard r.passed else {
                return (NetworkResult(network: network.name, seed: options.seed, layers: results,
                                      notRun: network.stages.dropFirst(k + 1).map(\.layer.name)), nil)
            }
            // The next layer's input: what the hardware wrote.
            let written = Tensor4(dims: run.plan.ofmapDims, values: try run.plan.readOfmap(lines: run.ofmapLines))
            if let pool = stage.poolAfter {
                input = Self.hostPool(written, pool, io: run.plan.io)
                codedInput = nil
                source = Self.poolSource(pool, io: run.plan.io, of: "\(layer.name)'s output")
            } else {
                input = written
                codedInput = run.ofmapLines
                source = "hardware: \(layer.name)'s coded output as the RTL wrote it"
            }
        }
        return (NetworkResult(network: network.name, seed: options.seed, layers: results, notRun: []), input)
    }
}

extension NetworkRunner {
    /// The first layer's image: the given one, or random pixels. Drawn even when an image is
    /// given, so the weights drawn after it are the same either way.
    static func firstImage(_ network: Network, options: NetworkRunOptions, rng: inout SplitMix64) throws -> Tensor4 {
        guard let first = network.stages.first?.layer else { throw CosimError.badArgument("\(network.name) has no layers") }
        let imageDims = [first.n, first.c, first.h, first.w]
        let randomImage = NetworkData.image(dims: imageDims, rng: &rng)
        if let image = options.image, image.dims != imageDims {
            throw CosimError.badArgument("\(first.name) takes an image of \(imageDims), the given one is \(image.dims)")
        }
        return options.image ?? randomImage
    }

    /// Stage `k`'s layer, its weights (drawn from `rng`, which therefore must advance in stage
    /// order), its run options and its plan, for `input` from the stage before, whose codes hold
    /// `inputCodeRows` rows when the hardware wrote it.
    static func stageData(_ k: Int, _ network: Network, input: Tensor4, inputCodeRows: Int, config: ValidConfig,
                          options: NetworkRunOptions, rng: inout SplitMix64)
        throws -> (layer: LayerShape, weights: Tensor4, options: LayerRunOptions, plan: LayerPlan) {
        let stage = network.stages[k]
        let fp = FixedPoint(config)
        let layer = try stage.layer.validated()
        guard input.dims == [layer.n, layer.c, layer.h, layer.w] else {
            throw CosimError.badArgument("\(layer.name) takes [\(layer.n), \(layer.c), \(layer.h), \(layer.w)], the previous stage gives \(input.dims)")
        }
        let (weights, shift) = NetworkData.weights(for: layer, input: input, targetZeroFraction: stage.targetZeroFraction,
                                                   fixedPoint: fp, rng: &rng)
        var io = k == 0 ? LayerIO.first : .hidden
        io.rowPool = storeRowPool(stage, f: layer.f)
        // The host writes a pooled ifmap itself (the hardware's own output is coded as it was
        // written): raw where that is smaller, as for dense fmaps (a code pair is 21 bits, a raw
        // value 16), and in codes of several rows where the mapping's tiles hold whole channels.
        if network.hostPoolsInput(of: k) {
            let plan = try Mapper.map(layer: layer, config: config, shift: shift, io: io, objective: options.objective)
            let rows = plan.tilesHoldWholeCodes(of: layer.h) ? hostCodeRows(plan) : 1
            io.ifmapRLC = ifmapCodeIsSmaller(input, code: RunLengthCode(config), lanes: config.dramLanes, codeRows: rows)
            io.ifmapCodeRows = io.ifmapRLC ? rows : 1
        } else if k > 0 {
            io.ifmapCodeRows = inputCodeRows
        }
        // Stores code a row chunk's rows as one code where the mapping allows, unless the next
        // layer reads the hardware's output with tiles that do not hold whole such codes (the
        // host decodes any codes it pools, and the last layer's output).
        func map(_ io: LayerIO) throws -> LayerPlan {
            try Mapper.map(layer: layer, config: config, shift: shift, io: io, objective: options.objective)
        }
        var byRowChunk: LayerPlan?
        if io.ofmapRLC {
            io.ofmapCodeByRowChunk = true
            let plan = try map(io)
            let rows = plan.layout.ofmapRowsPerSlot
            io.ofmapCodeByRowChunk = rows > 1
            if rows > 1 && k + 1 < network.stages.count && !network.hostPoolsInput(of: k + 1) {
                let next = try network.stages[k + 1].layer.validated()
                io.ofmapCodeByRowChunk = try Mapper.map(layer: next, config: config, shift: 0, io: .hidden, objective: options.objective)
                    .tilesHoldWholeCodes(of: rows)
            }
            byRowChunk = plan
        }
        let runOptions = LayerRunOptions(seed: options.seed &+ UInt64(k), sparsity: 0, shift: shift, dram: options.dram,
                                         watchdogCycles: options.watchdogCycles, io: io, objective: options.objective)
        // The plan keeps the io it was made for, clamped (`LayerPlan.io`): the probe's, when that is this one.
        let plan = try byRowChunk.flatMap { $0.io == io ? $0 : nil } ?? map(io)
        return (layer, weights, runOptions, plan)
    }

    /// Codes of a tile that keep the RLC loader's reads flowing: each code has one DRAM read in
    /// flight at a time and the loader keeps 8 codes open, so a tile of fewer, longer codes waits
    /// on its longest one. Three codes per open slot measured best on AlexNet CONV3 at batch 1
    /// (8 channels a tile; 2026-12-06): a code per channel 1,409,681 cycles, two 1,373,521,
    /// three 1,366,469 (a code per row 1,368,905), for 2,002.1, 2,002.9 and 2,005.2 kB of DRAM
    /// (a code per row 2,076.8).
    public static let hostCodesPerTile = 24

    /// Rows per code for an ifmap the host codes for `plan`, whose tiles hold whole channels:
    /// the channel's rows in as few codes as give each tile `hostCodesPerTile`.
    public static func hostCodeRows(_ plan: LayerPlan) -> Int {
        let channels = plan.passes.map(\.geometry.channels).max() ?? 1
        let codes = min(plan.layer.h, (hostCodesPerTile + channels - 1) / channels)
        return (plan.layer.h + codes - 1) / codes
    }

    /// The row pool the store engine does for a stage: the row half of the pooling after it,
    /// when the engine has that window and its windows cover the rows exactly (else the host
    /// pools alone).
    static func storeRowPool(_ stage: Network.Stage, f: Int) -> RowPool? {
        guard let pool = stage.poolAfter, let rowPool = RowPool(size: pool.size, stride: pool.stride),
              rowPool.coversExactly(width: f) else { return nil }
        return rowPool
    }

    /// What the host makes of a layer's stored output before the next layer: the rest of the
    /// pooling, down the columns when the store engine pooled the rows, else all of it.
    static func hostPool(_ stored: Tensor4, _ pool: (size: Int, stride: Int), io: LayerIO) -> Tensor4 {
        io.rowPool != nil ? HostOps.columnMaxPool(stored, size: pool.size, stride: pool.stride)
            : HostOps.maxPool(stored, size: pool.size, stride: pool.stride)
    }

    /// Where a pooled ifmap came from, for the log and the report.
    static func poolSource(_ pool: (size: Int, stride: Int), io: LayerIO, of what: String) -> String {
        let window = "\(pool.size)x\(pool.size)/\(pool.stride) max pool"
        return io.rowPool != nil ? "store engine and host: the \(window) of \(what), rows on the chip, columns on the host"
            : "host: \(window) of \(what)"
    }

    /// How the host wrote a pooled ifmap, for the log and the report.
    static func hostFormat(_ io: LayerIO) -> String {
        io.ifmapCodeRows > 1 ? ", golden encoder, a code per \(io.ifmapCodeRows) rows" : io.ifmapRLC ? ", golden encoder" : ", raw (smaller than its code)"
    }

    /// Whether `input` takes fewer DRAM lines run-length coded (a code per `codeRows` rows of a
    /// channel) than raw (`ceil(W / lanes)` lines a row).
    public static func ifmapCodeIsSmaller(_ input: Tensor4, code: RunLengthCode, lanes: Int, codeRows: Int = 1) -> Bool {
        let (h, width) = (input.dims[2], input.dims[3])
        let rows = input.count / width
        var coded = 0
        for plane in 0..<(rows / h) {
            for r in DRAMLayout.codeRows(of: h, perCode: codeRows) {
                coded += code.encode(row: input.values[((plane * h + r.lowerBound) * width)..<((plane * h + r.upperBound) * width)]).count
            }
        }
        return coded < rows * ((width + lanes - 1) / lanes)
    }

    /// One layer of a parallel run, ready to co-simulate: its data come from the golden chain.
    struct PreparedLayer {
        let index: Int
        let layer: LayerShape
        let input: Tensor4
        let weights: Tensor4
        let expected: Tensor4
        let options: LayerRunOptions
        let source: String
        let plan: LayerPlan
    }

    /// Every layer's data first, from the golden model (which the checks hold the RTL to), then
    /// the layers on `options.jobs` threads, the longest (by the mapper's estimate) first.
    static func runParallel(_ network: Network, config: ValidConfig, options: NetworkRunOptions, image: Tensor4,
                            rng: inout SplitMix64, logger: Logger) throws -> (result: NetworkResult, output: Tensor4?) {
        let fp = FixedPoint(config)
        var input = image
        var source = options.image == nil ? "image, raw" : "the given image, raw"
        var prepared: [PreparedLayer] = []
        var inputCodeRows = 1
        for (k, stage) in network.stages.enumerated() {
            let (layer, weights, runOptions, plan) = try stageData(k, network, input: input, inputCodeRows: inputCodeRows,
                                                                   config: config, options: options, rng: &rng)
            inputCodeRows = plan.layout.ofmapRowsPerSlot
            if network.hostPoolsInput(of: k) { source += Self.hostFormat(runOptions.io) }
            let shift = runOptions.shift
            logger.info("\(layer.name): golden model")
            let expected = LayerRunner.golden(layer, io: runOptions.io, input: input, weights: weights, shift: shift, fixedPoint: fp)
            prepared.append(PreparedLayer(index: k, layer: layer, input: input, weights: weights, expected: expected,
                                          options: runOptions, source: source, plan: plan))
            if let pool = stage.poolAfter {
                input = Self.hostPool(expected, pool, io: runOptions.io)
                source = Self.poolSource(pool, io: runOptions.io, of: "\(layer.name)'s golden output")
            } else {
                input = expected
                source = "golden encoder: \(layer.name)'s golden output (its RTL code words are checked equal to it)"
            }
        }
        let library = try AcceleratorSimulator.library(config: config)
        let dram = options.dram ?? .nominal(config)
        let order = prepared.sorted { $0.plan.statistics.estimatedCycles > $1.plan.statistics.estimatedCycles }.map(\.index)
        logger.info("\(network.name): \(prepared.count) layers on \(min(options.jobs, prepared.count)) threads, in the order \(order.map { prepared[$0].layer.name }.joined(separator: ", "))")
        let outcomes = ParallelWork(count: prepared.count, order: order, threads: options.jobs) { k in
            let p = prepared[k]
            logger.info("\(p.layer.name): shift \(p.options.shift), ifmap from \(p.source)")
            let run = try LayerRunner.runDetailed(p.layer, config: config, options: p.options, input: p.input,
                                                  weights: p.weights, expected: p.expected, plan: p.plan,
                                                  simulator: { lines in
                                                      try AcceleratorSimulator(library: library, config: config, seed: p.options.seed,
                                                                               dramLines: lines, dram: dram)
                                                  }, logger: logger)
            let r = run.result
            logger.info("\(p.layer.name): \(r.cycles) cycles, \(r.dramBytesRead) DRAM bytes read, \(r.dramBytesWritten) written, \(r.verdict)")
            let written = Tensor4(dims: run.plan.ofmapDims, values: try run.plan.readOfmap(lines: run.ofmapLines))
            return (NetworkLayerResult(r, plan: run.plan, ifmapSource: p.source), written)
        }.run()
        var results: [NetworkLayerResult] = []
        var output: Tensor4?
        for (k, outcome) in outcomes.enumerated() {
            let (layerResult, written) = try outcome.get()
            results.append(layerResult)
            if k == outcomes.count - 1, layerResult.result.passed {
                output = network.stages[k].poolAfter.map { hostPool(written, $0, io: prepared[k].plan.io) } ?? written
            }
        }
        let result = NetworkResult(network: network.name, seed: options.seed, layers: results, notRun: [])
        return (result, result.passed ? output : nil)
    }
}

extension NetworkLayerResult {
    /// A co-simulated layer with its DRAM bytes split into fmaps and the rest.
    init(_ r: LayerResult, plan: LayerPlan, ifmapSource: String) {
        let st = plan.statistics
        let wordBytes = UInt64(plan.config.raw.fixedPoint.dataBits / 8)
        let fixedBytes = UInt64(st.programWordsRead + st.filterWordsRead) * wordBytes
        let coded = r.dramBytesRead + r.dramBytesWritten
        self.init(result: r, ifmapSource: ifmapSource, fmapBytesCoded: coded - min(coded, fixedBytes),
                  fmapBytesRaw: UInt64(st.ifmapWordsRead + st.ofmapWordsWritten) * wordBytes,
                  dramBytesCoded: coded, dramBytesRaw: r.rawDRAMBytes)
    }
}

/// Runs `count` jobs on `threads` threads, taking them in `order`; every job runs, and its
/// outcome (a value or the error it threw) is kept at its index. Threads get a large stack: a
/// Verilated model's evaluation functions keep big frames.
final class ParallelWork<Value>: @unchecked Sendable {
    private let body: (Int) throws -> Value
    private let order: [Int]
    private let threads: Int
    private let lock = NSLock()
    private var next = 0
    private var outcomes: [Result<Value, Error>?]

    init(count: Int, order: [Int], threads: Int, body: @escaping (Int) throws -> Value) {
        precondition(Set(order) == Set(0..<count) && order.count == count, "order must list every job once")
        self.body = body
        self.order = order
        self.threads = max(1, min(threads, count))
        outcomes = Array(repeating: nil, count: count)
    }

    func run() -> [Result<Value, Error>] {
        let done = DispatchGroup()
        for _ in 0..<threads {
            done.enter()
            let thread = Thread { [self] in
                while let k = take() {
                    let outcome = Result { try body(k) }
                    lock.lock()
                    outcomes[k] = outcome
                    lock.unlock()
                }
                done.leave()
            }
            thread.stackSize = 64 << 20
            thread.start()
        }
        done.wait()
        return outcomes.map { $0! }
    }

    private func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < order.count else { return nil }
        next += 1
        return order[next - 1]
    }
}
