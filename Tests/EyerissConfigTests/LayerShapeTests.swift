import EyerissConfig
import Foundation
import XCTest

final class LayerShapeTests: XCTestCase {
    // MARK: - Built-in layers

    func testAlexNetDerivedSizes() throws {
        let layers = BuiltinLayers.alexnet
        XCTAssertEqual(layers.map(\.name), (1...5).map { "alexnet.conv\($0)" })
        for layer in layers { XCTAssertNoThrow(try layer.validated(), layer.name) }
        XCTAssertEqual(layers.map(\.e), [55, 27, 13, 13, 13])
        XCTAssertEqual(layers.map(\.f), [55, 27, 13, 13, 13])
        XCTAssertEqual(layers.map(\.m), [96, 256, 384, 384, 256])
        XCTAssertEqual(layers.map(\.groups), [1, 2, 1, 2, 2])
        XCTAssertEqual(layers.map(\.channelsPerGroup), [3, 48, 256, 192, 192])
        XCTAssertEqual(layers.map(\.filtersPerGroup), [96, 128, 384, 192, 128])
        XCTAssertEqual(layers.map(\.paddedH), [227, 31, 15, 15, 15])
        XCTAssertEqual(layers.map(\.paddedW), [227, 31, 15, 15, 15])
        XCTAssertEqual(layers.map(\.n), [1, 1, 1, 1, 1])
    }

    func testAlexNetMACs() {
        // n * m * e * f * (c / groups) * r * s, worked out layer by layer:
        // conv1: 96 * 55 * 55 * 3 * 11 * 11  = 105,415,200
        // conv2: 256 * 27 * 27 * 48 * 5 * 5  = 223,948,800
        // conv3: 384 * 13 * 13 * 256 * 3 * 3 = 149,520,384
        // conv4: 384 * 13 * 13 * 192 * 3 * 3 = 112,140,288
        // conv5: 256 * 13 * 13 * 192 * 3 * 3 =  74,760,192
        let macs = BuiltinLayers.alexnet.map(\.macs)
        XCTAssertEqual(macs, [105_415_200, 223_948_800, 149_520_384, 112_140_288, 74_760_192])
        let total = macs.reduce(0, +)
        XCTAssertEqual(total, 665_784_864)
        // The reference: 666 M MACs per image (JSSC 2017).
        XCTAssertLessThan(abs(Double(total) - 666e6) / 666e6, 0.01)
        // A batch of 4 (the chip's measurement): 2663 M in the reference.
        var batch = BuiltinLayers.alexnet
        for i in batch.indices { batch[i].n = 4 }
        XCTAssertEqual(batch.map(\.macs).reduce(0, +), 4 * total)
    }

    func testVGG16Shapes() throws {
        let layers = BuiltinLayers.vgg16
        XCTAssertEqual(layers.count, 13)
        XCTAssertEqual(layers.map(\.name), [
            "vgg16.conv1_1", "vgg16.conv1_2", "vgg16.conv2_1", "vgg16.conv2_2",
            "vgg16.conv3_1", "vgg16.conv3_2", "vgg16.conv3_3", "vgg16.conv4_1", "vgg16.conv4_2", "vgg16.conv4_3",
            "vgg16.conv5_1", "vgg16.conv5_2", "vgg16.conv5_3",
        ])
        for layer in layers {
            XCTAssertNoThrow(try layer.validated(), layer.name)
            XCTAssertEqual([layer.r, layer.s, layer.stride, layer.padding, layer.groups, layer.n], [3, 3, 1, 1, 1, 1], layer.name)
            // 3 x 3, pad 1, stride 1 keeps the size.
            XCTAssertEqual(layer.e, layer.h, layer.name)
            XCTAssertEqual(layer.f, layer.w, layer.name)
        }
        XCTAssertEqual(layers.map(\.h), [224, 224, 112, 112, 56, 56, 56, 28, 28, 28, 14, 14, 14])
        XCTAssertEqual(layers.map(\.c), [3, 64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512])
        XCTAssertEqual(layers.map(\.m), [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512])
    }

    func testVGG16MACs() {
        // Sum of h * w * c * m * 9 over the 13 layers.
        let total = BuiltinLayers.vgg16.map(\.macs).reduce(0, +)
        XCTAssertEqual(total, 15_346_630_656)
        XCTAssertEqual(BuiltinLayers.vgg16[0].macs, 224 * 224 * 3 * 64 * 9)
        // The reference: 15.3 G MACs per image (JSSC 2017).
        XCTAssertLessThan(abs(Double(total) - 15.3e9) / 15.3e9, 0.01)
    }

