import EyerissConfig
import EyerissCosim
import EyerissGolden
@testable import EyerissONNX
import XCTest

/// Graphs built in code, run on the golden model: the import, the lowering of each operator
/// and the quantization, without Verilator.
final class ONNXRunnerTests: XCTestCase {
    static func config(_ rows: Int = 3, _ cols: Int = 4) throws -> ValidConfig {
        try NamedConfiguration.array(rows, cols).config
    }

    static func random(_ dims: [Int], _ rng: inout SplitMix64, scale: Double = 1) -> FloatTensor {
        FloatTensor(dims: dims, values: (0..<dims.reduce(1, *)).map { _ in (Double(rng.next() % 20001) / 10000 - 1) * scale })
    }

    typealias Node = Graph.Node

    /// Conv(bias) -> Relu -> MaxPool -> Flatten -> Gemm(bias) -> Softmax, as a small classifier.
    static func classifier(_ rng: inout SplitMix64) -> Graph {
        let nodes = [
            Node(name: "conv1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"],
                 attributes: ["kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1]), "strides": .ints([1, 1])]),
            Node(name: "relu1", opType: "Relu", inputs: ["c1"], outputs: ["r1"]),
            Node(name: "pool1", opType: "MaxPool", inputs: ["r1"], outputs: ["p1"],
                 attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]),
            Node(name: "flat", opType: "Flatten", inputs: ["p1"], outputs: ["f1"]),
            Node(name: "fc", opType: "Gemm", inputs: ["f1", "w2", "b2"], outputs: ["g1"], attributes: ["transB": .int(1)]),
            Node(name: "prob", opType: "Softmax", inputs: ["g1"], outputs: ["y"], attributes: ["axis": .int(1)]),
        ]
        let inits = ["w1": random([4, 2, 3, 3], &rng, scale: 0.5), "b1": random([4], &rng, scale: 0.1),
                     "w2": random([5, 4 * 3 * 3], &rng, scale: 0.3), "b2": random([5], &rng, scale: 0.1)]
        return Graph(name: "classifier", nodes: nodes, initializers: inits, inputs: [.init(name: "x", dims: [2, 2, 6, 6])],
                     outputs: ["y"])
    }

    func testAClassifierRunsWithGemmAsAWindowConvAndExactHostSteps() throws {
        var rng = SplitMix64(seed: 7)
        let graph = Self.classifier(&rng)
        let x = Self.random([2, 2, 6, 6], &rng)
        let (r, out) = try ONNXRunner.run(graph, input: x, config: try Self.config(), backend: .golden)
        XCTAssertEqual(r.layers.map(\.node), ["conv1", "fc"])
        // The Gemm reads the pooled [2, 4, 3, 3] tensor as one 3 x 3 window per output.
        let fc = r.layers[1].layer
        XCTAssertEqual([fc.c, fc.h, fc.w, fc.r, fc.s, fc.m, fc.e, fc.f], [4, 3, 3, 3, 3, 5, 1, 1])
        XCTAssertTrue(r.hostSteps.contains { $0.hasPrefix("MaxPool 'pool1' (exact") }, "\(r.hostSteps)")
        XCTAssertTrue(r.hostSteps.contains { $0.hasPrefix("Softmax 'prob' (float") }, "\(r.hostSteps)")
        // The bias keeps ReLU on the host.
        XCTAssertFalse(r.layers[0].reluOnChip)
        XCTAssertEqual(out?.dims, [2, 5])
        XCTAssertLessThan(try XCTUnwrap(r.maxAbsError), 0.01)
        XCTAssertEqual(r.top1Agreement, 1)
        XCTAssertLessThanOrEqual(r.layers[0].maxAbsError, r.layers[0].quantizationBound)
    }

