import EyerissONNX
import EyerissTensorIO

/// A tensor a user hands over: a NumPy `.npy` file, or a serialized ONNX `TensorProto` (`.pb`,
/// the format of the ONNX test data). Read in one place so `cosim` and `run --onnx` take the
/// same files and give the same errors.
enum TensorFile {
    static func read(_ path: String) throws -> NPYArray {
        do {
            if path.hasSuffix(".pb") {
                let t = try ONNXFile.loadTensor(path: path)
                return NPYArray(shape: t.dims, elements: .floats(t.values), dtype: "TensorProto")
            }
            return try NPY.read(path: path)
        } catch let e as ONNXError {
            throw CLIError(e.description)
        } catch let e as NPYError {
            throw CLIError(e.description)
        }
    }

    /// The file as the data format holds it, shaped `dims` (see `Quantizer`).
    static func quantized(_ path: String, as dims: [Int], dataBits: Int, fractionBits: Int?) throws -> QuantizedTensor {
        do {
            return try Quantizer.quantize(read(path), as: dims, dataBits: dataBits, fractionBits: fractionBits, name: path)
        } catch let e as NPYError {
            throw CLIError(e.description)
        }
    }

    static func floats(_ path: String) throws -> FloatTensor {
        let a = try read(path)
        switch a.elements {
        case let .floats(v): return FloatTensor(dims: a.shape, values: v)
        case let .integers(v): return FloatTensor(dims: a.shape, values: v.map(Double.init))
        }
    }
}
