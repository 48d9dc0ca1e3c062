import EyerissConfig
import Foundation
import XCTest

/// Loading (defaults, files, `--set` overrides), validation and hashing of the accelerator
/// configuration. Expected values are the published chip's, worked out by hand.
final class ConfigLoaderTests: XCTestCase {
    private var tempDir: URL!

    override func setUpWithError() throws {
        tempDir = FileManager.default.temporaryDirectory
            .appendingPathComponent("configtests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: tempDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tempDir)
    }

    private func file(_ name: String, _ text: String) throws -> String {
        let url = tempDir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The load error thrown by `body`, or a test failure.
    private func loadError(_ body: () throws -> AcceleratorConfig,
                           file: StaticString = #filePath, line: UInt = #line) -> ConfigLoadError? {
        do {
            let config = try body()
            XCTFail("expected a load error, got \(config)", file: file, line: line)
        } catch let error as ConfigLoadError {
            return error
        } catch {
            XCTFail("expected ConfigLoadError, got \(type(of: error)): \(error)", file: file, line: line)
        }
        return nil
    }

    /// The rules that the default configuration with `edit` applied breaks.
    private func violations(_ edit: (inout AcceleratorConfig) -> Void,
                            file: StaticString = #filePath, line: UInt = #line) -> [ConfigError] {
        var config = AcceleratorConfig()
        edit(&config)
        do {
            _ = try config.validated()
            XCTFail("expected validation to fail", file: file, line: line)
        } catch let error as ConfigErrors {
            return error.errors
        } catch {
            XCTFail("expected ConfigErrors, got \(error)", file: file, line: line)
        }
        return []
    }

    // MARK: - Defaults

    func testDefaultIsThePublishedChip() {
        let c = AcceleratorConfig()
        XCTAssertEqual(c.array.rows, 12)
        XCTAssertEqual(c.array.columns, 14)
        XCTAssertEqual(c.fixedPoint.dataBits, 16)
        XCTAssertEqual(c.fixedPoint.psumBits, 16)
        XCTAssertEqual(c.pe.filterSpadWords, 224)
        XCTAssertEqual(c.pe.ifmapSpadWords, 12)
        XCTAssertEqual(c.pe.psumSpadWords, 24)
        XCTAssertEqual(c.globalBuffer.fmapBanks, 25)
        XCTAssertEqual(c.globalBuffer.filterBanks, 2)
        XCTAssertEqual(c.rlc.pairsPerWord, 3)
        XCTAssertEqual(c.dram.bytesPerCycle, 2.4)
    }

    func testDefaultValidatesWithDerivedValues() throws {
        let v = try AcceleratorConfig().validated()
        XCTAssertEqual(v.raw, AcceleratorConfig())
        XCTAssertEqual(v.filterSpadAddrBits, 8)  // 224 words: 2^7 < 224 <= 2^8
        XCTAssertEqual(v.ifmapSpadAddrBits, 4)   // 12 words: 2^3 < 12 <= 2^4
        XCTAssertEqual(v.psumSpadAddrBits, 5)    // 24 words: 2^4 < 24 <= 2^5
        XCTAssertEqual(v.maxProductShift, 31)    // 2 x 16 - 1
        XCTAssertEqual(v.productShiftBits, 5)    // 31 fits 5 bits
        // (25 + 2) banks x 512 words x 64 b / 8 = 110592 B = 108 KB.
        XCTAssertEqual(v.globalBufferBytes, 110_592)
        XCTAssertEqual(v.globalBufferBytes, 108 * 1024)
        XCTAssertEqual(v.rlcUsedBits, 64)        // 3 x (5 + 16) + 1
        XCTAssertEqual(v.peCount, 168)           // 12 x 14
    }

    func testAddressWidthHelpers() {
        XCTAssertEqual(bitsToAddress(1), 1)
        XCTAssertEqual(bitsToAddress(2), 1)
        XCTAssertEqual(bitsToAddress(3), 2)
        XCTAssertEqual(bitsToAddress(16), 4)
        XCTAssertEqual(bitsToAddress(17), 5)
        XCTAssertEqual(bitsToHold(0), 1)
        XCTAssertEqual(bitsToHold(255), 8)
        XCTAssertEqual(bitsToHold(256), 9)
    }

    func testNoFileNoOverridesIsTheDefault() throws {
        XCTAssertEqual(try ConfigLoader.load(file: nil, overrides: []), AcceleratorConfig())
    }

    // MARK: - Deltas

    func testOverridesChangeExactlyTheirFields() throws {
        let loaded = try ConfigLoader.load(file: nil, overrides: ["array.rows=3", "array.columns=4"])
        var expected = AcceleratorConfig()
        expected.array.rows = 3
        expected.array.columns = 4
        XCTAssertEqual(loaded, expected)
        XCTAssertEqual(try loaded.validated().peCount, 12)
    }

    func testOverrideValuesAreTrimmedTypedAndTheLastWins() throws {
        let loaded = try ConfigLoader.load(file: nil, overrides: [
            " pe.fifoDepth = 8 ", "dram.bytesPerCycle=1.5", "counters.bits=32", "counters.bits=40",
        ])
        var expected = AcceleratorConfig()
        expected.pe.fifoDepth = 8
        expected.dram.bytesPerCycle = 1.5
        expected.counters.bits = 40
        XCTAssertEqual(loaded, expected)
        // An integer written for a real-valued field is that real.
        XCTAssertEqual(try ConfigLoader.load(file: nil, overrides: ["dram.bytesPerCycle=2"]).dram.bytesPerCycle, 2.0)
    }

    func testYAMLFileIsADeltaFromTheDefaults() throws {
        let path = try file("small.yaml", """
            # a 3x4 test array with deeper FIFOs
            array:
              rows: 3
              columns: 4
            pe:
              fifoDepth: 8
            dram:
              bytesPerCycle: 1.25
            """)
        var expected = AcceleratorConfig()
        expected.array.rows = 3
        expected.array.columns = 4
        expected.pe.fifoDepth = 8
        expected.dram.bytesPerCycle = 1.25
        XCTAssertEqual(try ConfigLoader.load(file: path, overrides: []), expected)
    }

    func testOverridesApplyAfterTheFile() throws {
        let path = try file("rows.yaml", "array:\n  rows: 3\n")
        let loaded = try ConfigLoader.load(file: path, overrides: ["array.rows=6"])
        var expected = AcceleratorConfig()
        expected.array.rows = 6
        XCTAssertEqual(loaded, expected)
    }

    func testJSONFile() throws {
        let path = try file("small.json", #"{"array": {"columns": 4}, "noc": {"rowTagBits": 2}, "globalBuffer": {"bankWords": 256}}"#)
        var expected = AcceleratorConfig()
        expected.array.columns = 4
        expected.noc.rowTagBits = 2
        expected.globalBuffer.bankWords = 256
        XCTAssertEqual(try ConfigLoader.load(file: path, overrides: []), expected)
    }

    func testEmptyFileIsTheDefault() throws {
        XCTAssertEqual(try ConfigLoader.load(file: try file("empty.yaml", ""), overrides: []), AcceleratorConfig())
        XCTAssertEqual(try ConfigLoader.load(text: "# nothing\n"), AcceleratorConfig())
    }

    func testWholeNumberRealForAnIntegerField() throws {
        XCTAssertEqual(try ConfigLoader.load(text: "array: {rows: 3.0}").array.rows, 3)
    }

    // MARK: - Load errors

    func testUnknownKeyInAFile() throws {
        let path = try file("typo.yaml", "array:\n  rowz: 3\n")
        let error = loadError { try ConfigLoader.load(file: path, overrides: []) }
        XCTAssertEqual(error, .unknownKey(source: path, key: "array.rowz", known: ["columns", "rows"]))
        XCTAssertEqual(error?.description, "\(path): unknown key 'array.rowz' (known here: columns, rows)")
    }

    func testUnknownSectionInAFile() throws {
        let path = try file("typo.yaml", "arrays:\n  rows: 3\n")
        let error = loadError { try ConfigLoader.load(file: path, overrides: []) }
        XCTAssertEqual(error, .unknownKey(source: path, key: "arrays",
                                          known: ["array", "counters", "dram", "fixedPoint", "globalBuffer", "noc", "pe", "rlc"]))
    }

    func testUnknownKeyInAnOverride() {
        let error = loadError { try ConfigLoader.load(file: nil, overrides: ["array.rowz=3"]) }
        XCTAssertEqual(error, .unknownKey(source: "--set array.rowz=3", key: "array.rowz", known: ["columns", "rows"]))
        XCTAssertTrue(error?.description.contains("unknown key 'array.rowz'") ?? false)
    }

    func testNonIntegerValueNamesTheField() throws {
        let error = loadError { try ConfigLoader.load(file: nil, overrides: ["array.rows=twelve"]) }
        XCTAssertEqual(error, .wrongType(source: "--set array.rows=twelve", key: "array.rows", expected: "an integer", found: "twelve"))
        XCTAssertEqual(error?.description, "--set array.rows=twelve: array.rows must be an integer, found twelve")

        let fractional = loadError { try ConfigLoader.load(text: "pe:\n  fifoDepth: 2.5\n", source: "frac.yaml") }
        XCTAssertEqual(fractional, .wrongType(source: "frac.yaml", key: "pe.fifoDepth", expected: "an integer", found: "2.5"))

        let boolean = loadError { try ConfigLoader.load(text: "array:\n  rows: true\n", source: "bool.yaml") }
        XCTAssertEqual(boolean, .wrongType(source: "bool.yaml", key: "array.rows", expected: "an integer", found: "true"))

        let real = loadError { try ConfigLoader.load(file: nil, overrides: ["dram.bytesPerCycle=fast"]) }
        XCTAssertEqual(real, .wrongType(source: "--set dram.bytesPerCycle=fast", key: "dram.bytesPerCycle", expected: "a number", found: "fast"))
    }

    func testSectionGivenAScalar() {
        let error = loadError { try ConfigLoader.load(text: "array: 3\n", source: "s.yaml") }
        XCTAssertEqual(error, .wrongType(source: "s.yaml", key: "array", expected: "a mapping", found: "3"))
    }

    func testFieldGivenAMapping() {
        guard case let .wrongType(source, key, expected, _)? = loadError({ try ConfigLoader.load(text: "array:\n  rows: {a: 1}\n", source: "m.yaml") }) else {
            return XCTFail("expected wrongType")
        }
        XCTAssertEqual([source, key, expected], ["m.yaml", "array.rows", "an integer"])
    }

    func testMalformedYAML() throws {
        let path = try file("broken.yaml", "array: [rows: 3\n")
        guard case let .malformed(source, reason)? = loadError({ try ConfigLoader.load(file: path, overrides: []) }) else {
            return XCTFail("expected malformed")
        }
        XCTAssertEqual(source, path)
        XCTAssertFalse(reason.isEmpty)
    }

    func testTopLevelMustBeAMapping() {
        for text in ["- 1\n- 2\n", "42\n", "just words\n"] {
            let error = loadError { try ConfigLoader.load(text: text, source: "top.yaml") }
            XCTAssertEqual(error, .malformed(source: "top.yaml", reason: "the top level must be a mapping of sections"), text)
        }
    }

    func testOverrideWithoutEquals() {
        let error = loadError { try ConfigLoader.load(file: nil, overrides: ["array.rows"]) }
        XCTAssertEqual(error, .badOverride("array.rows", reason: "expected key=value, e.g. array.rows=3"))
        XCTAssertEqual(error?.description, "--set array.rows: expected key=value, e.g. array.rows=3")
    }

    func testOverrideMalformedInOtherWays() {
        XCTAssertEqual(loadError { try ConfigLoader.load(file: nil, overrides: ["=3"]) },
                       .badOverride("=3", reason: "expected key=value, e.g. array.rows=3"))
        XCTAssertEqual(loadError { try ConfigLoader.load(file: nil, overrides: ["array.rows="]) },
                       .badOverride("array.rows=", reason: "no value after '='"))
        guard case let .badOverride(text, reason)? = loadError({ try ConfigLoader.load(file: nil, overrides: ["rows=3"]) }) else {
            return XCTFail("expected badOverride")
        }
        XCTAssertEqual(text, "rows=3")
        XCTAssertTrue(reason.hasPrefix("key must be section.field"), reason)
        XCTAssertTrue(reason.contains("array, counters, dram"), reason)
    }

    func testUnreadableFile() {
        let path = tempDir.appendingPathComponent("no/such/config.yaml").path
        guard case let .unreadable(reported, reason)? = loadError({ try ConfigLoader.load(file: path, overrides: []) }) else {
            return XCTFail("expected unreadable")
        }
        XCTAssertEqual(reported, path)
        XCTAssertFalse(reason.isEmpty)
        XCTAssertTrue(ConfigLoadError.unreadable(path: path, reason: reason).description.hasPrefix("cannot read configuration file \(path): "))
    }

    // MARK: - Validation

    func testRowsZero() {
        XCTAssertEqual(violations { $0.array.rows = 0 },
                       [ConfigError(field: "array.rows", value: "0", rule: "must be in 1...64")])
    }

    func testFifoDepthNotAPowerOfTwo() {
        XCTAssertEqual(violations { $0.pe.fifoDepth = 6 },
                       [ConfigError(field: "pe.fifoDepth", value: "6", rule: "must be a power of two")])
    }

    func testPsumBitsSmallerThanDataBits() {
        XCTAssertEqual(violations { $0.fixedPoint.psumBits = 8 }, [
            ConfigError(field: "fixedPoint.psumBits", value: "8",
                        rule: "must be in 16...32 (psums must hold a data word and need not exceed the full product)"),
        ])
    }

    func testBusNotAMultipleOfPsumBits() {
        XCTAssertEqual(violations { $0.noc.filterBusBits = 40 }, [
            ConfigError(field: "noc.filterBusBits", value: "40", rule: "must be a multiple of fixedPoint.psumBits = 16"),
        ])
        // Narrower than a psum breaks two rules, and both are named.
        XCTAssertEqual(violations { $0.noc.psumBusBits = 8 }, [
            ConfigError(field: "noc.psumBusBits", value: "8", rule: "must be in 16...1024"),
            ConfigError(field: "noc.psumBusBits", value: "8", rule: "must be a multiple of fixedPoint.psumBits = 16"),
        ])
    }

    func testRowsThatDoNotFitTheRowTag() {
        XCTAssertEqual(violations { $0.noc.rowTagBits = 3 }, [
            ConfigError(field: "noc.rowTagBits", value: "3", rule: "must tag every PE row: 2^3 < array.rows = 12"),
        ])
        // 16 rows fit 4 bits exactly.
        var sixteen = AcceleratorConfig()
        sixteen.array.rows = 16
        XCTAssertNoThrow(try sixteen.validated())
    }

    func testRLCPairsThatDoNotFitTheDRAMWord() {
        // 4 x (5 + 16) + 1 = 85 > 64.
        XCTAssertEqual(violations { $0.rlc.pairsPerWord = 4 }, [
            ConfigError(field: "rlc.pairsPerWord", value: "4",
                        rule: "4 x (runBits 5 + levelBits 16) + 1 = 85 bits does not fit a 64-bit DRAM word"),
        ])
    }

    func testBufferLinesMustFitTheirDescriptorFields() {
        // 1024 x 2^16 fmap lines: 2^26, the descriptor's ifmapBase holds 2^18; 2 x 2^16 filter lines.
        XCTAssertEqual(violations { $0.globalBuffer.fmapBanks = 1024; $0.globalBuffer.bankWords = 1 << 16 }, [
            ConfigError(field: "globalBuffer.fmapBanks", value: "1024",
                        rule: "times globalBuffer.bankWords = 65536 must be at most 2^18 lines (descriptor field ifmapBase)"),
            ConfigError(field: "globalBuffer.filterBanks", value: "2",
                        rule: "times globalBuffer.bankWords = 65536 must be at most 2^16 lines (descriptor field nextFilterBase)"),
        ])
        var largest = AcceleratorConfig()
        largest.globalBuffer.fmapBanks = 8
        largest.globalBuffer.bankWords = 1 << 15
        largest.globalBuffer.filterBanks = 2
        XCTAssertNoThrow(try largest.validated(), "2^18 fmap lines and 2^16 filter lines fit exactly")
    }

    func testLevelBitsMustEqualDataBits() {
        XCTAssertEqual(violations { $0.rlc.levelBits = 8 }, [
            ConfigError(field: "rlc.levelBits", value: "8", rule: "must equal fixedPoint.dataBits = 16"),
        ])
    }

    func testBytesPerCycle() {
        let rule = "must be > 0 and at most one bus word per cycle (8.0)"
        XCTAssertEqual(violations { $0.dram.bytesPerCycle = 0 },
                       [ConfigError(field: "dram.bytesPerCycle", value: "0.0", rule: rule)])
        XCTAssertEqual(violations { $0.dram.bytesPerCycle = -1 },
                       [ConfigError(field: "dram.bytesPerCycle", value: "-1.0", rule: rule)])
        XCTAssertEqual(violations { $0.dram.bytesPerCycle = 8.5 },
                       [ConfigError(field: "dram.bytesPerCycle", value: "8.5", rule: rule)])
        var full = AcceleratorConfig()
        full.dram.bytesPerCycle = 8
        XCTAssertNoThrow(try full.validated())
    }

    func testEveryBrokenRuleIsReportedAtOnce() {
        var config = AcceleratorConfig()
        config.array.rows = 0
        config.pe.fifoDepth = 6
        config.fixedPoint.dataBits = 32      // psumBits stays 16: smaller than a data word
        config.noc.filterBusBits = 40        // not a multiple of psumBits = 16
        config.noc.columnTagBits = 3         // 14 columns need 4 bits
        config.rlc.pairsPerWord = 4          // 4 x 21 + 1 = 85 bits > 64
        config.dram.bytesPerCycle = 0        // levelBits stays 16, now != dataBits = 32; so does the ifmap bus
        XCTAssertThrowsError(try config.validated()) { error in
            guard let errors = error as? ConfigErrors else { return XCTFail("not ConfigErrors: \(error)") }
            XCTAssertEqual(errors.errors, [
                ConfigError(field: "array.rows", value: "0", rule: "must be in 1...64"),
                ConfigError(field: "fixedPoint.psumBits", value: "16",
                            rule: "must be in 32...64 (psums must hold a data word and need not exceed the full product)"),
                ConfigError(field: "pe.fifoDepth", value: "6", rule: "must be a power of two"),
                ConfigError(field: "noc.filterBusBits", value: "40", rule: "must be a multiple of fixedPoint.psumBits = 16"),
                ConfigError(field: "noc.ifmapBusBits", value: "16",
                            rule: "must equal fixedPoint.dataBits = 32 (one activation per cycle)"),
                ConfigError(field: "noc.columnTagBits", value: "3", rule: "must tag every PE column: 2^3 < array.columns = 14"),
                ConfigError(field: "rlc.levelBits", value: "16", rule: "must equal fixedPoint.dataBits = 32"),
                ConfigError(field: "rlc.pairsPerWord", value: "4",
                            rule: "4 x (runBits 5 + levelBits 16) + 1 = 85 bits does not fit a 64-bit DRAM word"),
                ConfigError(field: "dram.bytesPerCycle", value: "0.0",
                            rule: "must be > 0 and at most one bus word per cycle (8.0)"),
            ])
            let lines = errors.description.components(separatedBy: "\n")
            XCTAssertEqual(lines.count, 9)
            XCTAssertEqual(lines.first, "invalid configuration: array.rows = 0: must be in 1...64")
            XCTAssertEqual(lines.last, "invalid configuration: dram.bytesPerCycle = 0.0: must be > 0 and at most one bus word per cycle (8.0)")
        }
    }

    func testBoundariesThatAreAllowed() throws {
        var c = AcceleratorConfig()
        c.fixedPoint.psumBits = 32  // the full product of two 16-bit words; the ifmap bus stays 16 b
        c.pe.fifoDepth = 2
        c.array.rows = 1
        c.array.columns = 1
        let v = try c.validated()
        XCTAssertEqual(v.peCount, 1)
        XCTAssertEqual(v.raw.fixedPoint.psumBits, 32)
    }

    // MARK: - Rules whose bounds come from other fields

    func testPsumBitsAboveTheBusCeilingIsReportedNotATrap() throws {
        // psumBits...1024 used to be an invalid ClosedRange here: a fatal error, not a report.
        let loaded = try ConfigLoader.load(file: nil, overrides: ["fixedPoint.psumBits=2048"])
        XCTAssertThrowsError(try loaded.validated()) { error in
            guard let errors = (error as? ConfigErrors)?.errors else { return XCTFail("not ConfigErrors: \(error)") }
            let empty = "has no valid value while fixedPoint.psumBits = 2048: its range 2048...1024 is empty"
            XCTAssertEqual(errors, [
                ConfigError(field: "fixedPoint.psumBits", value: "2048",
                            rule: "must be in 16...32 (psums must hold a data word and need not exceed the full product)"),
                ConfigError(field: "noc.filterBusBits", value: "64", rule: empty),
                ConfigError(field: "noc.filterBusBits", value: "64", rule: "must be a multiple of fixedPoint.psumBits = 2048"),
                ConfigError(field: "noc.psumBusBits", value: "64", rule: empty),
                ConfigError(field: "noc.psumBusBits", value: "64", rule: "must be a multiple of fixedPoint.psumBits = 2048"),
                ConfigError(field: "noc.outputBusBits", value: "64", rule: empty),
                ConfigError(field: "noc.outputBusBits", value: "64", rule: "must be a multiple of fixedPoint.psumBits = 2048"),
                ConfigError(field: "noc.localLinkBits", value: "64", rule: empty),
                ConfigError(field: "noc.localLinkBits", value: "64", rule: "must be a multiple of fixedPoint.psumBits = 2048"),
            ])
        }
    }

    func testDataBitsAboveTheBankCeilingIsReportedNotATrap() {
        // dataBits...1024 for the bank width; the other rules that read dataBits report too.
        let errors = violations { $0.fixedPoint.dataBits = 2048 }
        XCTAssertTrue(errors.contains(ConfigError(field: "fixedPoint.dataBits", value: "2048", rule: "must be in 2...32")), "\(errors)")
        XCTAssertTrue(errors.contains(ConfigError(
            field: "globalBuffer.bankBits", value: "64",
            rule: "has no valid value while fixedPoint.dataBits = 2048: its range 2048...1024 is empty")), "\(errors)")
    }

    func testHugeValuesDoNotOverflow() {
        // 2 x dataBits, rows + columns - 1 and pairs x (run + level) + 1 would trap on overflow.
        let errors = violations { $0.fixedPoint.dataBits = Int.max }
        XCTAssertTrue(errors.contains(ConfigError(
            field: "fixedPoint.psumBits", value: "16",
            rule: "has no valid value while fixedPoint.dataBits = \(Int.max): its range \(Int.max)...overflow is empty (psums must hold a data word and need not exceed the full product)")),
            "\(errors)")
        // The tags cannot cover such an array either; the diagonal count is not computed.
        XCTAssertEqual(violations { $0.array.rows = Int.max; $0.array.columns = Int.max }.map(\.field),
                       ["array.rows", "array.columns", "noc.rowTagBits", "noc.columnTagBits"])
        XCTAssertEqual(violations { $0.rlc.pairsPerWord = Int.max }, [
            ConfigError(field: "rlc.pairsPerWord", value: "\(Int.max)", rule: "must be in 1...64"),
            ConfigError(field: "rlc.pairsPerWord", value: "\(Int.max)",
                        rule: "\(Int.max) x (runBits 5 + levelBits 16) + 1 = more bits than an Int holds does not fit a 64-bit DRAM word"),
        ])
        XCTAssertFalse(violations { $0.rlc.runBits = Int.max; $0.fixedPoint.dataBits = Int.min }.isEmpty)
        // Through the loader too: a YAML integer can be as large as Int.
        XCTAssertThrowsError(try ConfigLoader.load(text: "fixedPoint: {dataBits: \(Int.max)}").validated()) { error in
            XCTAssertTrue(error is ConfigErrors, "\(error)")
        }
    }

    // MARK: - Lines, lanes and the ifmap bus

    func testGlobalBufferLineIsADRAMLine() throws {
        XCTAssertEqual(violations { $0.globalBuffer.bankBits = 128 }, [
            ConfigError(field: "globalBuffer.bankBits", value: "128",
                        rule: "must equal dram.busBits = 64 (a global buffer line is a DRAM line)"),
        ])
        XCTAssertEqual(violations { $0.dram.busBits = 128 }, [
            ConfigError(field: "globalBuffer.bankBits", value: "64",
                        rule: "must equal dram.busBits = 128 (a global buffer line is a DRAM line)"),
        ])
        // Both wider: 8 words of 16 b per line.
        var wide = AcceleratorConfig()
        wide.globalBuffer.bankBits = 128
        wide.dram.busBits = 128
        XCTAssertNoThrow(try wide.validated())
    }

    func testWordsPerDRAMLineArePowerOfTwo() throws {
        // 64 / 12 is no whole number of words, let alone a power of two.
        let errors = violations {
            $0.fixedPoint.dataBits = 12
            $0.rlc.levelBits = 12
            $0.noc.ifmapBusBits = 12
        }
        XCTAssertEqual(errors, [
            ConfigError(field: "globalBuffer.bankBits", value: "64", rule: "must be a multiple of fixedPoint.dataBits = 12"),
            ConfigError(field: "dram.busBits", value: "64",
                        rule: "must hold a power-of-two number of fixedPoint.dataBits = 12-bit words per line"),
        ])
        // 64 / 32 = 2 words per line.
        var two = AcceleratorConfig()
        two.fixedPoint.dataBits = 32
        two.fixedPoint.psumBits = 32
        two.rlc.levelBits = 32
        two.rlc.pairsPerWord = 1  // 1 x (5 + 32) + 1 = 38 bits
        two.noc.ifmapBusBits = 32
        XCTAssertNoThrow(try two.validated())
    }

    func testIfmapBusCarriesOneActivation() throws {
        XCTAssertEqual(violations { $0.noc.ifmapBusBits = 32 }, [
            ConfigError(field: "noc.ifmapBusBits", value: "32", rule: "must equal fixedPoint.dataBits = 16 (one activation per cycle)"),
        ])
        // 8-bit data: the ifmap bus narrows with it.
        var narrow = AcceleratorConfig()
        narrow.fixedPoint.dataBits = 8
        narrow.rlc.levelBits = 8
        XCTAssertEqual(violations { $0 = narrow }, [
            ConfigError(field: "noc.ifmapBusBits", value: "16", rule: "must equal fixedPoint.dataBits = 8 (one activation per cycle)"),
        ])
        narrow.noc.ifmapBusBits = 8
        XCTAssertNoThrow(try narrow.validated())
        // Psums wider than data leave the ifmap bus at the data width.
        var fullProduct = AcceleratorConfig()
        fullProduct.fixedPoint.psumBits = 32
        XCTAssertNoThrow(try fullProduct.validated())
    }

    // MARK: - Non-finite reals

    func testNonFiniteRealsAreRefusedNamingTheField() throws {
        for text in ["inf", "-inf", "nan", "infinity", "1e999"] {
            let override = "dram.bytesPerCycle=\(text)"
            XCTAssertEqual(loadError { try ConfigLoader.load(file: nil, overrides: [override]) },
                           .wrongType(source: "--set \(override)", key: "dram.bytesPerCycle", expected: "a finite number", found: text))
        }
        for (yaml, found) in [(".inf", "inf"), ("-.inf", "-inf"), (".nan", "nan"), ("1.0e999", "inf")] {
            let error = loadError { try ConfigLoader.load(text: "dram:\n  bytesPerCycle: \(yaml)\n", source: "f.yaml") }
            XCTAssertEqual(error, .wrongType(source: "f.yaml", key: "dram.bytesPerCycle", expected: "a finite number", found: found), yaml)
            XCTAssertEqual(error?.description, "f.yaml: dram.bytesPerCycle must be a finite number, found \(found)", yaml)
        }
        // An integer field refuses them as it refuses any non-integer.
        XCTAssertEqual(loadError { try ConfigLoader.load(text: "array: {rows: .inf}", source: "r.yaml") },
                       .wrongType(source: "r.yaml", key: "array.rows", expected: "an integer", found: "inf"))
    }

    func testNonFiniteRealBuiltInCodeHashesAndIsReported() throws {
        var hashes: Set<String> = [AcceleratorConfig().hashHex]
        for value in [Double.infinity, -Double.infinity, Double.nan] {
            var c = AcceleratorConfig()
            c.dram.bytesPerCycle = value
            let json = ConfigLoader.canonicalJSON(c)  // used to trap in try!
            XCTAssertTrue(json.contains("\"bytesPerCycle\" : \"\(value.isNaN ? "nan" : value > 0 ? "inf" : "-inf")\""), json)
            XCTAssertEqual(c.hashHex.count, 16)
            XCTAssertEqual(c.hashHex, c.hashHex)
            hashes.insert(c.hashHex)
            // Reading it back names the field rather than failing inside JSONSerialization.
            guard case let .wrongType(_, key, expected, _)? = loadError({ try ConfigLoader.load(text: json) }) else {
                return XCTFail("expected wrongType")
            }
            XCTAssertEqual([key, expected], ["dram.bytesPerCycle", "a finite number"])
            XCTAssertEqual(violations { $0 = c }.map(\.field), ["dram.bytesPerCycle"])
        }
        XCTAssertEqual(hashes.count, 4, "each non-finite value hashes differently from the others and the default")
    }

    // MARK: - Hash and canonical JSON

    func testHashIsStable() throws {
        let a = AcceleratorConfig()
        let b = try ConfigLoader.load(file: nil, overrides: [])
        XCTAssertEqual(a.hashHex, b.hashHex)
        XCTAssertEqual(a.hashHex, a.hashHex)
        XCTAssertEqual(a.hashHex.count, 16)
        XCTAssertTrue(a.hashHex.allSatisfy { "0123456789abcdef".contains($0) }, a.hashHex)
        XCTAssertEqual(a.hashHex, fnv1a64Hex(ConfigLoader.canonicalJSON(a)))

        var c = AcceleratorConfig()
        c.array.rows = 3
        XCTAssertNotEqual(c.hashHex, a.hashHex)
        var d = AcceleratorConfig()
        d.dram.bytesPerCycle = 2.5
        XCTAssertNotEqual(d.hashHex, a.hashHex)
        XCTAssertNotEqual(d.hashHex, c.hashHex)
    }

    func testFNV1a64KnownVectors() {
        // Reference values of FNV-1a 64 (Fowler, Noll, Vo test suite).
        XCTAssertEqual(fnv1a64Hex(""), "cbf29ce484222325")
        XCTAssertEqual(fnv1a64Hex("a"), "af63dc4c8601ec8c")
        XCTAssertEqual(fnv1a64Hex("foobar"), "85944171f73967e8")
    }

    func testCanonicalJSONRoundTripsAndSortsKeys() throws {
        var c = AcceleratorConfig()
        c.array.rows = 3
        c.array.columns = 4
        c.dram.bytesPerCycle = 1.7
        c.counters.bits = 32
        for config in [AcceleratorConfig(), c] {
            let json = ConfigLoader.canonicalJSON(config)
            XCTAssertEqual(try ConfigLoader.load(text: json, source: "canonical"), config)
            XCTAssertEqual(ConfigLoader.canonicalJSON(config), json)
            XCTAssertEqual(try ConfigLoader.load(text: ConfigLoader.yaml(config)), config)
        }
        let json = ConfigLoader.canonicalJSON(c)
        let sections = ["array", "counters", "dram", "fixedPoint", "globalBuffer", "noc", "pe", "rlc"]
        let offsets = try sections.map { try XCTUnwrap(json.range(of: "\"\($0)\"")).lowerBound }
        XCTAssertEqual(offsets, offsets.sorted(), "sections in sorted order")
        let columns = try XCTUnwrap(json.range(of: "\"columns\"")).lowerBound
        let rows = try XCTUnwrap(json.range(of: "\"rows\"")).lowerBound
        XCTAssertLessThan(columns, rows)
    }
}
