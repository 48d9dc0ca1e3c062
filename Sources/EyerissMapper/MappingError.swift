/// Why a layer cannot be mapped onto a configuration: names the layer and the rule that no
/// row-stationary mapping can satisfy (e.g. a filter row wider than the ifmap scratchpad).
public struct MappingError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The layer's name, as in `LayerShape.name`.
    public let layer: String
    /// The broken rule, with the values involved.
    public let reason: String

    public init(layer: String, reason: String) {
        self.layer = layer
        self.reason = reason
    }

    public var description: String { "cannot map layer \(layer.isEmpty ? "(unnamed)" : layer): \(reason)" }
}
