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
