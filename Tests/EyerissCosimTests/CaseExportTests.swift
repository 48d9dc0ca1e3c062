import EyerissConfig
import EyerissCosim
import EyerissMapper
import XCTest

/// `eyeriss export-case` without a simulator: the expected ofmap lines, placed in DRAM, read
/// back as the golden ofmap; the masks cover exactly the checked bits.
final class CaseExportTests: XCTestCase {
    let config = try! ConfigLoader.load(file: nil, overrides: ["array.rows=3", "array.columns=4"]).validated()
    // F = 7: raw rows of 2 lines, the second with one padding lane.
    let layer = LayerShape(name: "export", n: 2, c: 3, h: 9, w: 9, m: 4, r: 3, s: 3, stride: 1, padding: 0)

    func placed(_ export: CaseExport, fill: UInt64) -> [UInt64] {
        let layout = export.plan.layout
        var lines = [UInt64](repeating: fill, count: layout.ofmapLines)
        for e in export.expected {
            let k = e.line - layout.ofmapBase
            lines[k] = (lines[k] & ~e.mask) | (e.data & e.mask)
        }
        return lines
    }

    func testRawExpectationReadsBackAsTheGoldenOfmapWithPaddingMaskedOut() throws {
        let export = try CaseExport(layer: layer, config: config, options: LayerRunOptions(seed: 3))
        // Whatever the don't-care bits hold, the ofmap reads back as the golden one.
        for fill: UInt64 in [0, ~0, 0x1234_5678_9abc_def0] {
            XCTAssertEqual(try export.plan.readOfmap(lines: placed(export, fill: fill)), export.golden)
        }
        let rows = layer.n * layer.m * layer.e
        XCTAssertEqual(export.expected.count, rows * 2)
        XCTAssertEqual(export.expected.filter { $0.mask == ~0 }.count, rows, "the first line of each row is fully checked")
        XCTAssertEqual(export.expected.filter { $0.mask == 0xffff_ffff_ffff }.count, rows, "lane 3 of the second line is padding")
        XCTAssertEqual(export.dramImage.count, export.plan.layout.endLine)
        XCTAssertGreaterThan(export.cycleLimit, UInt64(export.plan.mapping.estimatedCycles))
        let json = try export.json()
        XCTAssertTrue(json.contains("\"programLine\" : \(export.plan.layout.programBase)"), json)
        XCTAssertTrue(json.contains("\"expectedLines\" : \(export.expected.count)"), json)
    }

    func testCodedExpectationIsTheGoldenCodeOfEveryRow() throws {
        let io = LayerIO(ifmapRLC: true, ofmapRLC: true, relu: true)
        let export = try CaseExport(layer: layer, config: config, options: LayerRunOptions(seed: 4, io: io))
        let lines = placed(export, fill: 0)
        XCTAssertEqual(try export.plan.readOfmap(lines: lines), export.golden)
        XCTAssertTrue(export.expected.allSatisfy { $0.mask == ~0 }, "code words are checked whole")
        let codes = try export.plan.ofmapCodes(lines: lines)
        XCTAssertEqual(codes.map(\.count).reduce(0, +), export.expected.count, "only the code's lines are checked")
        XCTAssertTrue(export.golden.contains(0), "ReLU leaves zeros: the code has runs")
    }
}
