import EyerissConfig
import EyerissMapper
import EyerissGolden

/// The regression suites: lists of cases generated from a seed, the same list for the same
/// seed on any machine.
///
/// Each configuration costs one Verilator build the first time (20-40 s for a small array,
/// 50-70 s for the 12 x 14), cached afterwards, so the suites use few configurations and
/// many layers on each.
public enum RegressionSuite: String, CaseIterable, Codable, Sendable {
    /// 54 random layers on 3 x 4 and 6 x 7 arrays (12 of them with hostile DRAM) and two
    /// AlexNet-like layers on 6 x 7: under a minute on 2 cores with an empty build cache.
    case quick
    /// 183 cases: more random layers on 3 x 4 and 6 x 7, three random small configurations,
    /// and on the published 12 x 14 random layers, reduced AlexNet and VGG-16 layers and the
    /// five full-size AlexNet CONV layers.
    case full

    /// The cases of the suite for `seed`, numbered from 1.
    public func cases(seed: UInt64) throws -> [RegressionCase] {
        var b = SuiteBuilder(seed: seed)
        let small = try NamedConfiguration.array(3, 4), medium = try NamedConfiguration.array(6, 7)
        switch self {
        case .quick:
            try b.random(30, on: small, hostileEvery: 5)
            try b.random(24, on: medium, hostileEvery: 4)
            try b.named(RegressionLayers.alexnetLike, on: medium)
        case .full:
            try b.random(60, on: small, hostileEvery: 5)
            try b.random(48, on: medium, hostileEvery: 5)
            var rng = SplitMix64(seed: seed ^ streamKey("configurations"))
            for _ in 0..<3 {
                try b.random(16, on: RandomCases.configuration(using: &rng), hostileEvery: 5)
            }
            try b.named(RegressionLayers.alexnetLike, on: medium)
            let chip = try NamedConfiguration.chip()
            try b.random(8, on: chip, hostileEvery: 0)
            try b.named(RegressionLayers.alexnetReduced + RegressionLayers.vggReduced, on: chip)
            try b.named([RegressionLayers.alexnetReduced[2], RegressionLayers.alexnetReduced[4]], on: chip, hostile: true)
            try b.named(BuiltinLayers.alexnet, on: chip)
        }
        return b.cases
    }
}

/// Named layers of the suites: the networks' shapes with fewer channels and filters (same
/// filter size, stride, padding, groups and, unless marked "like", the same input size), so
/// a case takes seconds, not minutes.
public enum RegressionLayers {
    /// AlexNet CONV1 (11 x 11, stride 4) and CONV2 (5 x 5, pad 2, two groups) on small inputs.
    public static let alexnetLike = [
        LayerShape(name: "alexnet.conv1-like", n: 1, c: 3, h: 31, w: 31, m: 4, r: 11, s: 11, stride: 4, padding: 0),
        LayerShape(name: "alexnet.conv2-like", n: 2, c: 4, h: 9, w: 9, m: 6, r: 5, s: 5, stride: 1, padding: 2, groups: 2),
    ]

    /// AlexNet CONV1-CONV5 at full input size with a few channels and filters.
    public static let alexnetReduced = [
        LayerShape(name: "alexnet.conv1-reduced", n: 1, c: 3, h: 227, w: 227, m: 8, r: 11, s: 11, stride: 4, padding: 0),
        LayerShape(name: "alexnet.conv2-reduced", n: 1, c: 16, h: 27, w: 27, m: 32, r: 5, s: 5, stride: 1, padding: 2, groups: 2),
        LayerShape(name: "alexnet.conv3-reduced", n: 1, c: 24, h: 13, w: 13, m: 30, r: 3, s: 3, stride: 1, padding: 1),
        LayerShape(name: "alexnet.conv4-reduced", n: 1, c: 32, h: 13, w: 13, m: 32, r: 3, s: 3, stride: 1, padding: 1, groups: 2),
        LayerShape(name: "alexnet.conv5-reduced", n: 2, c: 32, h: 13, w: 13, m: 24, r: 3, s: 3, stride: 1, padding: 1, groups: 2),
    ]

