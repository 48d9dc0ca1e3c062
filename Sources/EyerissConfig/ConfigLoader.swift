import Foundation
import Yams

/// Errors met while reading a configuration, before any rule is checked.
public enum ConfigLoadError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case malformed(source: String, reason: String)
    case unknownKey(source: String, key: String, known: [String])
    case badOverride(String, reason: String)
    case wrongType(source: String, key: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read configuration file \(path): \(reason)"
        case let .malformed(source, reason):
            return "\(source): not valid YAML or JSON: \(reason)"
        case let .unknownKey(source, key, known):
            return "\(source): unknown key '\(key)' (known here: \(known.joined(separator: ", ")))"
        case let .badOverride(text, reason):
            return "--set \(text): \(reason)"
        case let .wrongType(source, key, expected, found):
            return "\(source): \(key) must be \(expected), found \(found)"
        }
    }
}

/// Builds a configuration from the defaults, an optional file and `key=value` overrides.
///
/// A file or override is a *delta* from the published chip: only the fields it names change.
/// Unknown keys are errors, so a typo never silently falls back to a default.
public enum ConfigLoader {
    public static func load(file: String?, overrides: [String]) throws -> AcceleratorConfig {
        var tree = try defaultTree()
        if let file {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ConfigLoadError.unreadable(path: file, reason: error.localizedDescription)
            }
            try merge(parse(text, source: file), into: &tree, source: file, path: [])
        }
        for text in overrides { try applyOverride(text, to: &tree) }
        return try decode(tree)
    }

    /// Parses YAML or JSON text (JSON is read by the YAML parser too).
    public static func load(text: String, source: String = "configuration") throws -> AcceleratorConfig {
        var tree = try defaultTree()
        try merge(parse(text, source: source), into: &tree, source: source, path: [])
        return try decode(tree)
    }

    /// The configuration as canonical JSON: sorted keys, so it hashes and diffs stably.
    ///
    /// A configuration built in code may hold a non-finite real (the loader rejects them), which
    /// JSON cannot spell: it is written as the string "inf", "-inf" or "nan", so hashing and
    /// printing such a configuration still works (and `validated()` then names the field).
    public static func canonicalJSON(_ config: AcceleratorConfig) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // With non-finite reals spelled out, encoding plain structs of Int and Double cannot
        // fail; should it ever, the description still names every field and value.
        guard let data = try? encoder.encode(config) else { return String(describing: config) }
        return String(decoding: data, as: UTF8.self)
    }

    /// The configuration as YAML, in the field order of the types.
    public static func yaml(_ config: AcceleratorConfig) -> String {
        (try? YAMLEncoder().encode(config)) ?? canonicalJSON(config)
    }

    // MARK: - Tree handling

    private static func defaultTree() throws -> [String: Any] {
        let data = try JSONEncoder().encode(AcceleratorConfig())
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    private static func parse(_ text: String, source: String) throws -> [String: Any] {
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch {
            throw ConfigLoadError.malformed(source: source, reason: "\(error)")
        }
        guard let loaded else { return [:] }  // an empty file is the default configuration
        guard let dict = loaded as? [String: Any] else {
            throw ConfigLoadError.malformed(source: source, reason: "the top level must be a mapping of sections")
        }
        return dict
    }

    private static func merge(_ delta: [String: Any], into tree: inout [String: Any], source: String, path: [String]) throws {
        for key in delta.keys.sorted() {
            let value = delta[key]!
            let dotted = (path + [key]).joined(separator: ".")
            guard let current = tree[key] else {
                throw ConfigLoadError.unknownKey(source: source, key: dotted, known: tree.keys.sorted())
            }
            if var section = current as? [String: Any] {
                guard let sub = value as? [String: Any] else {
                    throw ConfigLoadError.wrongType(source: source, key: dotted, expected: "a mapping", found: "\(value)")
                }
                try merge(sub, into: &section, source: source, path: path + [key])
                tree[key] = section
            } else {
                tree[key] = try scalar(value, like: current, source: source, key: dotted)
            }
        }
    }

    /// `section.field` of every integer field, read from the types themselves (JSON numbers
    /// do not say whether they were integers).
    private static let integerFields: Set<String> = {
        var out = Set<String>()
        for section in Mirror(reflecting: AcceleratorConfig()).children {
            for field in Mirror(reflecting: section.value).children where field.value is Int {
                out.insert("\(section.label!).\(field.label!)")
            }
        }
        return out
    }()

    /// Checks a leaf against the default's type, so "rows: twelve" names the field. Reals must
    /// be finite ("inf", ".nan", "1e999" are refused here, naming the field): JSON has no
    /// spelling for them, and no field means anything infinite.
    private static func scalar(_ value: Any, like current: Any, source: String, key: String) throws -> Any {
        let isInt = integerFields.contains(key.split(separator: ".").suffix(2).joined(separator: "."))
        if value is [String: Any] || value is [Any] {
            throw ConfigLoadError.wrongType(source: source, key: key, expected: isInt ? "an integer" : "a number", found: "\(value)")
        }
        if let i = value as? Int, !(value is Bool) { return isInt ? i : Double(i) }
        if let d = value as? Double {
            if isInt {
                guard d == d.rounded(), abs(d) < 1e15 else {
                    throw ConfigLoadError.wrongType(source: source, key: key, expected: "an integer", found: "\(d)")
                }
                return Int(d)
            }
            return try finite(d, source: source, key: key, found: "\(value)")
        }
        if let s = value as? String {
            if isInt, let i = Int(s) { return i }
            if !isInt, let d = Double(s) { return try finite(d, source: source, key: key, found: s) }
        }
        throw ConfigLoadError.wrongType(source: source, key: key, expected: isInt ? "an integer" : "a number", found: "\(value)")
    }

    private static func finite(_ d: Double, source: String, key: String, found: String) throws -> Double {
        guard d.isFinite else {
            throw ConfigLoadError.wrongType(source: source, key: key, expected: "a finite number", found: found)
        }
        return d
    }

    private static func applyOverride(_ text: String, to tree: inout [String: Any]) throws {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw ConfigLoadError.badOverride(text, reason: "expected key=value, e.g. array.rows=3")
        }
        let key = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        let value = String(text[text.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw ConfigLoadError.badOverride(text, reason: "no value after '='") }
        let parts = key.split(separator: ".").map(String.init)
        guard parts.count >= 2 else {
            throw ConfigLoadError.badOverride(text, reason: "key must be section.field, e.g. array.rows (sections: \(tree.keys.sorted().joined(separator: ", ")))")
        }
        var delta: [String: Any] = [parts.last!: value]
        for part in parts.dropLast().reversed() { delta = [part: delta] }
        try merge(delta, into: &tree, source: "--set \(text)", path: [])
    }

    private static func decode(_ tree: [String: Any]) throws -> AcceleratorConfig {
        let data = try JSONSerialization.data(withJSONObject: tree)
        return try JSONDecoder().decode(AcceleratorConfig.self, from: data)
    }
}

extension AcceleratorConfig {
    /// FNV-1a 64 of the canonical JSON: names a configuration in RTL headers and build caches.
    public var hashHex: String { fnv1a64Hex(ConfigLoader.canonicalJSON(self)) }
}

/// FNV-1a, 64 bit, as 16 hex digits. Stable across processes (unlike `Hasher`).
public func fnv1a64Hex(_ text: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
