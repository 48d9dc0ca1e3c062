import EyerissConfig
import EyerissGolden
import EyerissMapper

/// Constrained-random co-simulation inputs: layer shapes and small accelerator
/// configurations, every one valid and every layer mappable on its configuration, drawn
/// from a seed so that a run is replayed by its seed.
///
/// The draws cover what has broken row-stationary designs before: strides 1, 2 and 4 (wider
/// than a 1 x 1 filter too), filters of 1 to 11 rows (taller than a small array, so the mapper
/// folds them), zero padding 0-2, two channel groups, batches of two, and channel and filter
/// counts (up to 5 x groups and 7 x groups) that divide no array dimension.
public enum RandomCases {
    /// Filter heights and widths drawn.
    public static let filterSizes = [1, 2, 3, 5, 7, 11]
    /// Strides drawn.
    public static let strides = [1, 2, 4]
    /// Give up on a configuration after this many shapes that do not map: it is not a
    /// configuration these draws suit.
    static let attemptsPerLayer = 10_000

    /// One random layer that validates and that `Mapper.map` maps onto `config` at `shift`.
    ///
    /// The draws, in order: R, S, stride, groups, padding, N, C, H, W, M. A shape that does not
    /// map is drawn again, so for a configuration on which every draw maps the sequence is
    /// fixed by the seed alone.
    public static func layer(named name: String, config: ValidConfig, shift: Int = 12,
                             using rng: inout SplitMix64) throws -> LayerShape {
        func pick(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
        for _ in 0..<attemptsPerLayer {
            let r = filterSizes[pick(0...filterSizes.count - 1)]
            let s = filterSizes[pick(0...filterSizes.count - 1)]
            let stride = strides[pick(0...strides.count - 1)]
            let groups = pick(0...3) == 0 ? 2 : 1
            let padding = pick(0...2)
            // The input is at least as large as the filter once padded.
            let minH = max(1, r - 2 * padding), minW = max(1, s - 2 * padding)
            let shape = LayerShape(name: name, n: pick(1...2), c: groups * pick(1...5),
                                   h: pick(minH...minH + 9), w: pick(minW...minW + 12),
                                   m: groups * pick(1...7), r: r, s: s, stride: stride, padding: padding, groups: groups)
            if (try? shape.validated()) != nil, (try? Mapper.map(layer: shape, config: config, shift: shift)) != nil {
                return shape
            }
        }
        throw RandomCaseError(message: "no random layer maps on the configuration after \(attemptsPerLayer) draws")
    }

    /// `count` random layers from `seed`, named `random0`, `random1`, ..., each mappable on
    /// `config`.
    public static func layers(count: Int, seed: UInt64, config: ValidConfig, shift: Int = 12) throws -> [LayerShape] {
        var rng = SplitMix64(seed: seed)
        return try (0..<count).map { try layer(named: "random\($0)", config: config, shift: shift, using: &rng) }
    }

    /// A random small configuration: an array of 2 x 3 to 6 x 7 PEs and, each with a chance
    /// of one in three, other FIFO, scratchpad and global buffer sizes. Returned as `--set`
    /// overrides (deltas from the published chip) with a name that spells the deltas, e.g.
    /// `4x5-fifo2-psum8`. Always valid.
    public static func configuration(using rng: inout SplitMix64) -> NamedConfiguration {
        func pick(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
        while true {
            let rows = pick(2...6), columns = pick(3...7)
            var overrides = ["array.rows=\(rows)", "array.columns=\(columns)"]
            var name = "\(rows)x\(columns)"
            // (key, values, short name): one in three configurations changes each.
            let optional: [(String, [Int], String)] = [
                ("pe.fifoDepth", [2, 8], "fifo"),
                ("pe.ifmapSpadWords", [11, 16], "ifmap"),
                ("pe.psumSpadWords", [4, 8, 16], "psum"),
                ("pe.filterSpadWords", [112, 160], "filter"),
                ("globalBuffer.fmapBanks", [8, 16], "banks"),
                ("globalBuffer.bankWords", [128, 256], "bank"),
            ]
            for (key, values, short) in optional where pick(0...2) == 0 {
                let value = values[pick(0...values.count - 1)]
                overrides.append("\(key)=\(value)")
                name += "-\(short)\(value)"
            }
            if let named = try? NamedConfiguration(name: name, overrides: overrides) { return named }
        }
    }
}

/// A random draw that could not be satisfied.
public struct RandomCaseError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
