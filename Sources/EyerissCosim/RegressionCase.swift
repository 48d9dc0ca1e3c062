import EyerissConfig
import EyerissMapper
import EyerissRTL

/// One regression case: a layer on a configuration with its data seed, sparsity, product shift
/// and DRAM behaviour. It runs alone, as `eyeriss cosim <cosimArguments>` in a child process,
/// so its command line is also how a user re-runs it.
public struct RegressionCase: Codable, Equatable, Sendable {
    /// Position in the suite's list, from 1; sharding keeps it.
    public var index: Int
    /// Unique in the suite, e.g. "3x4/random07-hostile".
    public var name: String
    /// The configuration's short name, e.g. "3x4" or "chip".
    public var configuration: String
    /// `--set key=value` deltas from the published chip.
    public var overrides: [String]
    /// `AcceleratorConfig.hashHex` of the configuration: cases that share it share a build.
    public var configHash: String
    /// The layer; its `n` is the batch.
    public var layer: LayerShape
    /// Fraction of zero activations.
    public var sparsity: Double
    /// Product shift.
    public var shift: Int
    /// Seed of the data, the random initial state and the hostile DRAM's pattern.
    public var seed: UInt64
    /// Random extra DRAM latency and stalls (`--hostile-dram`).
    public var hostileDRAM: Bool
    /// Raw or run-length coded fmaps, ReLU or not (`--ifmap-rlc`, `--ofmap-rlc`, `--relu`).
    public var io: LayerIO
    /// The mapper's cycle estimate (nominal DRAM), to size the timeout and order the runs.
    public var estimatedCycles: Int
    /// A deliberate bug to build the design with (`regress --fault`): the case should fail.
    public var fault: Fault?

    /// Builds a case, checking that the layer maps on the configuration.
    public init(index: Int, name: String, configuration: NamedConfiguration, layer: LayerShape, sparsity: Double,
                shift: Int, seed: UInt64, hostileDRAM: Bool, io: LayerIO = .raw) throws {
        let plan = try Mapper.map(layer: layer, config: configuration.config, shift: shift, io: io)
        self.io = io
        self.index = index
        self.name = name
        self.configuration = configuration.name
        self.overrides = configuration.overrides
        self.configHash = configuration.hash
        self.layer = layer
        self.sparsity = sparsity
        self.shift = shift
        self.seed = seed
        self.hostileDRAM = hostileDRAM
        self.estimatedCycles = Int(plan.mapping.estimatedCycles.rounded(.up))
    }

    /// `--shape` text: N,C,H,W,M,R,S,stride,padding,groups.
    public var shapeArgument: String {
        let l = layer
        return [l.n, l.c, l.h, l.w, l.m, l.r, l.s, l.stride, l.padding, l.groups].map(String.init).joined(separator: ",")
    }

    /// The arguments of `eyeriss cosim` that run this case and print its result as JSON.
    public var cosimArguments: [String] {
        var args: [String] = overrides.flatMap { ["--set", $0] }
        args += ["--shape", shapeArgument, "--seed", "\(seed)", "--sparsity", "\(sparsity)", "--shift", "\(shift)"]
        if hostileDRAM { args.append("--hostile-dram") }
        if io.ifmapRLC { args.append("--ifmap-rlc") }
        if io.ofmapRLC { args.append("--ofmap-rlc") }
        if io.ifmapCodeRows > 1 { args.append("--ifmap-by-channel") }
        if io.ofmapCodeByRowChunk { args.append("--ofmap-by-row-chunk") }
        if io.relu { args.append("--relu") }
        if let fault { args += ["--fault", fault.rawValue] }
        return args + ["--json"]
    }

    /// The full command: `executable cosim <cosimArguments>`.
    public func command(executable: String) -> [String] {
        [executable, "cosim"] + cosimArguments
    }

    /// One line for listings: index, name, layer, data.
    public var summary: String {
        let l = layer
        return "\(name): N=\(l.n) C=\(l.c) H=\(l.h) W=\(l.w) M=\(l.m) R=\(l.r) S=\(l.s) stride=\(l.stride) pad=\(l.padding)"
            + " groups=\(l.groups), sparsity \(sparsity), shift \(shift), seed \(seed)" + (hostileDRAM ? ", hostile DRAM" : "")
            + (io.ifmapRLC || io.ofmapRLC ? ", coded fmaps" : "") + (io.ifmapCodeRows > 1 ? ", a code per channel" : "")
            + (io.ofmapCodeByRowChunk ? ", stores by row chunk" : "") + (io.relu ? ", ReLU" : "")
            + ", ~\(estimatedCycles) cycles"
    }
}

/// A command as one shell line: arguments that a POSIX shell would split or expand are
/// single-quoted, so the line can be pasted as it is.
public func shellLine(_ arguments: [String]) -> String {
    arguments.map(shellQuoted).joined(separator: " ")
}

/// `text` quoted for a POSIX shell, unchanged when it needs no quoting.
public func shellQuoted(_ text: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")
    if !text.isEmpty, text.allSatisfy({ safe.contains($0) }) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