    func testLookupByName() {
        XCTAssertEqual(BuiltinLayers.all.count, 18)
        XCTAssertEqual(BuiltinLayers.named("alexnet.conv2")?.groups, 2)
        XCTAssertEqual(BuiltinLayers.named("vgg16.conv3_2")?.c, 256)
        XCTAssertNil(BuiltinLayers.named("alexnet.conv6"))
        XCTAssertEqual(Set(BuiltinLayers.all.map(\.name)).count, 18, "names are unique")
    }

    func testDerivedSizesOfStridedNonSquareLayer() throws {
        // h + 2p - r = 10 + 2 - 3 = 9, / 2 = 4 (floor), + 1 = 5; w: 7 + 2 - 2 = 7, / 2 = 3, + 1 = 4.
        let l = try LayerShape(name: "t", n: 2, c: 4, h: 10, w: 7, m: 6, r: 3, s: 2, stride: 2, padding: 1, groups: 2)
            .validated()
        XCTAssertEqual([l.e, l.f, l.paddedH, l.paddedW], [5, 4, 12, 9])
        XCTAssertEqual([l.channelsPerGroup, l.filtersPerGroup], [2, 3])
        XCTAssertEqual(l.macs, 2 * 6 * 5 * 4 * 2 * 3 * 2)
    }

    // MARK: - Rejection

    let good = LayerShape(name: "t.good", n: 1, c: 4, h: 8, w: 8, m: 6, r: 3, s: 3, stride: 1, padding: 1, groups: 2)

    func assertRejects(_ change: (inout LayerShape) -> Void, field: String, value: String, ruleMentions: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        var shape = good
        change(&shape)
        XCTAssertThrowsError(try shape.validated(), file: file, line: line) { error in
            guard let e = error as? LayerShapeError else {
                return XCTFail("expected LayerShapeError, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(e.layer, shape.name, file: file, line: line)
            XCTAssertEqual(e.field, field, file: file, line: line)
            XCTAssertEqual(e.value, value, file: file, line: line)
            XCTAssertTrue(e.rule.contains(ruleMentions), "rule '\(e.rule)' should mention '\(ruleMentions)'",
                          file: file, line: line)
            XCTAssertTrue(e.description.contains(shape.name.isEmpty ? "(unnamed)" : shape.name)
                          && e.description.contains(field),
                          "\(e.description)", file: file, line: line)
        }
    }

    func testRejectsBadShapes() throws {
        XCTAssertEqual(try good.validated(), good)
        for field in ["n", "c", "h", "w", "m", "r", "s"] {
            let keyPath: WritableKeyPath<LayerShape, Int> = [
                "n": \.n, "c": \.c, "h": \.h, "w": \.w, "m": \.m, "r": \.r, "s": \.s,
            ][field]!
            assertRejects({ $0[keyPath: keyPath] = 0 }, field: field, value: "0", ruleMentions: "positive")
            assertRejects({ $0[keyPath: keyPath] = -3 }, field: field, value: "-3", ruleMentions: "positive")
        }
        assertRejects({ $0.stride = 0 }, field: "stride", value: "0", ruleMentions: "at least 1")
        assertRejects({ $0.padding = -1 }, field: "padding", value: "-1", ruleMentions: "negative")
        assertRejects({ $0.groups = 0 }, field: "groups", value: "0", ruleMentions: "positive")
        assertRejects({ $0.groups = 3 }, field: "groups", value: "3", ruleMentions: "c = 4")
        assertRejects({ $0.groups = 4 }, field: "groups", value: "4", ruleMentions: "m = 6")
        // Padded input 8 + 2 = 10: a filter of 11 does not fit.
        assertRejects({ $0.r = 11 }, field: "r", value: "11", ruleMentions: "= 10")
        assertRejects({ $0.s = 11; $0.padding = 0 }, field: "s", value: "11", ruleMentions: "= 8")
        assertRejects({ $0.name = "" }, field: "name", value: "\"\"", ruleMentions: "empty")
        // A filter exactly the padded size fits (one output).
        var exact = good
        exact.r = 10
        XCTAssertEqual(try exact.validated().e, 1)
    }

    // MARK: - Codable

    func testJSONRoundTripAndDefaultGroups() throws {
        let conv2 = BuiltinLayers.named("alexnet.conv2")!
        let data = try JSONEncoder().encode(conv2)
        XCTAssertEqual(try JSONDecoder().decode(LayerShape.self, from: data), conv2)
        let text = #"{"name":"x","n":1,"c":3,"h":5,"w":5,"m":2,"r":3,"s":3,"stride":1,"padding":0}"#
        let decoded = try JSONDecoder().decode(LayerShape.self, from: Data(text.utf8))
        XCTAssertEqual(decoded.groups, 1)
    }
}
