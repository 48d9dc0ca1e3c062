/// A configuration rule that a value broke: names the field, the value and the rule.
public struct ConfigError: Error, Equatable, CustomStringConvertible, Sendable {
    public let field: String
    public let value: String
    public let rule: String

    public init(field: String, value: String, rule: String) {
        self.field = field
        self.value = value
        self.rule = rule
    }

    public var description: String { "invalid configuration: \(field) = \(value): \(rule)" }
}

/// All the rules a configuration broke, reported together so one run shows every mistake.
public struct ConfigErrors: Error, CustomStringConvertible, Sendable {
    public let errors: [ConfigError]

    public init(errors: [ConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A configuration that passed every rule, with the values derived from it computed once.
/// Generators, the golden model and the shim take this, never a raw `AcceleratorConfig`.
public struct ValidConfig: Equatable, Sendable {
    public let raw: AcceleratorConfig

    /// Address widths of the PE scratchpads.
    public let filterSpadAddrBits: Int
    public let ifmapSpadAddrBits: Int
    public let psumSpadAddrBits: Int
    /// Width of the per-layer product shift (0 ..< 2 x dataBits).
    public let productShiftBits: Int
    /// Largest product shift: the kept window can start at any bit of the full product.
    public let maxProductShift: Int
    /// Global buffer capacity in bytes (fmap + filter banks).
    public let globalBufferBytes: Int
    /// Bits used in one RLC word: pairs x (run + level) + 1 last-word flag.
    public let rlcUsedBits: Int
    /// Total PEs.
    public var peCount: Int { raw.array.rows * raw.array.columns }
    /// Data values in one DRAM line (a raw fmap row takes `ceil(W / dramLanes)` lines).
    public var dramLanes: Int { raw.dram.busBits / raw.fixedPoint.dataBits }
    /// Core cycles the DRAM port takes to move one line (at `dram.bytesPerCycle`).
    public var dramCyclesPerLine: Double { Double(raw.dram.busBits / 8) / raw.dram.bytesPerCycle }

    fileprivate init(_ c: AcceleratorConfig) {
        raw = c
        filterSpadAddrBits = bitsToAddress(c.pe.filterSpadWords)
        ifmapSpadAddrBits = bitsToAddress(c.pe.ifmapSpadWords)
        psumSpadAddrBits = bitsToAddress(c.pe.psumSpadWords)
        maxProductShift = 2 * c.fixedPoint.dataBits - 1
        productShiftBits = bitsToHold(maxProductShift)
        globalBufferBytes = (c.globalBuffer.fmapBanks + c.globalBuffer.filterBanks)
            * c.globalBuffer.bankWords * c.globalBuffer.bankBits / 8
        rlcUsedBits = c.rlc.pairsPerWord * (c.rlc.runBits + c.rlc.levelBits) + 1
    }
}

/// Bits needed to address `count` entries (at least 1, so a one-entry memory still has a port).
public func bitsToAddress(_ count: Int) -> Int {
    max(1, bitsToHold(count - 1))
}

/// Bits needed to hold the unsigned value `value` (at least 1).
public func bitsToHold(_ value: Int) -> Int {
    var bits = 1
    while (1 << bits) <= value { bits += 1 }
    return bits
}

extension AcceleratorConfig {
    /// Checks every rule and computes the derived values once. Throws `ConfigErrors` listing
    /// each broken rule with its field, value and allowed range.
    public func validated() throws -> ValidConfig {
        var rules = RuleBook()
        let fp = fixedPoint
        rules.range("array.rows", array.rows, 1...64)
        rules.range("array.columns", array.columns, 1...64)
        rules.range("fixedPoint.dataBits", fp.dataBits, 2...32)
        // The bounds come from dataBits, which may itself be out of range (or overflow when
        // doubled): `range` then reports psumBits as uncheckable instead of building a bad range.
        rules.range("fixedPoint.psumBits", fp.psumBits,
                    from: max(2, fp.dataBits), to: doubled(fp.dataBits).map { max(2, $0) },
                    dependsOn: "fixedPoint.dataBits = \(fp.dataBits)",
                    why: "psums must hold a data word and need not exceed the full product")
        rules.range("pe.filterSpadWords", pe.filterSpadWords, 1...65536)
        rules.range("pe.ifmapSpadWords", pe.ifmapSpadWords, 1...4096)
        rules.range("pe.psumSpadWords", pe.psumSpadWords, 1...4096)
        rules.range("pe.fifoDepth", pe.fifoDepth, 2...256)
        rules.powerOfTwo("pe.fifoDepth", pe.fifoDepth)

        // The psum-carrying buses hold whole psums.
        for (name, bits) in [("noc.filterBusBits", noc.filterBusBits), ("noc.psumBusBits", noc.psumBusBits),
                             ("noc.outputBusBits", noc.outputBusBits), ("noc.localLinkBits", noc.localLinkBits)] {
            rules.range(name, bits, from: fp.psumBits, to: 1024, dependsOn: "fixedPoint.psumBits = \(fp.psumBits)")
            rules.multiple(name, bits, of: fp.psumBits, what: "fixedPoint.psumBits")
        }
        // The ifmap bus carries activations, not psums: one per cycle for now (JSSC 2017: 16 b).
        if noc.ifmapBusBits != fp.dataBits {
            rules.fail("noc.ifmapBusBits", noc.ifmapBusBits,
                       "must equal fixedPoint.dataBits = \(fp.dataBits) (one activation per cycle)")
        }
        rules.range("noc.rowTagBits", noc.rowTagBits, 1...16)
        rules.range("noc.columnTagBits", noc.columnTagBits, 1...16)
        rules.range("noc.ifmapColumnTagBits", noc.ifmapColumnTagBits, 1...16)
        if noc.rowTagBits <= 16, array.rows > 0, array.rows > 1 << noc.rowTagBits {
            rules.fail("noc.rowTagBits", noc.rowTagBits,
                       "must tag every PE row: 2^\(noc.rowTagBits) < array.rows = \(array.rows)")
        }
        if noc.columnTagBits <= 16, array.columns > 1 << noc.columnTagBits {
            rules.fail("noc.columnTagBits", noc.columnTagBits,
                       "must tag every PE column: 2^\(noc.columnTagBits) < array.columns = \(array.columns)")
        }
        // Out-of-range rows or columns are reported above; do not let them overflow here.
        if let diagonals = sum(array.rows, array.columns, -1),
           noc.ifmapColumnTagBits <= 16, diagonals > 1 << noc.ifmapColumnTagBits {
            rules.fail("noc.ifmapColumnTagBits", noc.ifmapColumnTagBits,
                       "must tag every ifmap diagonal: 2^\(noc.ifmapColumnTagBits) < rows + columns - 1 = \(diagonals)")
        }

        rules.range("globalBuffer.bankWords", globalBuffer.bankWords, 16...1 << 20)
        rules.powerOfTwo("globalBuffer.bankWords", globalBuffer.bankWords)
        rules.range("globalBuffer.bankBits", globalBuffer.bankBits, from: fp.dataBits, to: 1024,
                    dependsOn: "fixedPoint.dataBits = \(fp.dataBits)")
        rules.multiple("globalBuffer.bankBits", globalBuffer.bankBits, of: fp.dataBits, what: "fixedPoint.dataBits")
        // DRAM moves whole global buffer lines.
        if globalBuffer.bankBits != dram.busBits {
            rules.fail("globalBuffer.bankBits", globalBuffer.bankBits,
                       "must equal dram.busBits = \(dram.busBits) (a global buffer line is a DRAM line)")
        }
        rules.range("globalBuffer.fmapBanks", globalBuffer.fmapBanks, 2...1024,
                    why: "ifmaps and psums each need at least one bank")
        rules.range("globalBuffer.filterBanks", globalBuffer.filterBanks, 1...64)
        // Buffer lines are descriptor fields (docs/architecture.md, section 5).
        for (name, banks, field) in [("globalBuffer.fmapBanks", globalBuffer.fmapBanks, DescriptorField.ifmapBase),
                                     ("globalBuffer.filterBanks", globalBuffer.filterBanks, DescriptorField.nextFilterBase)]
            where banks > 0 && globalBuffer.bankWords > 0 && banks * globalBuffer.bankWords > 1 << field.bits {
            rules.fail(name, banks, "times globalBuffer.bankWords = \(globalBuffer.bankWords) must be at most 2^\(field.bits) lines (descriptor field \(field))")
        }

        rules.range("rlc.runBits", rlc.runBits, 1...16)
        if rlc.levelBits != fp.dataBits {
            rules.fail("rlc.levelBits", rlc.levelBits, "must equal fixedPoint.dataBits = \(fp.dataBits)")
        }
        rules.range("rlc.pairsPerWord", rlc.pairsPerWord, 1...64)
        rules.range("dram.busBits", dram.busBits, 8...1024)
        rules.powerOfTwo("dram.busBits", dram.busBits)
        if dram.busBits >= 8, dram.busBits < fp.dataBits {
            rules.fail("dram.busBits", dram.busBits, "must hold a data word of fixedPoint.dataBits = \(fp.dataBits)")
        } else if fp.dataBits > 0, dram.busBits >= fp.dataBits {
            // A line is split into lanes addressed by the low bits of a word address.
            let words = dram.busBits / fp.dataBits
            if dram.busBits % fp.dataBits != 0 || words & (words - 1) != 0 {
                rules.fail("dram.busBits", dram.busBits,
                           "must hold a power-of-two number of fixedPoint.dataBits = \(fp.dataBits)-bit words per line")
            }
        }
        // nil when the product overflows: such a word fits no bus either.
        let rlcBits = sum(rlc.runBits, rlc.levelBits).flatMap { product(rlc.pairsPerWord, $0) }.flatMap { sum($0, 1) }
        if rlcBits.map({ $0 > dram.busBits }) ?? true {
            let total = rlcBits.map { "\($0) bits" } ?? "more bits than an Int holds"
            rules.fail("rlc.pairsPerWord", rlc.pairsPerWord,
                       "\(rlc.pairsPerWord) x (runBits \(rlc.runBits) + levelBits \(rlc.levelBits)) + 1 = \(total) does not fit a \(dram.busBits)-bit DRAM word")
        }
        if !(dram.bytesPerCycle > 0 && dram.bytesPerCycle <= Double(dram.busBits) / 8) || !dram.bytesPerCycle.isFinite {
            rules.fail("dram.bytesPerCycle", dram.bytesPerCycle,
                       "must be > 0 and at most one bus word per cycle (\(Double(dram.busBits) / 8))")
        }
        rules.range("counters.bits", counters.bits, 16...64)

        if !rules.errors.isEmpty { throw ConfigErrors(errors: rules.errors) }
        return ValidConfig(self)
    }
}

/// `2 * x`, `a + b (+ c)` and `a * b`, nil on overflow: the fields are not trusted yet, so
/// arithmetic on them must not trap.
private func doubled(_ x: Int) -> Int? { product(2, x) }

private func sum(_ a: Int, _ b: Int, _ c: Int = 0) -> Int? {
    let (ab, o1) = a.addingReportingOverflow(b)
    let (abc, o2) = ab.addingReportingOverflow(c)
    return o1 || o2 ? nil : abc
}

private func product(_ a: Int, _ b: Int) -> Int? {
    let (p, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? nil : p
}

/// Collects broken rules; each helper states its rule in the message it records.
private struct RuleBook {
    var errors: [ConfigError] = []

    mutating func fail(_ field: String, _ value: some CustomStringConvertible, _ rule: String) {
        errors.append(ConfigError(field: field, value: value.description, rule: rule))
    }

    mutating func range(_ field: String, _ value: Int, _ allowed: ClosedRange<Int>, why: String? = nil) {
        guard !allowed.contains(value) else { return }
        let rule = "must be in \(allowed.lowerBound)...\(allowed.upperBound)" + (why.map { " (\($0))" } ?? "")
        fail(field, value, rule)
    }

    /// A range whose bounds are computed from other fields, so it may be empty (`lo > hi`) or a
    /// bound may have overflowed (nil). Then no value of `field` can pass: it is reported as
    /// invalid, naming the field it depends on, instead of trapping on an invalid `ClosedRange`.
    mutating func range(_ field: String, _ value: Int, from lo: Int?, to hi: Int?, dependsOn: String,
                        why: String? = nil) {
        guard let lo, let hi, lo <= hi else {
            let bound = { (b: Int?) in b.map(String.init) ?? "overflow" }
            fail(field, value, "has no valid value while \(dependsOn): its range \(bound(lo))...\(bound(hi)) is empty"
                 + (why.map { " (\($0))" } ?? ""))
            return
        }
        range(field, value, lo...hi, why: why)
    }

    mutating func powerOfTwo(_ field: String, _ value: Int) {
        guard value > 0, value & (value - 1) != 0 else { return }
        fail(field, value, "must be a power of two")
    }

    mutating func multiple(_ field: String, _ value: Int, of unit: Int, what: String) {
        guard unit > 0, value > 0, value % unit != 0 else { return }
        fail(field, value, "must be a multiple of \(what) = \(unit)")
    }
}