    func testReluRunsOnTheChipAfterALayerWithoutBias() throws {
        var rng = SplitMix64(seed: 3)
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"], attributes: ["kernel_shape": .ints([3, 3])]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["y"]),
        ]
        let graph = Graph(name: "g", nodes: nodes, initializers: ["w": Self.random([3, 2, 3, 3], &rng)],
                          inputs: [.init(name: "x", dims: [1, 2, 5, 5])], outputs: ["y"])
        let x = Self.random([1, 2, 5, 5], &rng)
        let (r, out) = try ONNXRunner.run(graph, input: x, config: try Self.config(), backend: .golden)
        XCTAssertTrue(r.layers[0].reluOnChip)
        XCTAssertTrue(r.hostSteps.isEmpty, "\(r.hostSteps)")
        XCTAssertTrue(try XCTUnwrap(out).values.allSatisfy { $0 >= 0 })
        XCTAssertLessThanOrEqual(try XCTUnwrap(r.maxAbsError), r.layers[0].quantizationBound)
    }

    func testUnevenPaddingIsDoneOnTheHostAndConstantSubgraphsAreEvaluated() throws {
        var rng = SplitMix64(seed: 5)
        let shape = FloatTensor(dims: [4], values: [2, 1, 2, 2])
        let nodes = [
            Node(name: "wfill", opType: "ConstantOfShape", inputs: ["wshape"], outputs: ["w"],
                 attributes: ["value": .tensor(FloatTensor(dims: [1], values: [0.25]))]),
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["y"],
                 attributes: ["kernel_shape": .ints([2, 2]), "pads": .ints([0, 0, 1, 1])]),
        ]
        let graph = Graph(name: "g", nodes: nodes, initializers: ["wshape": shape],
                          inputs: [.init(name: "x", dims: [1, 1, 4, 4]), .init(name: "wshape", dims: [4])], outputs: ["y"])
        let x = Self.random([1, 1, 4, 4], &rng)
        let (r, out) = try ONNXRunner.run(graph, input: x, config: try Self.config(), backend: .golden)
        let l = r.layers[0].layer
        XCTAssertEqual([l.h, l.w, l.padding, l.e, l.f], [5, 5, 0, 4, 4])
        // The last output row and column read the bottom and right padding: 0.25 x (the 2 x 1 or 1 x 1 corner).
        let corner = 0.25 * x.values[15]
        XCTAssertEqual(try XCTUnwrap(out).values[2 * 16 - 1], corner, accuracy: r.layers[0].quantizationBound)
    }

    func testBatchNormFoldsIntoTheConvWithoutChangingTheReference() throws {
        var rng = SplitMix64(seed: 11)
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["kernel_shape": .ints([1, 1])]),
            Node(name: "bn", opType: "BatchNormalization", inputs: ["c", "gamma", "beta", "mean", "var"], outputs: ["y"]),
        ]
        let inits = ["w": Self.random([3, 2, 1, 1], &rng), "b": Self.random([3], &rng), "gamma": Self.random([3], &rng),
                     "beta": Self.random([3], &rng), "mean": Self.random([3], &rng),
                     "var": FloatTensor(dims: [3], values: [0.5, 1, 2])]
        let graph = Graph(name: "g", nodes: nodes, initializers: inits, inputs: [.init(name: "x", dims: [1, 2, 2, 2])], outputs: ["y"])
        let folded = try ONNXRunner.foldBatchNorms(graph)
        XCTAssertEqual(folded.nodes.map(\.opType), ["Conv"])
        let x = Self.random([1, 2, 2, 2], &rng)
        func reference(_ g: Graph) throws -> FloatTensor {
            var env = g.initializers
            env["x"] = x
            for n in g.nodes { env[n.outputs[0]] = try FloatReference.evaluate(n, n.inputs.map { env[$0] })[0] }
            return env["y"]!
        }
        let (a, b) = (try reference(graph), try reference(folded))
        for (u, v) in zip(a.values, b.values) { XCTAssertEqual(u, v, accuracy: 1e-12) }
        let (r, _) = try ONNXRunner.run(graph, input: x, config: try Self.config(), backend: .golden)
        XCTAssertEqual(r.layers.count, 1)
        XCTAssertLessThanOrEqual(try XCTUnwrap(r.maxAbsError), r.layers[0].quantizationBound)
    }

    func testWhatCannotRunIsNamedBeforeAnythingRuns() throws {
        let nodes = [
            Node(name: "lstm", opType: "LSTM", inputs: ["x"], outputs: ["a"]),
            Node(name: "conv", opType: "Conv", inputs: ["a", "w"], outputs: ["b"], attributes: ["kernel_shape": .ints([1, 1])]),
            Node(name: "nms", opType: "NonMaxSuppression", inputs: ["b"], outputs: ["y"]),
        ]
        let graph = Graph(name: "g", nodes: nodes, initializers: ["w": FloatTensor(dims: [1, 1, 1, 1], fill: 1)],
                          inputs: [.init(name: "x", dims: [1, 1, 2, 2])], outputs: ["y"])
        XCTAssertThrowsError(try ONNXRunner.run(graph, input: FloatTensor(dims: [1, 1, 2, 2]), config: try Self.config(),
                                                backend: .golden)) { error in
            XCTAssertEqual(error as? ONNXError, .unsupported(["LSTM 'lstm': operator LSTM", "NonMaxSuppression 'nms': operator NonMaxSuppression"]))
        }
        let dilated = Graph(name: "d", nodes: [Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["y"],
                                                   attributes: ["kernel_shape": .ints([2, 2]), "dilations": .ints([2, 2])])],
                            initializers: ["w": FloatTensor(dims: [1, 1, 2, 2], fill: 1)],
                            inputs: [.init(name: "x", dims: [1, 1, 5, 5])], outputs: ["y"])
        XCTAssertThrowsError(try ONNXRunner.run(dilated, input: FloatTensor(dims: [1, 1, 5, 5]), config: try Self.config(),
                                                backend: .golden)) { error in
            XCTAssertTrue("\(error)".contains("dilation 2x2"), "\(error)")
        }
    }

    func testTensorsSurviveTheProtobufRoundTrip() throws {
        let t = FloatTensor(dims: [2, 3], values: [0.5, -1, 2, 3.25, 0, -7])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-onnx-\(UUID().uuidString).pb")
        defer { try? FileManager.default.removeItem(at: file) }
        try ONNXFile.serialize(t, name: "t").write(to: file)
        XCTAssertEqual(try ONNXFile.loadTensor(path: file.path), t)
        try Data([0x0a, 0xff]).write(to: file)
        XCTAssertThrowsError(try ONNXFile.loadTensor(path: file.path))
    }
}
