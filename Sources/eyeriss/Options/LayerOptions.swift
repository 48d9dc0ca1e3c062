import ArgumentParser
import EyerissConfig
import Foundation

/// `--layer NAME` or `--shape ...` or `--layer-file F`: which convolution layer, shared by
/// `map` and `cosim`.
struct LayerOptions: ParsableArguments {
    @Option(help: "Built-in layer: alexnet.conv1 ... alexnet.conv5, vgg16.conv1_1 ... vgg16.conv5_3.")
    var layer: String?

    @Option(help: ArgumentHelp("Any layer: N,C,H,W,M,R,S,stride,padding[,groups], e.g. 1,3,32,32,8,5,5,2,1.",
                               valueName: "shape"))
    var shape: String?

    @Option(help: "A layer as a YAML or JSON file with the LayerShape fields (n, c, h, w, m, r, s, stride, padding, groups).")
    var layerFile: String?

    @Option(help: "Images in the batch (overrides the layer's n).")
    var batch: Int?

    func validate() throws {
        let given = [layer, shape, layerFile].compactMap { $0 }.count
        guard given == 1 else { throw ValidationError("give exactly one of --layer, --shape or --layer-file") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
    }

    func load() throws -> LayerShape {
        var result: LayerShape
        if let layer {
            guard let found = BuiltinLayers.named(layer) else {
                throw CLIError("unknown layer \(layer); built in: \(BuiltinLayers.all.map(\.name).joined(separator: ", "))")
            }
            result = found
        } else if let shape {
            let parts = shape.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (9...10).contains(parts.count), parts.allSatisfy({ $0 != nil }) else {
                throw CLIError("--shape \(shape): expected 9 or 10 integers N,C,H,W,M,R,S,stride,padding[,groups]")
            }
            let v = parts.map { $0! }
            result = LayerShape(name: "shape(\(shape))", n: v[0], c: v[1], h: v[2], w: v[3], m: v[4], r: v[5], s: v[6],
                                stride: v[7], padding: v[8], groups: v.count == 10 ? v[9] : 1)
        } else {
            let path = layerFile!
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw CLIError("cannot read layer file \(path)")
            }
            do { result = try LayerShape.decode(yamlOrJSON: text, source: path) } catch { throw CLIError("\(error)") }
        }
        if let batch { result.n = batch }
        do { return try result.validated() } catch { throw CLIError("\(error)") }
    }
}
