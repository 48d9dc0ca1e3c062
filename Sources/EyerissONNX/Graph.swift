import Foundation

/// An ONNX graph as this tool reads it: nodes in the file's (topological) order, constants as
/// real tensors, inputs with their shapes. Built from the protobuf (`ONNXFile`) or in code.
public struct Graph: Sendable {
    public struct Node: Sendable {
        public var name: String
        public var opType: String
        /// Input names; "" for an optional input left out.
        public var inputs: [String]
        public var outputs: [String]
        public var attributes: [String: Attribute]

        public init(name: String, opType: String, inputs: [String], outputs: [String], attributes: [String: Attribute] = [:]) {
            self.name = name
            self.opType = opType
            self.inputs = inputs
            self.outputs = outputs
            self.attributes = attributes
        }

        /// The model's operator set version, for attribute defaults that changed.
        public var opset = 13

        /// "Conv 'conv1'": how errors name a node.
        public var label: String { "\(opType) '\(name.isEmpty ? outputs.first ?? "?" : name)'" }
    }

    public enum Attribute: Sendable, Equatable {
        case int(Int)
        case float(Double)
        case ints([Int])
        case floats([Double])
        case string(String)
        case tensor(FloatTensor)
    }

    public struct Input: Sendable, Equatable {
        public var name: String
        /// Extents; nil where the model leaves one symbolic.
        public var dims: [Int?]
    }

    public var name: String
    public var nodes: [Node]
    public var initializers: [String: FloatTensor]
    /// Graph inputs that are not initializers: what the user feeds.
    public var inputs: [Input]
    public var outputs: [String]
    /// The default domain's operator set version (defaults of some attributes changed with it).
    public var opset: Int

    public init(name: String, nodes: [Node], initializers: [String: FloatTensor], inputs: [Input], outputs: [String],
                opset: Int = 13) {
        self.name = name
        self.opset = opset
        self.nodes = nodes
        self.initializers = initializers
        self.inputs = inputs.filter { initializers[$0.name] == nil }
        self.outputs = outputs
        for k in self.nodes.indices { self.nodes[k].opset = opset }
    }
}

extension Graph.Node {
    func int(_ key: String, default value: Int) throws -> Int {
        switch attributes[key] {
        case nil: return value
        case let .int(v)?: return v
        default: throw ONNXError.badModel("\(label): attribute \(key) must be an integer")
        }
    }

    func float(_ key: String, default value: Double) throws -> Double {
        switch attributes[key] {
        case nil: return value
        case let .float(v)?: return v
        case let .int(v)?: return Double(v)
        default: throw ONNXError.badModel("\(label): attribute \(key) must be a number")
        }
    }

    func ints(_ key: String) throws -> [Int]? {
        switch attributes[key] {
        case nil: return nil
        case let .ints(v)?: return v
        case let .int(v)?: return [v]
        default: throw ONNXError.badModel("\(label): attribute \(key) must be a list of integers")
        }
    }

    func string(_ key: String, default value: String) throws -> String {
        switch attributes[key] {
        case nil: return value
        case let .string(v)?: return v
        default: throw ONNXError.badModel("\(label): attribute \(key) must be a string")
        }
    }
}
