import Yams

extension LayerShape {
    /// A layer from YAML or JSON text with the `LayerShape` fields (`groups` may be left out).
    public static func decode(yamlOrJSON text: String, source: String) throws -> LayerShape {
        do {
            return try YAMLDecoder().decode(LayerShape.self, from: text)
        } catch {
            throw LayerShapeError(layer: source, field: "file", value: source,
                                  rule: "not a layer shape (fields name, n, c, h, w, m, r, s, stride, padding, groups): \(error)")
        }
    }
}
