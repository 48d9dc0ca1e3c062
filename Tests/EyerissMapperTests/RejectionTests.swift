import EyerissConfig
import EyerissMapper
import XCTest

/// Layers no mapping can run are rejected with a `MappingError` that names the layer and why.
final class RejectionTests: XCTestCase {
    private func assertRejected(_ layer: LayerShape, config: ValidConfig = TestConfigs.chip, shift: Int = 8,
                                mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Mapper.map(layer: layer, config: config, shift: shift), file: file, line: line) { error in
            guard let error = error as? MappingError else {
                return XCTFail("expected a MappingError, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.layer, layer.name, file: file, line: line)
            let text = error.description
            XCTAssert(text.contains(layer.name), "\(text) does not name the layer", file: file, line: line)
            for word in words {
                XCTAssert(text.contains(word), "\(text) does not mention \(word)", file: file, line: line)
            }
            print(text)
        }
    }

    /// An ifmap coded by channel needs tiles that hold whole channels; a code holds a row or more.
    func testIfmapCodedByChannelNeedsWholeChannelTiles() throws {
        let tall = LayerShape(name: "tall", n: 1, c: 4, h: 27, w: 27, m: 4, r: 5, s: 5, stride: 1, padding: 2)
        let io = LayerIO(ifmapRLC: true, ofmapRLC: true, ifmapCodeRows: LayerIO.codePerChannel)
        let byRow = try Mapper.map(layer: tall, config: TestConfigs.array3x4, shift: 8, io: .hidden)
        XCTAssertFalse(byRow.tilesHoldWholeCodes(of: tall.h), "the test needs tiles of part of a channel")
        XCTAssertThrowsError(try Mapper.map(layer: tall, config: TestConfigs.array3x4, shift: 8, io: io)) { error in
            XCTAssert("\(error)".contains("needs tiles of whole codes"), "\(error)")
        }
        let small = LayerShape(name: "small", n: 1, c: 2, h: 4, w: 5, m: 2, r: 3, s: 3, stride: 1, padding: 1)
        XCTAssertThrowsError(try Mapper.map(layer: small, config: TestConfigs.array3x4, shift: 8,
                                            io: LayerIO(ifmapRLC: true, ifmapCodeRows: 0))) { error in
            XCTAssert("\(error)".contains("must be 1 or more"), "\(error)")
        }
    }

    /// Codes of several rows are mapped to the best geometry whose tiles hold whole codes, not
    /// rejected because the best of all does not.
    func testCodesOfSeveralRowsTakeTheBestGeometryOfWholeCodes() throws {
        let layer = LayerShape(name: "two-chunks", n: 1, c: 2, h: 5, w: 11, m: 2, r: 1, s: 1, stride: 1, padding: 0)
        let byRow = try Mapper.map(layer: layer, config: TestConfigs.array3x4, shift: 0, io: LayerIO(ifmapRLC: true, ofmapRLC: true))
        XCTAssertFalse(byRow.tilesHoldWholeCodes(of: layer.h), "the test needs a best geometry whose tiles hold part of a channel")
        let byChannel = try Mapper.map(layer: layer, config: TestConfigs.array3x4, shift: 0,
                                       io: LayerIO(ifmapRLC: true, ofmapRLC: true, ifmapCodeRows: LayerIO.codePerChannel))
        XCTAssertTrue(byChannel.tilesHoldWholeCodes(of: layer.h))
        XCTAssertEqual(byChannel.layout.ifmapRowsPerSlot, layer.h, "a code per channel")
    }

    func testFilterWiderThanIfmapSpad() {
        let layer = LayerShape(name: "wide", n: 1, c: 2, h: 20, w: 20, m: 2, r: 3, s: 13, stride: 1, padding: 0)
        assertRejected(layer, mentioning: ["S = 13", "ifmap scratchpad", "pe.ifmapSpadWords = 12"])
    }

    func testFilterWiderThanFilterSpad() throws {
        let config = try TestConfigs.make(["pe.filterSpadWords=8"])
        let layer = LayerShape(name: "wide", n: 1, c: 2, h: 20, w: 20, m: 2, r: 3, s: 9, stride: 1, padding: 0)
        assertRejected(layer, config: config, mentioning: ["S = 9", "filter scratchpad"])
    }

    func testOutputRowLongerThanPsumRegion() throws {
        let config = try TestConfigs.make(["globalBuffer.bankWords=16", "globalBuffer.fmapBanks=2"])
        let layer = LayerShape(name: "long-rows", n: 1, c: 1, h: 3, w: 102, m: 1, r: 3, s: 3, stride: 1, padding: 0)
        assertRejected(layer, config: config, mentioning: ["single output row of psums", "F = 100", "psum region"])
    }

    func testIfmapRowLongerThanIfmapRegion() throws {
        let config = try TestConfigs.make(["globalBuffer.bankWords=16", "globalBuffer.fmapBanks=2"])
        let layer = LayerShape(name: "wide-input", n: 1, c: 1, h: 3, w: 1000, m: 1, r: 1, s: 1, stride: 100, padding: 0)
        assertRejected(layer, config: config, mentioning: ["single ifmap row", "W = 1000", "ifmap region"])
    }

    func testIfmapAndPsumRowsCannotShareTheBuffer() throws {
        let config = try TestConfigs.make(["globalBuffer.bankWords=16", "globalBuffer.fmapBanks=3"])
        let layer = LayerShape(name: "crowded", n: 1, c: 1, h: 3, w: 80, m: 1, r: 1, s: 1, stride: 1, padding: 0)
        assertRejected(layer, config: config, mentioning: ["cannot share", "3 global buffer banks"])
    }

    func testTooManyOutputsPerRow() {
        let layer = LayerShape(name: "very-wide", n: 1, c: 1, h: 1, w: 70_000, m: 1, r: 1, s: 1, stride: 1, padding: 0)
        assertRejected(layer, mentioning: ["F = 70000", "2^16"])
    }

    func testDRAMAddressesOverflow() {
        let layer = LayerShape(name: "huge", n: 1, c: 1 << 20, h: 1 << 12, w: 1 << 12, m: 1, r: 1, s: 1, stride: 1 << 10, padding: 0)
        assertRejected(layer, mentioning: ["DRAM lines", "32 bits"])
    }

    /// Rows and columns are 16-bit descriptor fields (and hardware counts).
    func testRowsBeyondTheDescriptorFields() {
        let layer = LayerShape(name: "tall", n: 1, c: 1, h: 1 << 16, w: 8, m: 1, r: 1, s: 1, stride: 1 << 8, padding: 0)
        assertRejected(layer, mentioning: ["H = 65536", "2^16", "descriptor field"])
    }

    func testInvalidShape() {
        let layer = LayerShape(name: "bad-groups", n: 1, c: 3, h: 8, w: 8, m: 4, r: 3, s: 3, stride: 1, padding: 1, groups: 2)
        assertRejected(layer, mentioning: ["invalid shape", "groups"])
    }

    func testShiftOutOfRange() {
        let layer = LayerShape(name: "shifty", n: 1, c: 1, h: 8, w: 8, m: 1, r: 3, s: 3, stride: 1, padding: 1)
        assertRejected(layer, shift: 32, mentioning: ["shift = 32", "0...31"])
        assertRejected(layer, shift: -1, mentioning: ["shift = -1"])
    }

    func testPsumsWiderThanData() throws {
        let config = try TestConfigs.make(["fixedPoint.psumBits=32"])
        let layer = LayerShape(name: "wide-psums", n: 1, c: 1, h: 8, w: 8, m: 1, r: 3, s: 3, stride: 1, padding: 1)
        assertRejected(layer, config: config, mentioning: ["psumBits = 32"])
    }

    /// A layer that fits only with a shorter PE set than `min(R, rows)` still maps.
    func testFallsBackToShorterFilterRowChunks() throws {
        // One ifmap row is 16 lines; two banks of 16 lines hold one row of a tile and one psum row.
        let config = try TestConfigs.make(["globalBuffer.bankWords=16", "globalBuffer.fmapBanks=2"])
        let layer = LayerShape(name: "tall", n: 1, c: 1, h: 6, w: 64, m: 1, r: 3, s: 3, stride: 1, padding: 0)
        let plan = try Mapper.map(layer: layer, config: config, shift: 4)
        XCTAssertEqual(plan.mapping.rc, 1)
        XCTAssert(planProblems(plan).isEmpty)
        try runAndCompare(layer, config: config, shift: 4, seed: 3)
    }
}
