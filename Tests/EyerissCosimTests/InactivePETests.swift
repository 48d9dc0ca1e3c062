import EyerissConfig
import EyerissCosim
import EyerissMapper
import XCTest

/// PEs a mapping leaves unused are never started: they count no activity at all.
final class InactivePETests: XCTestCase {
    func testUnusedPEsCountNothing() throws {
        let config = try ConfigLoader.load(file: nil, overrides: ["array.rows=3", "array.columns=4"]).validated()
        // 1 x 1 filters on one channel: one PE row is enough, the other two rows stay unused.
        let layer = LayerShape(name: "pointwise", n: 1, c: 1, h: 6, w: 6, m: 3, r: 1, s: 1, stride: 1, padding: 0)
        let plan = try Mapper.map(layer: layer, config: config, shift: 12)
        let activeRows = plan.passes.map { $0.geometry.activeRows }.max()!
        let activeColumns = plan.passes.map { $0.geometry.activeColumns }.max()!
        XCTAssertLessThan(activeRows * activeColumns, config.peCount, "the test needs unused PEs")
        var simulator: AcceleratorSimulator?
        let result = try LayerRunner.run(layer, config: config, options: LayerRunOptions(seed: 2)) { lines in
            let sim = try AcceleratorSimulator(config: config, seed: 2, dramLines: lines, dram: .nominal(config))
            simulator = sim
            return sim
        }
        XCTAssertEqual(result.mismatches, 0)
        let sim = try XCTUnwrap(simulator)
        for row in 0..<3 {
            for column in 0..<4 {
                let counts = sim.peCounters(row * 4 + column)
                if row < activeRows && column < activeColumns {
                    XCTAssertGreaterThan(counts[0] + counts[1], 0, "PE (\(row), \(column)) is used")
                } else {
                    XCTAssertEqual(counts, [UInt64](repeating: 0, count: 8), "PE (\(row), \(column)) is unused")
                }
            }
        }
    }
}
