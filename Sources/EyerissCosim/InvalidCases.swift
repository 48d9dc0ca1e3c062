import EyerissConfig
import EyerissGolden
import EyerissMapper

/// A configuration, layer or shift that must be rejected before anything is simulated, and
/// the text its error must contain: the field, usually with its value ("array.rows = 0",
/// "stride = -2", "pe.ifmapSpadWords = 4").
public struct InvalidCase: Sendable, CustomStringConvertible {
    /// Where it must be rejected.
    public enum Stage: String, Sendable, CaseIterable {
        /// `ConfigLoader.load` (unknown key, wrong type) or `AcceleratorConfig.validated()`.
        case configuration
        /// `LayerShape.validated()`.
        case layer
        /// `Mapper.map`: a valid layer on a valid configuration that no mapping fits.
        case mapping
    }

    public var name: String
    public var overrides: [String]
    public var layer: LayerShape
    public var shift: Int
    public var stage: Stage
    /// The field the error must name: a configuration key, a `LayerShape` field or "shift".
    public var field: String
    /// Text the error message must contain; it contains `field`.
    public var expected: String
    /// The valid configuration and layer (at shift 12) it was broken from.
    public var baseOverrides: [String]
    public var baseLayer: LayerShape

    public var description: String {
        "\(name): \(stage.rawValue) must reject \(expected) (--set \(overrides.joined(separator: " --set ")), \(layer), shift \(shift))"
    }

    /// The stage that rejects `overrides`, `layer` and `shift`, and its message; nil when all
    /// three are accepted. Stages run in the CLI's order: configuration, layer, mapping.
    public static func rejection(overrides: [String], layer: LayerShape, shift: Int) -> (stage: Stage, message: String)? {
        let config: ValidConfig
        do {
            config = try ConfigLoader.load(file: nil, overrides: overrides).validated()
        } catch {
            return (.configuration, "\(error)")
        }
        do { _ = try layer.validated() } catch { return (.layer, "\(error)") }
        do { _ = try Mapper.map(layer: layer, config: config, shift: shift) } catch { return (.mapping, "\(error)") }
        return nil
    }
}

/// Constrained-random invalid inputs: each is a valid random configuration and layer
/// (`RandomCases`) with exactly one thing broken, and the field its error must name.
public enum InvalidCases {
    /// `count` invalid cases from `seed`, cycling through every kind of breakage, so any
    /// `count` of at least `kinds` covers each kind once.
    public static func generate(count: Int, seed: UInt64) throws -> [InvalidCase] {
        var rng = SplitMix64(seed: seed)
        var out: [InvalidCase] = []
        for i in 0..<count {
            let base = RandomCases.configuration(using: &rng)
            let layer = try RandomCases.layer(named: "invalid\(i)", config: base.config, using: &rng)
            let breaker = breakers[i % breakers.count]
            out.append(breaker(InvalidCase(name: "invalid\(i)", overrides: base.overrides, layer: layer, shift: 12,
                                           stage: .configuration, field: "", expected: "",
                                           baseOverrides: base.overrides, baseLayer: layer), &rng))
        }
        return out
    }

    /// The number of kinds of breakage.
    public static var kinds: Int { breakers.count }

    private typealias Breaker = (InvalidCase, inout SplitMix64) -> InvalidCase

    /// A value outside `valid`: below it (down to `valid.lowerBound - 5`) or above it.
    private static func outside(_ valid: ClosedRange<Int>, rng: inout SplitMix64) -> Int {
        Int.random(in: 0...1, using: &rng) == 0
            ? valid.lowerBound - Int.random(in: 1...5, using: &rng)
            : valid.upperBound + Int.random(in: 1...1000, using: &rng)
    }

    /// A value in `range` that is not a power of two.
    private static func notPowerOfTwo(in range: ClosedRange<Int>, rng: inout SplitMix64) -> Int {
        while true {
            let v = Int.random(in: range, using: &rng)
            if v & (v - 1) != 0 { return v }
        }
    }

    /// A configuration field set to `value`; `ConfigError` prints "field = value".
    private static func setting(_ c: InvalidCase, _ field: String, _ value: some CustomStringConvertible) -> InvalidCase {
        var c = c
        c.name += "-\(field)"
        c.overrides.append("\(field)=\(value)")
        c.stage = .configuration
        c.field = field
        c.expected = "\(field) = \(value)"
        return c
    }

    /// A layer field set to `value`; `LayerShapeError` prints "field = value".
    private static func shaping(_ c: InvalidCase, _ field: String, _ value: Int,
                                _ apply: (inout LayerShape, Int) -> Void) -> InvalidCase {
        var c = c
        c.name += "-\(field)"
        apply(&c.layer, value)
        c.stage = .layer
        c.field = field
        c.expected = "\(field) = \(value)"
        return c
    }

    private static func range(_ field: String, _ valid: ClosedRange<Int>) -> Breaker {
        { c, rng in setting(c, field, outside(valid, rng: &rng)) }
    }