    /// The first layer of each VGG-16 block at full input size with a few channels and filters.
    public static let vggReduced = [
        LayerShape(name: "vgg16.conv1_1-reduced", n: 1, c: 3, h: 224, w: 224, m: 8, r: 3, s: 3, stride: 1, padding: 1),
        LayerShape(name: "vgg16.conv2_1-reduced", n: 1, c: 8, h: 112, w: 112, m: 8, r: 3, s: 3, stride: 1, padding: 1),
        LayerShape(name: "vgg16.conv3_1-reduced", n: 1, c: 16, h: 56, w: 56, m: 16, r: 3, s: 3, stride: 1, padding: 1),
        LayerShape(name: "vgg16.conv4_1-reduced", n: 1, c: 32, h: 28, w: 28, m: 24, r: 3, s: 3, stride: 1, padding: 1),
        LayerShape(name: "vgg16.conv5_1-reduced", n: 2, c: 48, h: 14, w: 14, m: 40, r: 3, s: 3, stride: 1, padding: 1),
    ]
}

/// Appends cases, numbering them and drawing their data from streams keyed by configuration
/// and layer, so adding cases to one part of a suite leaves the others unchanged.
struct SuiteBuilder {
    let seed: UInt64
    var cases: [RegressionCase] = []

    init(seed: UInt64) { self.seed = seed }

    /// `count` random layers on `config`; every `hostileEvery`-th (if not 0) with hostile DRAM;
    /// every third with coded fmaps and ReLU (`-rlc`), so the codec meets hostile DRAM too; every
    /// other of those stores by row chunk and, where its tiles hold whole channels, reads a code
    /// per channel (`-codes`).
    mutating func random(_ count: Int, on config: NamedConfiguration, hostileEvery: Int) throws {
        var rng = SplitMix64(seed: seed ^ streamKey("random/\(config.name)"))
        for i in 0..<count {
            let label = i < 10 ? "0\(i)" : "\(i)"
            let shift = Int.random(in: 2...14, using: &rng)
            let layer = try RandomCases.layer(named: "random\(label)", config: config.config, shift: shift, using: &rng)
            let sparsity = Double(Int.random(in: 0...18, using: &rng)) / 20
            let hostile = hostileEvery > 0 && i % hostileEvery == hostileEvery - 1
            var io: LayerIO = i % 3 == 2 ? .hidden : .raw
            if i % 6 == 5 {
                io.ofmapCodeByRowChunk = true
                if try Mapper.map(layer: layer, config: config.config, shift: shift, io: io).tilesHoldWholeCodes(of: layer.h) {
                    io.ifmapCodeRows = layer.h
                }
            }
            let kind = io == .raw ? "" : io.ofmapCodeByRowChunk ? "-rlc-codes" : "-rlc"
            try append(name: "\(config.name)/random\(label)\(kind)\(hostile ? "-hostile" : "")", config: config,
                       layer: layer, sparsity: sparsity, shift: shift, seed: rng.next() >> 44, hostile: hostile, io: io)
        }
    }

    /// Fixed layers on `config` with sparsity 0.5 and the default shift; seeds from the stream.
    mutating func named(_ layers: [LayerShape], on config: NamedConfiguration, hostile: Bool = false) throws {
        for layer in layers {
            var rng = SplitMix64(seed: seed ^ streamKey("named/\(config.name)/\(layer.name)/\(hostile)"))
            try append(name: "\(config.name)/\(layer.name)\(hostile ? "-hostile" : "")", config: config, layer: layer,
                       sparsity: 0.5, shift: 12, seed: rng.next() >> 44, hostile: hostile)
        }
    }

    private mutating func append(name: String, config: NamedConfiguration, layer: LayerShape, sparsity: Double,
                                 shift: Int, seed: UInt64, hostile: Bool, io: LayerIO = .raw) throws {
        do {
            cases.append(try RegressionCase(index: cases.count + 1, name: name, configuration: config, layer: layer,
                                            sparsity: sparsity, shift: shift, seed: seed, hostileDRAM: hostile, io: io))
        } catch {
            throw RegressionError("suite case \(name) does not map on \(config.name): \(error)")
        }
    }
}

/// A 64-bit stream selector from a text, stable across processes.
func streamKey(_ text: String) -> UInt64 {
    UInt64(fnv1a64Hex(text), radix: 16)!
}

/// A regression input that cannot be used: a bad shard, a suite case that does not map.
public struct RegressionError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
