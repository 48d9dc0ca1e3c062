import EyerissConfig
import EyerissCosim
import EyerissMapper
import XCTest

/// The suites' case lists: deterministic from the seed, valid, as described; and sharding.
final class RegressionSuiteTests: XCTestCase {
    func testSuitesAreDeterministicAndEveryCaseIsValid() throws {
        for suite in RegressionSuite.allCases {
            let cases = try suite.cases(seed: 1)
            XCTAssertEqual(cases, try suite.cases(seed: 1), "\(suite): the same seed, the same list")
            XCTAssertNotEqual(cases.map(\.seed), try suite.cases(seed: 2).map(\.seed), "\(suite): another seed, other data")
            XCTAssertEqual(cases.map(\.index), Array(1...cases.count))
            XCTAssertEqual(Set(cases.map(\.name)).count, cases.count, "\(suite): names are unique")
            for c in cases {
                let raw = try ConfigLoader.load(file: nil, overrides: c.overrides)
                XCTAssertEqual(raw.hashHex, c.configHash, c.name)
                XCTAssertNoThrow(try Mapper.map(layer: c.layer, config: raw.validated(), shift: c.shift), c.name)
                XCTAssertTrue((0...0.9).contains(c.sparsity) && (2...14).contains(c.shift), c.name)
                XCTAssertEqual(c.cosimArguments.last, "--json")
                XCTAssertTrue(c.name.hasPrefix(c.configuration + "/"), c.name)
            }
        }
    }

    func testQuickIsSmallAndFullHasTheChipAndFullSizeAlexNet() throws {
        let quick = try RegressionSuite.quick.cases(seed: 1)
        XCTAssertEqual(quick.count, 56)
        XCTAssertEqual(Set(quick.map(\.configuration)), ["3x4", "6x7"], "two builds")
        XCTAssertEqual(quick.filter(\.hostileDRAM).count, 12)
        let codedCases = quick.filter { $0.io.ifmapRLC && $0.io.ofmapRLC && $0.io.relu }
        XCTAssertEqual(codedCases.count, 18, "every third random case codes its fmaps")
        XCTAssertEqual(codedCases.filter(\.io.ofmapCodeByRowChunk).count, 9, "every other of those stores by row chunk")
        let byChannel = try XCTUnwrap(codedCases.first { $0.io.ifmapCodeRows > 1 }, "some read a code per channel")
        XCTAssertEqual(byChannel.io.ifmapCodeRows, byChannel.layer.h)
        XCTAssertTrue(byChannel.cosimArguments.contains("--ifmap-by-channel") && byChannel.name.hasSuffix("-codes") || byChannel.name.contains("-codes-"))
        XCTAssertTrue(quick.contains { $0.io == .hidden && $0.hostileDRAM }, "the codec meets hostile DRAM")
        let coded = try XCTUnwrap(quick.first { $0.io == .hidden })
        XCTAssertTrue(coded.name.hasSuffix("-rlc"))
        XCTAssertTrue(shellLine(coded.command(executable: "eyeriss")).contains("--ifmap-rlc --ofmap-rlc --relu --json"))
        XCTAssertTrue(quick.contains { $0.layer.name == "alexnet.conv1-like" })
        XCTAssertTrue(quick.contains { $0.layer.r > 6 }, "folding")
        XCTAssertLessThan(quick.map(\.estimatedCycles).reduce(0, +), 1_500_000, "quick stays quick")

        let full = try RegressionSuite.full.cases(seed: 1)
        XCTAssertEqual(full.count, 183)
        XCTAssertLessThanOrEqual(Set(full.map(\.configHash)).count, 6)
        let chip = full.filter { $0.configuration == "chip" }
        XCTAssertEqual(chip.first?.overrides, [])
        for layer in BuiltinLayers.alexnet {
            XCTAssertTrue(chip.contains { $0.layer == layer }, "full-size \(layer.name)")
        }
        XCTAssertTrue(chip.contains { $0.layer.name.hasPrefix("vgg16.") })
        XCTAssertTrue(chip.contains { $0.hostileDRAM })
    }

    func testTheCommandLineReRunsTheCase() throws {
        let c = try RegressionSuite.quick.cases(seed: 1).first { $0.hostileDRAM }!
        let command = c.command(executable: "/opt/my tools/eyeriss")
        XCTAssertEqual(Array(command.prefix(2)), ["/opt/my tools/eyeriss", "cosim"])
        let line = shellLine(command)
        XCTAssertTrue(line.hasPrefix("'/opt/my tools/eyeriss' cosim --set array.rows="), line)
        XCTAssertTrue(line.contains("--shape \(c.shapeArgument) --seed \(c.seed) --sparsity \(c.sparsity) --shift \(c.shift) --hostile-dram --json"), line)
        XCTAssertEqual(c.shapeArgument.split(separator: ",").count, 10)
        XCTAssertEqual(shellQuoted("it's"), "'it'\\''s'")
        XCTAssertEqual(shellQuoted(""), "''")
    }

    func testShardsPartitionTheCasesExactly() throws {
        let cases = try RegressionSuite.quick.cases(seed: 5)
        for n in 1...30 {
            var seen: [Int] = []
            for i in 1...n {
                let part = try Shard(index: i, count: n).select(cases)
                XCTAssertEqual(part.map(\.index), part.map(\.index).sorted(), "a shard keeps the order")
                XCTAssertTrue(part.allSatisfy { ($0.index - 1) % n == i - 1 })
                seen += part.map(\.index)
            }
            XCTAssertEqual(seen.sorted(), Array(1...cases.count), "\(n) shards: every case exactly once")
        }
        XCTAssertEqual(try Shard(parsing: "2/3"), try Shard(index: 2, count: 3))
        XCTAssertEqual(Shard.all.select(cases).count, cases.count)
    }

    func testBadShardsAreRejectedClearly() {
        let expectations = [
            "0/4": "I must be in 1...4", "5/4": "I must be in 1...4", "1/0": "N must be at least 1",
            "-1/2": "I must be in 1...2", "x": "expected I/N", "1/2/3": "expected I/N", "": "expected I/N", "1/": "expected I/N",
        ]
        for (text, words) in expectations {
            XCTAssertThrowsError(try Shard(parsing: text), text) { error in
                XCTAssertTrue("\(error)".contains("shard \(text):") && "\(error)".contains(words), "\(error)")
            }
        }
    }
}