    private static let breakers: [Breaker] = [
        // Configuration values out of range or breaking a rule.
        range("array.rows", 1...64),
        range("array.columns", 1...64),
        { c, rng in setting(c, "pe.fifoDepth", notPowerOfTwo(in: 3...255, rng: &rng)) },
        range("pe.filterSpadWords", 1...65536),
        range("pe.ifmapSpadWords", 1...4096),
        range("pe.psumSpadWords", 1...4096),
        { c, rng in setting(c, "globalBuffer.bankWords", notPowerOfTwo(in: 17...4000, rng: &rng)) },
        range("globalBuffer.fmapBanks", 2...1024),
        range("globalBuffer.filterBanks", 1...64),
        range("counters.bits", 16...64),
        // 16-bit data: psums of 16 to 32 bits.
        range("fixedPoint.psumBits", 16...32),
        { c, rng in setting(c, "noc.ifmapBusBits", [8, 32, 64][Int.random(in: 0...2, using: &rng)]) },
        { c, rng in setting(c, "rlc.levelBits", [8, 12, 32][Int.random(in: 0...2, using: &rng)]) },
        { c, rng in setting(c, "dram.busBits", [24, 48, 96][Int.random(in: 0...2, using: &rng)]) },
        { c, rng in setting(c, "dram.bytesPerCycle", [0.0, -1.5, 8.5, 100.0][Int.random(in: 0...3, using: &rng)]) },
        // Too few row tags for the array: 2^bits < rows (the random arrays have 2 to 6 rows).
        { c, rng in
            let rows = Int.random(in: 5...64, using: &rng)
            var c = setting(c, "noc.rowTagBits", 2)
            c.overrides.insert("array.rows=\(rows)", at: c.overrides.count - 1)
            return c
        },
        // Not a value of the field's type, and a key that does not exist.
        { c, rng in
            var c = c
            let word = ["three", "1.5", "yes", "0x10"][Int.random(in: 0...3, using: &rng)]
            c.name += "-type"
            c.overrides.append("array.columns=\(word)")
            (c.stage, c.field, c.expected) = (.configuration, "array.columns", "array.columns must be an integer")
            return c
        },
        { c, rng in
            var c = c
            let key = ["array.rowz", "pe.fifodepth", "globalBuffer.banks", "noc.tagBits"][Int.random(in: 0...3, using: &rng)]
            c.name += "-key"
            c.overrides.append("\(key)=4")
            (c.stage, c.field, c.expected) = (.configuration, key, "unknown key '\(key)'")
            return c
        },
        // Layer fields.
        { c, rng in shaping(c, "n", -Int.random(in: 0...3, using: &rng)) { $0.n = $1 } },
        { c, rng in shaping(c, "c", -Int.random(in: 0...3, using: &rng)) { $0.c = $1 } },
        { c, rng in shaping(c, "h", -Int.random(in: 0...3, using: &rng)) { $0.h = $1 } },
        { c, rng in shaping(c, "m", -Int.random(in: 0...3, using: &rng)) { $0.m = $1 } },
        { c, rng in shaping(c, "stride", -Int.random(in: 0...3, using: &rng)) { $0.stride = $1 } },
        { c, rng in shaping(c, "padding", -Int.random(in: 1...3, using: &rng)) { $0.padding = $1 } },
        // Groups that do not divide the input channels: more groups than channels.
        { c, rng in shaping(c, "groups", c.layer.c + Int.random(in: 1...4, using: &rng)) { $0.groups = $1 } },
        // A filter taller or wider than the padded input.
        { c, rng in shaping(c, "r", c.layer.paddedH + Int.random(in: 1...5, using: &rng)) { $0.r = $1 } },
        { c, rng in shaping(c, "s", c.layer.paddedW + Int.random(in: 1...5, using: &rng)) { $0.s = $1 } },
        // Valid layers no mapping fits: a filter row wider than a scratchpad, a shift outside
        // the product.
        { c, rng in
            var c = c
            let words = Int.random(in: 1...10, using: &rng)
            c.layer.s = words + Int.random(in: 1...3, using: &rng)
            c.layer.w = max(c.layer.w, c.layer.s)
            c.name += "-ifmapSpad"
            c.overrides.append("pe.ifmapSpadWords=\(words)")
            (c.stage, c.field, c.expected) = (.mapping, "pe.ifmapSpadWords", "pe.ifmapSpadWords = \(words)")
            return c
        },
        { c, rng in
            var c = c
            let words = Int.random(in: 1...10, using: &rng)
            c.layer.s = words + Int.random(in: 1...2, using: &rng)
            c.layer.w = max(c.layer.w, c.layer.s)
            c.name += "-filterSpad"
            c.overrides += ["pe.ifmapSpadWords=16", "pe.filterSpadWords=\(words)"]
            (c.stage, c.field, c.expected) = (.mapping, "pe.filterSpadWords", "pe.filterSpadWords = \(words)")
            return c
        },
        { c, rng in
            var c = c
            c.shift = Int.random(in: 0...1, using: &rng) == 0 ? -Int.random(in: 1...8, using: &rng) : Int.random(in: 32...99, using: &rng)
            c.name += "-shift"
            (c.stage, c.field, c.expected) = (.mapping, "shift", "shift = \(c.shift)")
            return c
        },
    ]
}
