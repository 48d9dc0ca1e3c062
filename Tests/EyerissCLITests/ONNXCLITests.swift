import Foundation
import XCTest

/// `eyeriss run --onnx` as a user runs it, on the ONNX project's own test models.
extension CLITests {
    var onnxData: URL {
        get throws {
            if let dir = ProcessInfo.processInfo.environment["EYERISS_ONNX_DATA"] { return URL(fileURLWithPath: dir) }
            let lib = Self.repo.appendingPathComponent(".build/onnx-venv/lib")
            guard let python = try? FileManager.default.contentsOfDirectory(atPath: lib.path).first(where: { $0.hasPrefix("python") }) else {
                throw XCTSkip("no ONNX test data: run scripts/onnx/testdata.sh (scripts/test.sh does)")
            }
            return lib.appendingPathComponent("\(python)/site-packages/onnx/backend/test/data/pytorch-converted")
        }
    }

    func testRunOnnxRunsAModelWritesItsOutputAndNamesWhatCannotMap() throws {
        let cli = self
        let out = cli.temporaryDirectory()
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let y = out.appendingPathComponent("y.npy")
        let model = try onnxData.appendingPathComponent("test_Conv2d_strided/model.onnx").path
        let ok = try cli.eyeriss(["run", "--onnx", model, "--golden-only", "--output", y.path, "--set", "array.rows=3", "--set", "array.columns=4"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("vs ") && ok.stdout.contains("test_data_set_0/output_0.pb"), ok.stdout)
        XCTAssertTrue(ok.stdout.contains("3x3/2"), ok.stdout)
        // The output: float32 [2, 4, 2, 2] in NumPy's format.
        let bytes = try Data(contentsOf: y)
        XCTAssertEqual(Array(bytes.prefix(6)), [0x93] + Array("NUMPY".utf8))
        XCTAssertTrue(String(decoding: bytes.prefix(128), as: UTF8.self).contains("(2, 4, 2, 2)"))

        let dilated = try onnxData.appendingPathComponent("test_Conv2d_dilated/model.onnx").path
        let bad = try cli.eyeriss(["run", "--onnx", dilated, "--set", "array.rows=3", "--set", "array.columns=4"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("dilation 2x2"), bad.stderr)
        let missing = try cli.eyeriss(["run", "--onnx", out.appendingPathComponent("none.onnx").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no file at"), missing.stderr)
        let both = try cli.eyeriss(["run", "--onnx", model, "--network", "alexnet"])
        XCTAssertTrue(both.stderr.contains("either --network or --onnx"), both.stderr)
    }
}
