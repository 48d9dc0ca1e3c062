import EyerissConfig
import EyerissCosim
import EyerissGolden
@testable import EyerissONNX
import XCTest

/// `--cosim-layers`: some accelerated layers on the Verilated accelerator, the rest on the
/// golden model, with the same result as a run of either kind.
final class CosimSelectionTests: XCTestCase {
    func testOnlyTheNamedLayersAreCosimulatedAndTheOutputIsUnchanged() throws {
        var rng = SplitMix64(seed: 11)
        let graph = ONNXRunnerTests.classifier(&rng)
        let x = ONNXRunnerTests.random([2, 2, 6, 6], &rng)
        let config = try ONNXRunnerTests.config()
        let (golden, goldenOut) = try ONNXRunner.run(graph, input: x, config: config, backend: .golden)
        let (some, someOut) = try ONNXRunner.run(graph, input: x, config: config,
                                                 backend: .cosim(LayerRunOptions(seed: 5), only: ["fc"]))
        XCTAssertNil(some.layers[0].cosim, "conv1 was not named: golden model")
        let fc = try XCTUnwrap(some.layers[1].cosim, "fc was named: co-simulated")
        XCTAssertTrue(fc.passed)
        XCTAssertGreaterThan(fc.cycles, 0)
        XCTAssertEqual(some.backend, "cosim of fc, golden elsewhere")
        XCTAssertEqual(try XCTUnwrap(someOut).values, try XCTUnwrap(goldenOut).values)
        XCTAssertEqual(some.maxAbsError, golden.maxAbsError)

        XCTAssertThrowsError(try ONNXRunner.run(graph, input: x, config: config,
                                                backend: .cosim(LayerRunOptions(seed: 5), only: ["fc", "fc7"]))) { error in
            XCTAssertTrue("\(error)".contains("no accelerated layer named fc7; the model's are conv1, fc"), "\(error)")
        }
    }
}
