import Foundation

/// A NumPy `.npy` array: its shape and its elements in C (row-major) order.
public struct NPYArray: Equatable, Sendable {
    public enum Elements: Equatable, Sendable {
        /// Any integer dtype (`i1`, `i2`, `i4`, `i8`, `u1`, `u2`, `u4`, `u8`, `b1`).
        case integers([Int])
        /// A float dtype (`f2`, `f4`, `f8`).
        case floats([Double])

        public var count: Int {
            switch self {
            case let .integers(v): return v.count
            case let .floats(v): return v.count
            }
        }
    }

    public var shape: [Int]
    public var elements: Elements
    /// The dtype as the file named it, e.g. `<f4`.
    public var dtype: String

    public init(shape: [Int], elements: Elements, dtype: String) {
        self.shape = shape
        self.elements = elements
        self.dtype = dtype
    }
}

/// Why a file is not an array this tool reads.
public struct NPYError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ source: String, _ why: String) { description = "\(source): \(why)" }
}

/// Reads and writes the `.npy` format (NumPy's format.py, versions 1.0, 2.0 and 3.0): the magic
/// `\x93NUMPY`, a version, a little-endian header length, a Python-literal header dict with
/// `descr`, `fortran_order` and `shape`, then the raw elements.
public enum NPY {
    public static func read(path: String) throws -> NPYArray {
        guard let data = FileManager.default.contents(atPath: path) else { throw NPYError(path, "cannot read the file") }
        return try read(data, source: path)
    }

