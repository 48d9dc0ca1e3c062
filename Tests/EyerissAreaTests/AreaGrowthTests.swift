import EyerissArea
import EyerissConfig
import Foundation
import XCTest

/// Whole accelerators, small ones: area grows with the array, the filter spad and the buffer,
/// and a second run of a configuration comes from the cache. Yosys synthesizes each distinct
/// module once for the whole class (shared cache folder), so the PE is not redone per test.
final class AreaGrowthTests: XCTestCase {
    static let cache = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-area-tests-\(UUID().uuidString)")
    /// A small buffer and 16-bit counters keep the top-level module quick to synthesize.
    static let base = ["globalBuffer.fmapBanks=2", "globalBuffer.bankWords=64", "globalBuffer.filterBanks=1",
                       "counters.bits=16"]

    override class func tearDown() {
        try? FileManager.default.removeItem(at: cache)
        super.tearDown()
    }

    func estimator() throws -> AreaEstimator {
        guard (try? YosysRunner.find()) != nil else { throw XCTSkip("yosys is not on PATH") }
        return AreaEstimator(cacheRoot: Self.cache, jobs: 2)
    }

    func config(_ extra: [String]) throws -> ValidConfig {
        try ConfigLoader.load(file: nil, overrides: Self.base + extra).validated()
    }

    func gates(_ r: AreaReport, _ category: String) -> Double {
        r.categories.first { $0.category == category }!.totals.gates
    }

    func testAreaGrowsWithTheArray() throws {
        let e = try estimator()
        let sizes = [(2, 2), (3, 4), (6, 7)]
        let reports = try sizes.map { try e.estimate(config(["array.rows=\($0.0)", "array.columns=\($0.1)"])) }
        for (r, (rows, cols)) in zip(reports, sizes) {
            XCTAssertEqual(r.rows.first { $0.module == "eyeriss_pe" && $0.part == "logic" }?.instances, rows * cols)
            XCTAssertEqual(r.rows.first { $0.module == "eyeriss_fifo_w16_d4" && $0.part == "logic" }?.instances, 3 * rows * cols)
        }
        for (small, large) in zip(reports, reports.dropFirst()) {
            XCTAssertLessThan(small.total.logicGates, large.total.logicGates)
            XCTAssertLessThan(small.total.memoryGates, large.total.memoryGates)
            XCTAssertLessThan(small.total.mm2, large.total.mm2)
            XCTAssertLessThan(gates(small, "PE array"), gates(large, "PE array"))
            XCTAssertLessThan(gates(small, "NoC"), gates(large, "NoC"))
            // The buffer does not depend on the array.
            XCTAssertEqual(gates(small, "global buffer"), gates(large, "global buffer"), accuracy: 1e-6)
        }
        // The PE is the same module whatever the array: its area per instance is too.
        let perPE = reports.map { r in r.rows.filter { $0.module == "eyeriss_pe" }.reduce(0) { $0 + $1.gatesEach } }
        XCTAssertEqual(perPE[0], perPE[2], accuracy: 1e-6)

        // All three formats of the sweep parse back.
        let keys = ["array.rows", "array.columns"]
        let points = zip(sizes, reports).map { size, r in
            AreaSweepPoint(settings: ["array.rows": "\(size.0)", "array.columns": "\(size.1)"], report: r)
        }
        struct Sweep: Decodable { let sweep: [AreaSweepPoint] }
        let decoded = try JSONDecoder().decode(Sweep.self, from: Data(points.rendered(.json, keys: keys).utf8))
        XCTAssertEqual(decoded.sweep.count, 3)
        XCTAssertEqual(decoded.sweep[2].report.total.gates, reports[2].total.gates, accuracy: 1e-6)
        let csv = CSV.parse(points.rendered(.csv, keys: keys))
        XCTAssertEqual(Array(csv[0].prefix(3)), ["array.rows", "array.columns", "category"])
        XCTAssertEqual(csv.count, 1 + reports.reduce(0) { $0 + $1.rows.count + 1 })
        XCTAssertTrue(csv.allSatisfy { $0.count == csv[0].count })
        let table = points.rendered(.table, keys: keys)
        XCTAssertTrue(table.contains("== sweep summary"), table)
        XCTAssertTrue(table.contains("eyeriss_pe"), table)
    }

    func testAreaGrowsWithTheFilterSpadAndTheBuffer() throws {
        let e = try estimator()
        let small = try e.estimate(config(["array.rows=3", "array.columns=4", "pe.filterSpadWords=112"]))
        let large = try e.estimate(config(["array.rows=3", "array.columns=4", "pe.filterSpadWords=224"]))
        let spad = { (r: AreaReport) in r.rows.first { $0.part == "filter_spad_q" }! }
        XCTAssertEqual(spad(small).detail, "112 x 16 b, 1R 1W")
        XCTAssertEqual(spad(small).kind, "sram")
        XCTAssertLessThan(spad(small).gates, spad(large).gates)
        XCTAssertLessThan(gates(small, "PE array"), gates(large, "PE array"))
        XCTAssertLessThan(small.total.mm2, large.total.mm2)

        let bigBuffer = try e.estimate(config(["array.rows=3", "array.columns=4", "pe.filterSpadWords=224",
                                               "globalBuffer.bankWords=128"]))
        XCTAssertLessThan(gates(large, "global buffer"), gates(bigBuffer, "global buffer"))
        XCTAssertLessThan(large.total.memoryGates, bigBuffer.total.memoryGates)
    }

    func testSecondRunOfAConfigurationIsCached() throws {
        let e = try estimator()
        let c = try config(["array.rows=2", "array.columns=2"])
        let first = try e.estimate(c)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.cache.appendingPathComponent("area").path)
        XCTAssertTrue(files.contains { $0.hasPrefix("config-\(c.raw.hashHex)-") }, "\(files)")
        XCTAssertTrue(files.contains { $0.hasPrefix("module-") }, "\(files)")
        XCTAssertFalse(files.contains { $0.contains(".tmp-") }, "\(files)")
        let start = Date()
        let second = try e.estimate(c)
        XCTAssertEqual(first, second)
        print("cached estimate of a 2 x 2 configuration: \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        // A different area model reuses the synthesis: only the pricing changes.
        var model = AreaModel()
        model.node = TechnologyNode.named(45)!
        let at45 = try AreaEstimator(model: model, cacheRoot: Self.cache, jobs: 2).estimate(c)
        XCTAssertEqual(at45.total.gates, first.total.gates - first.total.sramGates + at45.total.sramGates, accuracy: 1e-6)
        XCTAssertLessThan(at45.total.mm2, first.total.mm2)
    }
}

/// A minimal RFC 4180 reader for the tests.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" {
                row.append(field); field = ""
                rows.append(row); row = []
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
