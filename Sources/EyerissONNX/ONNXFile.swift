import Foundation
import SwiftProtobuf

/// Reads ONNX files (`ModelProto`, `TensorProto`) through the schema's generated Swift
/// (`Generated/onnx.pb.swift`, from `scripts/onnx/onnx.proto`; `scripts/onnx/regenerate.sh`).
public enum ONNXFile {
    public static func loadModel(path: String) throws -> Graph {
        guard let data = FileManager.default.contents(atPath: path) else { throw ONNXError.unreadable("no file at \(path)") }
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ONNXError.unreadable("\(path) is not an ONNX model: \(error)")
        }
        guard model.hasGraph else { throw ONNXError.unreadable("\(path) has no graph") }
        let opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int($0.version) } ?? 13
        return try graph(model.graph, name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, opset: opset)
    }

    /// A serialized `TensorProto` (the `.pb` files of the ONNX test data).
    public static func loadTensor(path: String) throws -> FloatTensor {
        guard let data = FileManager.default.contents(atPath: path) else { throw ONNXError.unreadable("no file at \(path)") }
        do {
            return try tensor(try Onnx_TensorProto(serializedBytes: data), what: path)
        } catch let e as ONNXError {
            throw e
        } catch {
            throw ONNXError.unreadable("\(path) is not an ONNX tensor: \(error)")
        }
    }

    /// The bytes of a `TensorProto` holding `t` as float32 (to write test data).
    public static func serialize(_ t: FloatTensor, name: String = "") throws -> Data {
        var p = Onnx_TensorProto()
        p.name = name
        p.dims = t.dims.map(Int64.init)
        p.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        p.floatData = t.values.map(Float.init)
        return try p.serializedData()
    }

    static func graph(_ g: Onnx_GraphProto, name: String, opset: Int) throws -> Graph {
        var initializers: [String: FloatTensor] = [:]
        for t in g.initializer { initializers[t.name] = try tensor(t, what: "initializer \(t.name)") }
        let nodes = try g.node.enumerated().map { k, n -> Graph.Node in
            var attributes: [String: Graph.Attribute] = [:]
            for a in n.attribute { attributes[a.name] = try attribute(a, node: n.name) }
            guard n.domain.isEmpty || n.domain == "ai.onnx" else {
                throw ONNXError.unsupported(["\(n.opType) '\(n.name)': operator domain \(n.domain)"])
            }
            return Graph.Node(name: n.name.isEmpty ? "\(n.opType.lowercased())_\(k)" : n.name, opType: n.opType,
                              inputs: n.input, outputs: n.output, attributes: attributes)
        }
        let inputs = g.input.map { v in
            Graph.Input(name: v.name, dims: v.type.tensorType.shape.dim.map { d -> Int? in
                if case .dimValue(let x)? = d.value { return Int(x) }
                return nil
            })
        }
        return Graph(name: g.name.isEmpty ? name : g.name, nodes: nodes, initializers: initializers, inputs: inputs,
                     outputs: g.output.map(\.name), opset: opset)
    }

    static func attribute(_ a: Onnx_AttributeProto, node: String) throws -> Graph.Attribute {
        switch a.type {
        case .float: return .float(Double(a.f))
        case .int: return .int(Int(a.i))
        case .string: return .string(String(decoding: a.s, as: UTF8.self))
        case .tensor: return .tensor(try tensor(a.t, what: "attribute \(a.name) of \(node)"))
        case .floats: return .floats(a.floats.map(Double.init))
        case .ints: return .ints(a.ints.map { Int($0) })
        default:
            // Older files leave the type out: go by what is set.
            if a.hasT { return .tensor(try tensor(a.t, what: "attribute \(a.name) of \(node)")) }
            if !a.ints.isEmpty { return .ints(a.ints.map { Int($0) }) }
            if !a.floats.isEmpty { return .floats(a.floats.map(Double.init)) }
            if a.hasI { return .int(Int(a.i)) }
            if a.hasF { return .float(Double(a.f)) }
            if a.hasS { return .string(String(decoding: a.s, as: UTF8.self)) }
            throw ONNXError.badModel("\(node): attribute \(a.name) of type \(a.type) is not supported")
        }
    }

    static func tensor(_ t: Onnx_TensorProto, what: String) throws -> FloatTensor {
        let dims = t.dims.map { Int($0) }
        let count = dims.reduce(1, *)
        guard t.dataLocation != .external else { throw ONNXError.unreadable("\(what): external data is not supported") }
        typealias DT = Onnx_TensorProto.DataType
        guard let type = DT(rawValue: Int(t.dataType)) else { throw ONNXError.unreadable("\(what): data type \(t.dataType)") }
        var values: [Double]
        if t.hasRawData {
            let raw = [UInt8](t.rawData)
            func read<T>(_ size: Int, _ convert: (UInt64) -> T) -> [T] {
                (0..<(raw.count / size)).map { k in
                    var bits: UInt64 = 0
                    for b in 0..<size { bits |= UInt64(raw[k * size + b]) << (8 * UInt64(b)) }
                    return convert(bits)
                }
            }
            switch type {
            case .float: values = read(4) { Double(Float(bitPattern: UInt32($0))) }
            case .double: values = read(8) { Double(bitPattern: $0) }
            case .int64: values = read(8) { Double(Int64(bitPattern: $0)) }
            case .int32: values = read(4) { Double(Int32(bitPattern: UInt32($0))) }
            case .int16: values = read(2) { Double(Int16(bitPattern: UInt16($0))) }
            case .int8: values = read(1) { Double(Int8(bitPattern: UInt8($0))) }
            case .uint8, .bool: values = read(1) { Double($0) }
            default: throw ONNXError.unreadable("\(what): data type \(type) is not supported")
            }
        } else {
            switch type {
            case .float: values = t.floatData.map(Double.init)
            case .double: values = t.doubleData
            case .int64: values = t.int64Data.map(Double.init)
            case .int32, .int16, .int8, .uint8, .uint16, .bool: values = t.int32Data.map(Double.init)
            default: throw ONNXError.unreadable("\(what): data type \(type) is not supported")
            }
        }
        guard values.count == count else {
            throw ONNXError.unreadable("\(what): \(values.count) values for dims \(dims) (\(count)); truncated or corrupt")
        }
        return FloatTensor(dims: dims, values: values)
    }
}
