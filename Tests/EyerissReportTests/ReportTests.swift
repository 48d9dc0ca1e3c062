import EyerissConfig
import EyerissGolden
import EyerissMapper
import EyerissReport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// Energy tables, the access model on its own, and the report formats: no simulation.
final class ReportTests: XCTestCase {
    static func config(_ rows: Int = 3, _ columns: Int = 4) throws -> ValidConfig {
        try ConfigLoader.load(file: nil, overrides: ["array.rows=\(rows)", "array.columns=\(columns)"]).validated()
    }

    // ------------------------------------------------------------------ energy tables

    func testDefaultTableIsThePublishedNormalizedCosts() {
        let t = EnergyTable.normalized
        XCTAssertEqual([t.mac, t.spad, t.noc, t.glb, t.dram], [1, 1, 2, 6, 200])
    }

    func testParsesAnAbsoluteTable() throws {
        let t = try EnergyTable.parse(yaml: "unit: pJ\nmac: 0.5\nspad: 1\nnoc: 2.25\nglb: 6\ndram: 640\n")
        XCTAssertEqual(t, EnergyTable(unit: "pJ", mac: 0.5, spad: 1, noc: 2.25, glb: 6, dram: 640))
        XCTAssertEqual(try EnergyTable.parse(yaml: "mac: 1\nspad: 1\nnoc: 1\nglb: 1\ndram: 1").unit, "pJ", "unit defaults to pJ")
    }