    public static func read(_ data: Data, source: String = "npy") throws -> NPYArray {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw NPYError(source, "not a .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let lengthBytes: Int
        switch major {
        case 1: lengthBytes = 2
        case 2, 3: lengthBytes = 4
        default: throw NPYError(source, ".npy format version \(major).\(bytes[7]) is not supported (1.0 to 3.0 are)")
        }
        guard bytes.count >= 8 + lengthBytes else { throw NPYError(source, "the header is cut short") }
        let headerLength = (0..<lengthBytes).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        let start = 8 + lengthBytes + headerLength
        guard bytes.count >= start else { throw NPYError(source, "the header is cut short: \(headerLength) bytes announced") }
        guard let header = String(bytes: bytes[(8 + lengthBytes)..<start], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw NPYError(source, "the header is not text")
        }
        let descr = try stringValue("descr", in: header, source: source)
        let fortran = try rawValue("fortran_order", in: header, source: source)
        guard fortran.hasPrefix("False") else {
            throw NPYError(source, "Fortran-ordered arrays are not supported: save with np.ascontiguousarray")
        }
        let shape = try shapeValue(in: header, source: source)
        let count = shape.reduce(1, *)
        guard descr.count >= 3 else { throw NPYError(source, "dtype '\(descr)' is not understood") }
        let order = descr.first!, code = descr[descr.index(after: descr.startIndex)], size = Int(descr.dropFirst(2))
        guard let size, [1, 2, 4, 8].contains(size) else { throw NPYError(source, "dtype '\(descr)' is not supported") }
        guard order == "<" || order == "|" || (order == "=" && size == 1) || (order == ">" && size == 1) else {
            throw NPYError(source, "dtype '\(descr)': big-endian data is not supported")
        }
        let body = bytes[start...]
        guard body.count >= count * size else {
            throw NPYError(source, "truncated: shape \(shape) of \(descr) needs \(count * size) bytes, the file has \(body.count)")
        }
        func raw(_ i: Int) -> UInt64 {
            var v: UInt64 = 0
            for b in 0..<size { v |= UInt64(body[body.startIndex + i * size + b]) << UInt64(8 * b) }
            return v
        }
        let elements: NPYArray.Elements
        switch code {
        case "i":
            let unused = UInt64(64 - 8 * size)
            elements = .integers((0..<count).map { Int(Int64(bitPattern: raw($0) << unused) >> Int64(unused)) })
        case "u", "b":
            elements = .integers(try (0..<count).map { i in
                let v = raw(i)
                guard v <= UInt64(Int.max) else { throw NPYError(source, "element \(i) = \(v) does not fit a signed 64-bit integer") }
                return Int(v)
            })
        case "f":
            switch size {
            case 2: elements = .floats((0..<count).map { Double(Float16(bitPattern: UInt16(raw($0)))) })
            case 4: elements = .floats((0..<count).map { Double(Float(bitPattern: UInt32(raw($0)))) })
            case 8: elements = .floats((0..<count).map { Double(bitPattern: raw($0)) })
            default: throw NPYError(source, "dtype '\(descr)' is not supported")
            }
        default:
            throw NPYError(source, "dtype '\(descr)' is not supported (integers and floats are)")
        }
        return NPYArray(shape: shape, elements: elements, dtype: descr)
    }

    /// A version 1.0 file of little-endian `int16` (`<i2`) elements; every value must fit.
    public static func int16File(shape: [Int], values: [Int]) -> Data {
        precondition(values.count == shape.reduce(1, *), "NPY.int16File: \(values.count) values for shape \(shape)")
        var body = Data(capacity: values.count * 2)
        for v in values {
            precondition(Int(Int16.min)...Int(Int16.max) ~= v, "NPY.int16File: \(v) does not fit int16")
            let u = UInt16(bitPattern: Int16(v))
            body.append(UInt8(u & 0xFF))
            body.append(UInt8(u >> 8))
        }
        return file(descr: "<i2", shape: shape, body: body)
    }

    /// A version 1.0 file of little-endian `float32` (`<f4`) elements.
    public static func float32File(shape: [Int], values: [Double]) -> Data {
        precondition(values.count == shape.reduce(1, *), "NPY.float32File: \(values.count) values for shape \(shape)")
        var body = Data(capacity: values.count * 4)
        for v in values {
            let u = Float(v).bitPattern
            for b in 0..<4 { body.append(UInt8((u >> UInt32(8 * b)) & 0xFF)) }
        }
        return file(descr: "<f4", shape: shape, body: body)
    }

    private static func file(descr: String, shape: [Int], body: Data) -> Data {
        let dims = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        // Magic, version and length take 10 bytes; the header ends in a newline on a 64-byte boundary.
        let padded = (10 + header.utf8.count + 1 + 63) / 64 * 64
        header += String(repeating: " ", count: padded - 10 - header.utf8.count - 1) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = header.utf8.count
        data.append(UInt8(length & 0xFF))
        data.append(UInt8(length >> 8))
        data.append(contentsOf: Array(header.utf8))
        data.append(body)
        return data
    }

    // MARK: - The header dict

    private static func rawValue(_ key: String, in header: String, source: String) throws -> Substring {
        guard let range = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else {
            throw NPYError(source, "the header has no '\(key)'")
        }
        var rest = header[range.upperBound...].drop { $0 == " " }
        guard rest.first == ":" else { throw NPYError(source, "the header's '\(key)' has no value") }
        rest = rest.dropFirst().drop { $0 == " " }
        return rest
    }

    private static func stringValue(_ key: String, in header: String, source: String) throws -> String {
        let rest = try rawValue(key, in: header, source: source)
        guard let quote = rest.first, quote == "'" || quote == "\"",
              let end = rest.dropFirst().firstIndex(of: quote) else {
            throw NPYError(source, "the header's '\(key)' is not a string (structured dtypes are not supported)")
        }
        return String(rest[rest.index(after: rest.startIndex)..<end])
    }

    private static func shapeValue(in header: String, source: String) throws -> [Int] {
        let rest = try rawValue("shape", in: header, source: source)
        guard rest.first == "(", let close = rest.firstIndex(of: ")") else {
            throw NPYError(source, "the header's 'shape' is not a tuple")
        }
        let inner = rest[rest.index(after: rest.startIndex)..<close]
        return try inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { t in
            guard let v = Int(t.hasSuffix("L") ? String(t.dropLast()) : t), v >= 0 else {
                throw NPYError(source, "the header's shape element '\(t)' is not a size")
            }
            return v
        }
    }
}
