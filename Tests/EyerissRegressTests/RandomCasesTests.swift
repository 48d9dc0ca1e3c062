import EyerissConfig
import EyerissCosim
import EyerissGolden
import EyerissMapper
import XCTest

/// The constrained-random generators: deterministic, valid, mappable, covering what they claim.
final class RandomCasesTests: XCTestCase {
    func testSameSeedGivesTheSameLayersAndAnotherSeedOthers() throws {
        let config = try NamedConfiguration.array(3, 4).config
        let a = try RandomCases.layers(count: 20, seed: 7, config: config)
        XCTAssertEqual(a, try RandomCases.layers(count: 20, seed: 7, config: config))
        XCTAssertNotEqual(a, try RandomCases.layers(count: 20, seed: 8, config: config))
    }

    /// The draws are part of replaying a seed: the first layers of the 3 x 4 co-simulation
    /// test's seed stay what they were when the generator lived in that test.
    func testTheSequenceOfASeedIsPinned() throws {
        let layers = try RandomCases.layers(count: 3, seed: 0x3_4, config: NamedConfiguration.array(3, 4).config)
        XCTAssertEqual(layers, [
            LayerShape(name: "random0", n: 1, c: 2, h: 7, w: 13, m: 4, r: 11, s: 2, stride: 1, padding: 2, groups: 2),
            LayerShape(name: "random1", n: 2, c: 3, h: 9, w: 10, m: 7, r: 2, s: 5, stride: 2, padding: 0, groups: 1),
            LayerShape(name: "random2", n: 2, c: 10, h: 11, w: 7, m: 12, r: 2, s: 5, stride: 1, padding: 0, groups: 2),
        ])
    }

    func testRandomLayersAreValidMappableAndCoverTheSpace() throws {
        var configs = [try NamedConfiguration.array(3, 4), try NamedConfiguration.array(6, 7), try NamedConfiguration.array(2, 3)]
        var rng = SplitMix64(seed: 0xC0F)
        configs += (0..<4).map { _ in RandomCases.configuration(using: &rng) }
        var all: [LayerShape] = []
        for named in configs {
            let layers = try RandomCases.layers(count: 40, seed: 0x5EED, config: named.config)
            for layer in layers {
                XCTAssertNoThrow(try layer.validated(), "\(layer)")
                XCTAssertNoThrow(try Mapper.map(layer: layer, config: named.config, shift: 12), "\(layer) on \(named.name)")
                XCTAssertTrue(RandomCases.filterSizes.contains(layer.r) && RandomCases.filterSizes.contains(layer.s))
                XCTAssertTrue((0...2).contains(layer.padding) && (1...2).contains(layer.n) && [1, 2].contains(layer.groups))
                XCTAssertTrue((1...5).contains(layer.channelsPerGroup) && (1...7).contains(layer.filtersPerGroup), "\(layer)")
            }
            XCTAssertTrue(layers.contains { $0.r > named.config.raw.array.rows }, "\(named.name): some layer needs folding")
            all += layers
        }
        XCTAssertEqual(Set(all.map(\.stride)), [1, 2, 4])
        XCTAssertEqual(Set(all.map(\.r)), Set(RandomCases.filterSizes))
        XCTAssertEqual(Set(all.map(\.padding)), [0, 1, 2])
        XCTAssertEqual(Set(all.map(\.groups)), [1, 2])
        XCTAssertEqual(Set(all.map(\.n)), [1, 2])
        XCTAssertTrue(all.contains { $0.stride > $0.s }, "a stride wider than the filter")
        XCTAssertTrue(all.contains { $0.c % 2 == 1 && $0.m % 2 == 1 && $0.m > 1 }, "counts that divide nothing")
    }

    func testRandomConfigurationsAreValidSmallAndDeterministic() throws {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        var names = Set<String>()
        for _ in 0..<60 {
            let named = RandomCases.configuration(using: &a)
            XCTAssertEqual(named, RandomCases.configuration(using: &b))
            let raw = named.config.raw
            XCTAssertTrue((2...6).contains(raw.array.rows) && (3...7).contains(raw.array.columns), named.name)
            XCTAssertEqual(try ConfigLoader.load(file: nil, overrides: named.overrides).hashHex, named.hash)
            XCTAssertTrue(named.name.hasPrefix("\(raw.array.rows)x\(raw.array.columns)"), named.name)
            names.insert(named.name)
        }
        XCTAssertTrue(names.contains { $0.contains("-") }, "some configurations change more than the array")
        XCTAssertTrue(names.contains { !$0.contains("-") }, "some change only the array")
    }
}
