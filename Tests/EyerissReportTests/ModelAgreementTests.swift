import EyerissConfig
import EyerissCosim
import EyerissGolden
import EyerissMapper
import EyerissReport
import XCTest

/// The analytic access model against the RTL's own counters: every count the mapping (and the
/// data) determines must be equal; the cycle estimates within `AccessModel.cycleTolerance`.
final class ModelAgreementTests: XCTestCase {
    static func config(_ rows: Int, _ columns: Int) throws -> ValidConfig {
        try ConfigLoader.load(file: nil, overrides: ["array.rows=\(rows)", "array.columns=\(columns)"]).validated()
    }

    /// Runs `layers` and checks the model; returns the reports.
    @discardableResult
    func agree(_ layers: [LayerShape], on config: ValidConfig, io: LayerIO, seed: UInt64,
               file: StaticString = #filePath, line: UInt = #line) throws -> [LayerReport] {
        var reports: [LayerReport] = []
        for (i, layer) in layers.enumerated() {
            let options = LayerRunOptions(seed: seed &+ UInt64(i), sparsity: 0.5, shift: 10, io: io)
            let result = try LayerRunner.run(layer, config: config, options: options)
            XCTAssertEqual(result.mismatches, 0, "\(layer): \(result.firstMismatches)", file: file, line: line)
            let report = try XCTUnwrap(result.report, file: file, line: line)
            let context = "\(layer.name) \(layer) io \(io) seed \(options.seed)"
            XCTAssertEqual(report.agreement.mismatches, [], "\(context): the model and the RTL differ", file: file, line: line)
            XCTAssertTrue(report.agreement.exactFields.count >= 25, file: file, line: line)
            XCTAssertLessThanOrEqual(abs(report.agreement.cycleError), AccessModel.cycleTolerance,
                                     "\(context): cycles measured \(report.measured.cycles.total), predicted \(report.predicted.cycles.total)",
                                     file: file, line: line)
            // The counters see the run: these are never zero for a layer that computes.
            let m = report.measured
            XCTAssertGreaterThan(m.cycles.peBusy, 0, file: file, line: line)
            XCTAssertGreaterThan(m.cycles.dramStall, 0, file: file, line: line)
            XCTAssertLessThanOrEqual(m.cycles.peBusy + m.cycles.dramStall, m.cycles.total, file: file, line: line)
            XCTAssertEqual(m.cycles.total, result.cycles - 0, "the busy counter counts the run's cycles", file: file, line: line)
            XCTAssertEqual(m.dram.linesRead * m.dram.bytesPerLine, result.dramBytesRead, "perf counter = shim count", file: file, line: line)
            XCTAssertEqual(m.dram.linesWritten * m.dram.bytesPerLine, result.dramBytesWritten, file: file, line: line)
            reports.append(report)
        }
        return reports
    }

    func testRandomLayersRawOn3x4() throws {
        let config = try Self.config(3, 4)
        try agree(RandomCases.layers(count: 10, seed: 0x5_01, config: config), on: config, io: .raw, seed: 3)
    }

    func testRandomLayersCodedOn3x4() throws {
        let config = try Self.config(3, 4)
        try agree(RandomCases.layers(count: 10, seed: 0x5_02, config: config), on: config, io: .hidden, seed: 7)
    }
}

extension ModelAgreementTests {
    /// AlexNet's five CONV layers at their full spatial size, filter size, stride, padding and
    /// groups, with few channels so a 3 x 4 array runs them in seconds: CONV1 on a raw image,
    /// the rest through coded DRAM with ReLU, as in a network run.
    func testAlexNetLayersWithFewChannelsOn3x4() throws {
        let config = try Self.config(3, 4)
        let alex = BuiltinLayers.alexnet
        XCTAssertEqual(alex.count, 5)
        func cut(_ l: LayerShape, c: Int, m: Int) -> LayerShape {
            LayerShape(name: l.name, n: 1, c: c, h: l.h, w: l.w, m: m, r: l.r, s: l.s, stride: l.stride,
                       padding: l.padding, groups: l.groups)
        }
        try agree([cut(alex[0], c: 3, m: 2)], on: config, io: .first, seed: 41)
        try agree([cut(alex[1], c: 4, m: 4), cut(alex[2], c: 3, m: 3), cut(alex[3], c: 4, m: 4), cut(alex[4], c: 4, m: 2)],
                  on: config, io: .hidden, seed: 43)
    }

    /// Hostile DRAM changes the timing, never the counts the mapping and the data determine.
    func testHostileDRAMChangesOnlyTiming() throws {
        let config = try Self.config(3, 4)
        let layer = LayerShape(name: "h", n: 1, c: 3, h: 9, w: 9, m: 5, r: 3, s: 3, stride: 1, padding: 1)
        let nominal = try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 9, io: .hidden))
        let hostile = try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 9, dram: .hostile(config), io: .hidden))
        let (a, b) = (try XCTUnwrap(nominal.report), try XCTUnwrap(hostile.report))
        XCTAssertEqual(a.agreement.mismatches, [])
        XCTAssertEqual(b.agreement.mismatches, [])
        XCTAssertEqual(a.measured.noc, b.measured.noc)
        XCTAssertEqual(a.measured.glb, b.measured.glb)
        XCTAssertEqual(a.measured.dram, b.measured.dram)
        XCTAssertGreaterThan(b.measured.cycles.dramStall, a.measured.cycles.dramStall, "a hostile DRAM stalls more")
    }

    /// The committed examples (docs/reports, made by `eyeriss run --network ... --report`) read
    /// with this schema, and their RTL counts agree with the model on every layer.
    func checkCommittedReport(_ file: String, layers: [String], pes: Int, file f: StaticString = #filePath, line: UInt = #line) throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = repo.appendingPathComponent("docs/reports/\(file)")
        let report = try RunReport.decode(json: Data(contentsOf: url), source: url.path)
        XCTAssertEqual(report.layers.map(\.name), layers, file: f, line: line)
        XCTAssertEqual(report.configuration.rows * report.configuration.columns, pes, file: f, line: line)
        XCTAssertTrue(report.totals.passed, file: f, line: line)
        for l in report.layers {
            XCTAssertTrue(l.passed, l.name, file: f, line: line)
            XCTAssertEqual(l.agreement.mismatches, [], l.name, file: f, line: line)
            XCTAssertLessThanOrEqual(abs(l.agreement.cycleError), AccessModel.cycleTolerance, l.name, file: f, line: line)
            XCTAssertEqual(l.measured.macs.slots, l.predicted.macs.slots, l.name, file: f, line: line)
        }
    }

    func testCommittedAlexNetReportAgrees() throws {
        try checkCommittedReport("alexnet-batch1.json", layers: BuiltinLayers.alexnet.map(\.name), pes: 168)
    }

    func testCommittedSmallAlexNetReportAgrees() throws {
        try checkCommittedReport("alexnet-small-6x7.json", layers: (1...5).map { "alexnet-small.conv\($0)" }, pes: 42)
    }
}
