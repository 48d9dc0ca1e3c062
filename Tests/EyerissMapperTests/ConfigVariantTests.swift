import EyerissConfig
import EyerissGolden
import EyerissMapper
import XCTest

/// Plans executed on configurations that stress one limit each: a tiny global buffer (many
/// row chunks, few rows per tile), narrow DRAM lines, 8-bit data (eight words per line), small
/// scratchpads and narrow tags.
final class ConfigVariantTests: XCTestCase {
    /// 4 banks of 16 lines and a 16-line filter buffer on a 3 x 4 array.
    func testTinyGlobalBuffer() throws {
        let config = try TestConfigs.make(["array.rows=3", "array.columns=4", "globalBuffer.bankWords=16",
                                       "globalBuffer.fmapBanks=4", "globalBuffer.filterBanks=1"])
        try runRandomLayers(config: config, count: 16, seed: 0x7B)
    }

    /// The chip's array with a small buffer: a VGG-like layer needs several row chunks and
    /// filter chunks, with remainders in every loop.
    func testChipArraySmallBuffer() throws {
        let config = try TestConfigs.make(["globalBuffer.bankWords=32", "globalBuffer.fmapBanks=6"])
        let layer = LayerShape(name: "vgg-like", n: 1, c: 13, h: 19, w: 19, m: 21, r: 3, s: 3, stride: 1, padding: 1)
        let run = try runAndCompare(layer, config: config, shift: 9, seed: 7)
        print(run.plan.summary())
        XCTAssertGreaterThan(run.plan.mapping.rowChunks.count, 1)
    }

    /// 32-bit DRAM and buffer lines: two words per line.
    func testTwoLanes() throws {
        let config = try TestConfigs.make(["array.rows=6", "array.columns=7", "dram.busBits=32", "globalBuffer.bankBits=32",
                                           "rlc.pairsPerWord=1"])
        try runRandomLayers(config: config, count: 12, seed: 0x32)
    }

    /// 8-bit data and psums: eight words per 64-bit line.
    func testEightBitData() throws {
        let config = try TestConfigs.make(["array.rows=3", "array.columns=4", "fixedPoint.dataBits=8",
                                       "fixedPoint.psumBits=8", "rlc.levelBits=8", "noc.ifmapBusBits=8"])
        try runRandomLayers(config: config, count: 12, seed: 0x8)
    }

    /// Small spads (few channels and filters per PE) and the narrowest tags a 3 x 4 array allows
    /// (Ycount <= 8 limits e, especially at stride 4).
    func testSmallSpadsAndNarrowTags() throws {
        let config = try TestConfigs.make(["array.rows=3", "array.columns=4", "pe.ifmapSpadWords=11", "pe.filterSpadWords=24",
                                       "pe.psumSpadWords=3", "noc.rowTagBits=2", "noc.columnTagBits=2",
                                       "noc.ifmapColumnTagBits=3"])
        try runRandomLayers(config: config, count: 16, seed: 0x5A)
    }
}
