import EyerissConfig
import EyerissCosim
import Foundation
@testable import EyerissONNX
import XCTest

/// The ONNX project's own backend test data (the `onnx` package from PyPI, installed by
/// scripts/test.sh into .build/onnx-venv): models and expected outputs written by others.
final class BackendDataTests: XCTestCase {
    /// onnx/backend/test/data, from EYERISS_ONNX_DATA or the test environment.
    static func dataDirectory() throws -> URL {
        if let dir = ProcessInfo.processInfo.environment["EYERISS_ONNX_DATA"] { return URL(fileURLWithPath: dir) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let lib = root.appendingPathComponent(".build/onnx-venv/lib")
        let python = try? FileManager.default.contentsOfDirectory(atPath: lib.path).first { $0.hasPrefix("python") }
        guard let python else {
            throw XCTSkip("no ONNX test data: run scripts/onnx/testdata.sh (scripts/test.sh does) or set EYERISS_ONNX_DATA")
        }
        return lib.appendingPathComponent("\(python)/site-packages/onnx/backend/test/data")
    }

    /// Every pytorch-converted Conv2d case, co-simulated on a 3 x 4 array: each layer the
    /// hardware can map is bit-exact against the golden model and within the stated
    /// quantization bound of the stored output; the others are named with the reason.
    func testPyTorchConv2dCasesMatchTheirStoredOutputs() throws {
        let dir = try Self.dataDirectory().appendingPathComponent("pytorch-converted")
        let cases = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("test_Conv2d") }.sorted()
        XCTAssertGreaterThanOrEqual(cases.count, 10, "\(cases)")
        let config = try NamedConfiguration.array(3, 4).config
        var passed: [String] = [], skipped: [String] = []
        for name in cases {
            let caseDir = dir.appendingPathComponent(name)
            let graph = try ONNXFile.loadModel(path: caseDir.appendingPathComponent("model.onnx").path)
            let x = try ONNXFile.loadTensor(path: caseDir.appendingPathComponent("test_data_set_0/input_0.pb").path)
            let y = try ONNXFile.loadTensor(path: caseDir.appendingPathComponent("test_data_set_0/output_0.pb").path)
            do {
                let (r, _) = try ONNXRunner.run(graph, input: x, expected: y, config: config, backend: .cosim(LayerRunOptions(seed: 1)))
                XCTAssertTrue(r.passed, "\(name): \(r.mismatchedLayers)")
                let e = try XCTUnwrap(r.expected, name)
                XCTAssertLessThan(e.referenceMaxAbsError, 1e-4, "\(name): the float reference itself is off")
                XCTAssertLessThanOrEqual(e.maxAbsError, r.layers[0].quantizationBound + e.referenceMaxAbsError,
                                         "\(name): quantized output outside the stated bound")
                XCTAssertEqual(r.layers.first?.cosim?.passed, true, name)
                passed.append(name)
            } catch let ONNXError.unmappable(reason) {
                skipped.append("\(name): \(reason)")
            }
        }
        print("ONNX Conv2d cases: \(passed.count) passed, \(skipped.count) skipped\n  " + skipped.joined(separator: "\n  "))
        XCTAssertEqual(skipped.count, 1, "\(skipped)")
        XCTAssertTrue(skipped.allSatisfy { $0.hasPrefix("test_Conv2d_dilated") && $0.contains("dilation") }, "\(skipped)")
    }

    /// light_squeezenet (26 CONV layers, Concat, pooling, global average, Softmax) end to end on a
    /// scaled-down 40 x 40 input, every layer co-simulated on a 3 x 4 array and bit-exact.
    func testLightSqueezeNetRunsEndToEndOnAScaledDownInput() throws {
        let graph = try ONNXFile.loadModel(path: try Self.dataDirectory().appendingPathComponent("light/light_squeezenet.onnx").path)
        let n = 3 * 40 * 40
        let x = FloatTensor(dims: [1, 3, 40, 40], values: (0..<n).map { Double(Float(Double($0) / Double(n))) })
        let (r, out) = try ONNXRunner.run(graph, input: x, config: try NamedConfiguration.array(3, 4).config,
                                         backend: .cosim(LayerRunOptions(seed: 2)))
        XCTAssertTrue(r.passed, "\(r.mismatchedLayers)")
        XCTAssertEqual(r.layers.count, 26)
        XCTAssertTrue(r.layers.allSatisfy { $0.cosim?.passed == true })
        XCTAssertEqual(out?.dims, [1, 1000, 1, 1])
        // Constant weights make every class equal: the probabilities are all 1/1000.
        XCTAssertLessThan(try XCTUnwrap(r.maxAbsError), 1e-5)
        XCTAssertEqual(try XCTUnwrap(out).values.reduce(0, +), 1, accuracy: 0.01)
        XCTAssertNotNil(r.top1Agreement)
        XCTAssertTrue(r.hostSteps.contains { $0.hasPrefix("Concat") })
    }

    /// light_bvlc_alexnet at full size (5 Conv and 3 Gemm layers, LRN, MaxPool with uneven
    /// padding, Dropout, Softmax; a Gemm's fixed input size rules out a smaller input), its
    /// accelerated layers on the golden model (co-simulating them takes about an hour here:
    /// `eyeriss run --onnx` does it): the quantized output is within the stated error of the
    /// output stored with the model, and the top-1 class agrees.
    func testLightBVLCAlexNetAtFullSizeMatchesItsStoredOutput() throws {
        let light = try Self.dataDirectory().appendingPathComponent("light")
        let graph = try ONNXFile.loadModel(path: light.appendingPathComponent("light_bvlc_alexnet.onnx").path)
        let y = try ONNXFile.loadTensor(path: light.appendingPathComponent("light_bvlc_alexnet_output_0.pb").path)
        let dims = try XCTUnwrap(graph.inputs.first?.dims.compactMap { $0 })
        XCTAssertEqual(dims, [1, 3, 224, 224])
        let n = dims.reduce(1, *)
        let x = FloatTensor(dims: dims, values: (0..<n).map { Double(Float(Double($0) / Double(n))) })
        let (r, out) = try ONNXRunner.run(graph, input: x, expected: y, config: try AcceleratorConfig().validated(), backend: .golden)
        XCTAssertEqual(r.layers.map(\.op), ["Conv", "Conv", "Conv", "Conv", "Conv", "Gemm", "Gemm", "Gemm"])
        XCTAssertEqual(r.layers[5].layer.r, 6, "fc6 runs as a 6 x 6 window CONV")
        XCTAssertTrue(r.hostSteps.contains { $0.hasPrefix("LRN") } && r.hostSteps.contains { $0.hasPrefix("Softmax") })
        XCTAssertEqual(out?.dims, [1, 1000])
        let e = try XCTUnwrap(r.expected)
        XCTAssertLessThan(e.referenceMaxAbsError, 1e-9, "our float reference against the stored output")
        XCTAssertLessThan(e.maxAbsError, 1e-7, "the quantized run against the stored output")
        XCTAssertEqual(e.top1Agreement, 1)
    }
}