    func testRejectsBadTablesNamingEveryProblem() {
        func problems(_ yaml: String) -> [String] {
            do {
                _ = try EnergyTable.parse(yaml: yaml, source: "t.yaml")
                return []
            } catch let e as EnergyTableError {
                XCTAssertEqual(e.source, "t.yaml")
                return e.problems
            } catch {
                XCTFail("\(error)")
                return []
            }
        }
        let p = problems("mac: -1\nspad: lots\nglb: 6\ndram: 200\nsram: 3\n")
        XCTAssertEqual(p.count, 4, "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("unknown key 'sram'") }, "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("mac = -1") && $0.contains(">= 0") }, "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("spad = lots") && $0.contains("number") }, "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("noc: missing") }, "\(p)")
        XCTAssertEqual(problems("- 1\n- 2\n").count, 1, "a list is not a table")
        XCTAssertTrue(problems("mac: [1\n").first?.hasPrefix("not valid YAML") ?? false)
        XCTAssertTrue(problems("unit: \"\"\nmac: 1\nspad: 1\nnoc: 1\nglb: 1\ndram: 1").first?.hasPrefix("unit") ?? false)
    }

    func testEnergyIsCountsTimesCostsByLevelAndType() {
        var c = AccessCounts(dram: DRAMCounts(linesRead: 10, linesWritten: 3, filterLinesRead: 4, ifmapLinesRead: 5,
                                              wordsPerLine: 4, bytesPerLine: 8))
        c.macs = MACCounts(done: 100, gated: 50)
        c.spad = PerDataType(filter: ReadWrite(reads: 100, writes: 7), ifmap: ReadWrite(reads: 30, writes: 9),
                             psum: ReadWrite(reads: 20, writes: 21))
        c.noc = NetworkCounts(ginFilter: 7, ginIfmap: 9, ginPsum: 2, gon: 5, localPsum: 11)
        c.glb = PerDataType(filter: ReadWrite(reads: 7, writes: 8), ifmap: ReadWrite(reads: 6, writes: 20),
                            psum: ReadWrite(reads: 3, writes: 5))
        let e = EnergyTable(unit: "pJ", mac: 0.5, spad: 1, noc: 2, glb: 6, dram: 200).energy(of: c)
        XCTAssertEqual(e.mac.total, 50, "gated MACs cost nothing")
        XCTAssertEqual(e.spad.filter, 107)
        XCTAssertEqual(e.spad.total, 187)
        XCTAssertEqual(e.noc.psum, 36, "GIN psums, GON and local links")
        XCTAssertEqual(e.glb.ifmap, 156)
        XCTAssertEqual(e.dram.filter, 3200)
        XCTAssertEqual(e.dram.ifmap, 4000)
        XCTAssertEqual(e.dram.program, 800, "the reads that are neither filters nor ifmaps: descriptors")
        XCTAssertEqual(e.dram.psum, 2400)
        XCTAssertEqual(e.total, 50 + 187 + 68 + 294 + 10400)
        XCTAssertEqual(e.byType.total, e.total, accuracy: 1e-9)
    }

    // ------------------------------------------------------------------ the model alone

    func testModelAgreesWithThePlannersTrafficAndMACs() throws {
        let config = try Self.config()
        let layer = LayerShape(name: "l", n: 2, c: 5, h: 11, w: 10, m: 7, r: 5, s: 3, stride: 2, padding: 1)
        let plan = try Mapper.map(layer: layer.validated(), config: config, shift: 8, io: .raw)
        let st = plan.statistics
        let c = AccessModel.predict(plan)
        XCTAssertEqual(c.macs.slots, UInt64(st.macs))
        XCTAssertEqual(c.macs.gated, 0, "without data nothing is gated")
        XCTAssertEqual(c.dram.wordsRead, UInt64(st.dramWordsRead))
        XCTAssertEqual(c.dram.wordsWritten, UInt64(st.dramWordsWritten))
        XCTAssertEqual(c.dram.filterLinesRead * 4, UInt64(st.filterWordsRead))
        XCTAssertEqual(c.noc.gon, UInt64(layer.n * layer.m * layer.e * layer.f * plan.mapping.filterRowChunks.count
                                         * ((layer.channelsPerGroup + plan.mapping.q * plan.mapping.r - 1) / (plan.mapping.q * plan.mapping.r))),
                       "every pass sends each of its psums once")
        // Data: all-zero ifmap gates every slot; the ifmap words the feeder reads never exceed the stream.
        let zeros = LayerData(ifmap: Array(repeating: 0, count: layer.n * layer.c * layer.h * layer.w),
                              ofmap: Array(repeating: 0, count: layer.n * layer.m * layer.e * layer.f))
        let z = AccessModel.predict(plan, data: zeros)
        XCTAssertEqual(z.macs.done, 0)
        XCTAssertEqual(z.macs.gated, c.macs.slots)
        XCTAssertEqual(z.spad.filter.reads, 0)
        XCTAssertLessThan(c.glb.ifmap.reads, c.noc.ginIfmap, "padding is sent, not read")
    }

    func testCodedRowsTakeTheirCodesLines() throws {
        let config = try Self.config()
        let layer = LayerShape(name: "l", n: 1, c: 2, h: 6, w: 12, m: 3, r: 3, s: 3, stride: 1, padding: 1)
        let plan = try Mapper.map(layer: layer.validated(), config: config, shift: 8, io: .hidden)
        let dense = LayerData(ifmap: Array(repeating: 5, count: 2 * 6 * 12), ofmap: Array(repeating: 5, count: 3 * 6 * 12))
        let sparse = LayerData(ifmap: Array(repeating: 0, count: 2 * 6 * 12), ofmap: Array(repeating: 0, count: 3 * 6 * 12))
        let d = AccessModel.predict(plan, data: dense), s = AccessModel.predict(plan, data: sparse)
        XCTAssertEqual(d.dram.linesWritten, UInt64(3 * 6 * 4), "12 non-zero values: 4 words of 3 pairs per row")
        XCTAssertEqual(s.dram.linesWritten, UInt64(3 * 6), "an all-zero row of 12 is one word")
        XCTAssertGreaterThan(d.dram.ifmapLinesRead, s.dram.ifmapLinesRead)
        XCTAssertEqual(d.glb.ifmap.writes, s.glb.ifmap.writes, "the decoder writes every value once, coded or not")
    }

    // ------------------------------------------------------------------ formats

    func sampleReport() throws -> RunReport {
        let config = try Self.config()
        var layers: [LayerReport] = []
        for (i, layer) in [LayerShape(name: "conv-a", n: 1, c: 3, h: 9, w: 9, m: 4, r: 3, s: 3, stride: 1, padding: 1),
                           LayerShape(name: "conv,b", n: 1, c: 2, h: 7, w: 7, m: 5, r: 3, s: 3, stride: 2, padding: 0)].enumerated() {
            let plan = try Mapper.map(layer: layer.validated(), config: config, shift: 8, io: .raw)
            var measured = AccessModel.predict(plan)
            measured.cycles.total += UInt64(100 * (i + 1))
            if i == 1 { measured.noc.gon += 1 }
            layers.append(LayerReport(plan: plan, passed: true, mismatches: 0, measured: measured,
                                      predicted: AccessModel.predict(plan), energyTable: .normalized))
        }
        return RunReport(command: "cosim", config: config, energyTable: .normalized, layers: layers)
    }

    func testJSONRoundTripsAndCarriesItsSchemaVersion() throws {
        let r = try sampleReport()
        let text = try r.json()
        XCTAssertTrue(text.contains("\"schemaVersion\" : 1"))
        XCTAssertEqual(try RunReport.decode(json: Data(text.utf8)), r)
        XCTAssertTrue(r.layers[0].agreement.exact)
        XCTAssertEqual(r.layers[1].agreement.mismatches, [FieldMismatch(field: "noc.gon", measured: r.layers[1].predicted.noc.gon + 1,
                                                                         predicted: r.layers[1].predicted.noc.gon)])
        XCTAssertEqual(r.totals.measured.macs.done, r.layers[0].measured.macs.done + r.layers[1].measured.macs.done)
        XCTAssertEqual(r.totals.energy.total, r.layers[0].energy.total + r.layers[1].energy.total, accuracy: 1e-6)
        let future = text.replacingOccurrences(of: "\"schemaVersion\" : 1", with: "\"schemaVersion\" : 2")
        XCTAssertThrowsError(try RunReport.decode(json: Data(future.utf8), source: "f.json")) { error in
            XCTAssertTrue("\(error)".contains("schemaVersion 2"), "\(error)")
        }
        XCTAssertThrowsError(try RunReport.decode(json: Data("{\"layers\": []}".utf8)))
    }

    func testRepricingChangesOnlyEnergy() throws {
        let r = try sampleReport()
        let doubled = EnergyTable(unit: "x2", mac: 2, spad: 2, noc: 4, glb: 12, dram: 400)
        let p = r.repriced(with: doubled)
        XCTAssertEqual(p.totals.energy.total, 2 * r.totals.energy.total, accuracy: 1e-6)
        XCTAssertEqual(p.layers.map(\.measured), r.layers.map(\.measured))
        XCTAssertEqual(p.energyTable.unit, "x2")
    }

    /// Reports written before codes of several rows existed still load: a code per row.
    func testLayerIOWithoutCodeRowsDecodesAsACodePerRow() throws {
        let old = try JSONDecoder().decode(LayerIO.self, from: Data(#"{"ifmapRLC": true, "ofmapRLC": true, "relu": false}"#.utf8))
        XCTAssertEqual(old, LayerIO(ifmapRLC: true, ofmapRLC: true, relu: false, ifmapCodeRows: 1, ofmapCodeByRowChunk: false))
        XCTAssertNil(old.rowPool, "reports before the row pool: rows not pooled")
        for pool in [nil, RowPool.three] {
            let io = LayerIO(ifmapRLC: true, ofmapRLC: true, relu: true, ifmapCodeRows: 13, ofmapCodeByRowChunk: true, rowPool: pool)
            XCTAssertEqual(try JSONDecoder().decode(LayerIO.self, from: JSONEncoder().encode(io)), io)
        }
    }

    func testCSVHasOneRowPerLayerAndEveryCount() throws {
        let r = try sampleReport()
        let lines = r.csv().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 1 + r.layers.count)
        let header = lines[0].split(separator: ",").map(String.init)
        for (name, _) in r.totals.measured.fields { XCTAssertTrue(header.contains(name), name) }
        XCTAssertTrue(lines[2].hasPrefix("\"conv,b\","), "a name with a comma is quoted")
        let cycles = header.firstIndex(of: "cycles.total")!
        XCTAssertEqual(lines[1].split(separator: ",").map(String.init)[cycles], String(r.layers[0].measured.cycles.total))
    }

    func testTableAndSVGShowEveryLayer() throws {
        let r = try sampleReport()
        let table = r.table()
        XCTAssertTrue(table.contains("conv-a") && table.contains("conv,b") && table.contains("total"))
        XCTAssertTrue(table.contains("1 differ"), "a layer where the model differs says so")
        XCTAssertTrue(table.contains("noc.gon measured"))
        let svg = r.svg()
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "well-formed XML: \(String(describing: parser.parserError))")
        XCTAssertTrue(svg.contains("conv,b") && svg.contains("energy by level"))
        XCTAssertEqual(svg.components(separatedBy: "<title>conv-a ").count - 1, 3 + 1 + 5,
                       "conv-a: cycles (busy, DRAM stall, other), utilization, energy of 5 levels")
    }
}
