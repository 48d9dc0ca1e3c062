import EyerissGolden
import EyerissTensorIO
import Foundation
import XCTest

final class NPYTests: XCTestCase {
    /// A file built byte by byte from NumPy's format description.
    func handMade(descr: String, shape: String, fortran: Bool = false, body: [UInt8], version: UInt8 = 1) -> Data {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        header += String(repeating: " ", count: 64 - (10 + header.count + 1) % 64) + "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [version, 0])
        if version == 1 {
            d.append(contentsOf: [UInt8(header.count & 0xFF), UInt8(header.count >> 8)])
        } else {
            d.append(contentsOf: [UInt8(header.count & 0xFF), UInt8(header.count >> 8), 0, 0])
        }
        d.append(contentsOf: Array(header.utf8))
        d.append(contentsOf: body)
        return d
    }

    func testReadsIntegerAndFloatDtypes() throws {
        let i2 = try NPY.read(handMade(descr: "<i2", shape: "(2, 2)", body: [1, 0, 0xFF, 0xFF, 0x00, 0x80, 0xFF, 0x7F]))
        XCTAssertEqual(i2.shape, [2, 2])
        XCTAssertEqual(i2.elements, .integers([1, -1, -32768, 32767]))
        let u1 = try NPY.read(handMade(descr: "|u1", shape: "(3,)", body: [0, 200, 255]))
        XCTAssertEqual(u1.elements, .integers([0, 200, 255]))
        let f4 = try NPY.read(handMade(descr: "<f4", shape: "(2,)", body: [0, 0, 0xC0, 0x3F, 0, 0, 0x80, 0xBE]))
        XCTAssertEqual(f4.elements, .floats([1.5, -0.25]))
        let f8 = try NPY.read(handMade(descr: "<f8", shape: "(1, 1)", body: [0, 0, 0, 0, 0, 0, 0xF0, 0x3F], version: 2))
        XCTAssertEqual(f8.elements, .floats([1.0]))
        let scalar = try NPY.read(handMade(descr: "<i4", shape: "()", body: [7, 0, 0, 0]))
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.elements, .integers([7]))
    }

    func testRejectsWhatItCannotRead() {
        func fails(_ data: Data, _ words: String, line: UInt = #line) {
            XCTAssertThrowsError(try NPY.read(data, source: "x.npy"), line: line) { error in
                XCTAssertTrue("\(error)".contains(words), "\(error)", line: line)
                XCTAssertTrue("\(error)".hasPrefix("x.npy: "), "\(error)", line: line)
            }
        }
        fails(Data("PK\u{3}\u{4}not an npy".utf8), "no \\x93NUMPY magic")
        fails(handMade(descr: "<i2", shape: "(2,)", fortran: true, body: [0, 0, 0, 0]), "Fortran")
        fails(handMade(descr: ">i2", shape: "(1,)", body: [0, 1]), "big-endian")
        fails(handMade(descr: "<i2", shape: "(3,)", body: [0, 1]), "truncated")
        fails(handMade(descr: "<c8", shape: "(1,)", body: Array(repeating: 0, count: 8)), "not supported")
        fails(handMade(descr: "<i2", shape: "(2,)", body: [0, 0, 0, 0], version: 9), "version 9")
    }

    func testWritesWhatItReads() throws {
        let values = [0, 1, -1, 32767, -32768, 1234]
        let back = try NPY.read(NPY.int16File(shape: [1, 2, 3], values: values))
        XCTAssertEqual(back.shape, [1, 2, 3])
        XCTAssertEqual(back.elements, .integers(values))
        XCTAssertEqual(back.dtype, "<i2")
        let floats = try NPY.read(NPY.float32File(shape: [3], values: [0.5, -2, 1e-3]))
        guard case let .floats(f) = floats.elements else { return XCTFail("floats expected") }
        XCTAssertEqual(f[0], 0.5)
        XCTAssertEqual(f[1], -2)
        XCTAssertEqual(f[2], Double(Float(1e-3)))
    }

    /// The files NumPy itself writes and reads, when a Python with NumPy is on PATH.
    func testAgreesWithNumPy() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            import numpy as np, sys
            d = sys.argv[1]
            np.save(d + '/a.npy', np.arange(-12, 12, dtype=np.int16).reshape(2, 3, 4))
            np.save(d + '/b.npy', np.array([[0.5, -1.25]], dtype=np.float32))
            np.save(d + '/c.npy', np.arange(6, dtype=np.uint8).reshape(1, 6))
            x = np.load(d + '/ours.npy')
            assert x.dtype == np.int16 and x.shape == (2, 2, 1, 3), (x.dtype, x.shape)
            assert x.ravel().tolist() == [5, -5, 300, -300, 0, 7, 1, 2, 3, 4, 5, 6], x.ravel().tolist()
            """
        try NPY.int16File(shape: [2, 2, 1, 3], values: [5, -5, 300, -300, 0, 7, 1, 2, 3, 4, 5, 6])
            .write(to: dir.appendingPathComponent("ours.npy"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, dir.path]
        p.standardError = Pipe()
        do { try p.run() } catch { throw XCTSkip("no python3: \(error)") }
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            let err = String(decoding: (p.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            if err.contains("No module named 'numpy'") { throw XCTSkip("NumPy is not installed") }
            return XCTFail(err)
        }
        let a = try NPY.read(path: dir.appendingPathComponent("a.npy").path)
        XCTAssertEqual(a.shape, [2, 3, 4])
        XCTAssertEqual(a.elements, .integers(Array(-12..<12)))
        XCTAssertEqual(try NPY.read(path: dir.appendingPathComponent("b.npy").path).elements, .floats([0.5, -1.25]))
        XCTAssertEqual(try NPY.read(path: dir.appendingPathComponent("c.npy").path).elements, .integers(Array(0..<6)))
    }

    func testQuantizesFloatsPerTensorAndTakesIntegersAsTheyAre() throws {
        let ints = NPYArray(shape: [2, 3], elements: .integers([1, 2, 3, -4, 5, 6]), dtype: "<i2")
        let q = try Quantizer.quantize(ints, as: [1, 1, 2, 3], dataBits: 16, name: "w.npy")
        XCTAssertEqual(q.tensor.values, [1, 2, 3, -4, 5, 6])
        XCTAssertEqual(q.fractionBits, 0)
        // Peak 0.75: 2^15 * 0.75 = 24576 fits, 2^16 * 0.75 does not, so 15 fraction bits.
        let floats = NPYArray(shape: [4], elements: .floats([0.75, -0.5, 0.1, 0]), dtype: "<f4")
        let f = try Quantizer.quantize(floats, as: [1, 1, 1, 4], dataBits: 16, name: "x.npy")
        XCTAssertEqual(f.fractionBits, 15)
        XCTAssertEqual(f.tensor.values, [24576, -16384, 3277, 0])
        XCTAssertLessThanOrEqual(f.maxError, 0.5 / 32768)
        // Large values get negative fraction bits: 100000 -> 2^-2 scale -> 25000.
        let big = try Quantizer.quantize(NPYArray(shape: [1], elements: .floats([100_000]), dtype: "<f8"),
                                         as: [1, 1, 1, 1], dataBits: 16, name: "big.npy")
        XCTAssertEqual(big.fractionBits, -2)
        XCTAssertEqual(big.tensor.values, [25000])
        let given = try Quantizer.quantize(floats, as: [1, 1, 1, 4], dataBits: 16, fractionBits: 8, name: "x.npy")
        XCTAssertEqual(given.tensor.values, [192, -128, 26, 0])
    }

    /// Tiny and huge tensors get the fraction bits they need, far past 62 either way: 2^-70 *
    /// 0.75 takes 24576 at 85 fraction bits, 0.75 * 2^100 at -85. (Both hung when 2^k was
    /// capped at 2^62; light_vgg19's activations reach 1e31.)
    func testTinyAndHugePeaksGetTheirFractionBits() throws {
        XCTAssertEqual(Quantizer.fractionBits(peak: 0.75 * Quantizer.pow2(100), dataBits: 16), -85)
        let tiny = 0.75 * Quantizer.pow2(-70)
        XCTAssertEqual(Quantizer.fractionBits(peak: tiny, dataBits: 16), 85)
        let q = try Quantizer.quantize(NPYArray(shape: [2], elements: .floats([tiny, -tiny / 3]), dtype: "<f8"),
                                       as: [1, 1, 1, 2], dataBits: 16, name: "tiny.npy")
        XCTAssertEqual(q.fractionBits, 85)
        XCTAssertEqual(q.tensor.values, [24576, -8192])
        XCTAssertEqual(Quantizer.pow2(100), 1.2676506002282294e30)
        XCTAssertEqual(Quantizer.pow2(-100) * Quantizer.pow2(100), 1)
    }

    func testQuantizerErrorsNameTheProblem() {
        func fails(_ body: @autoclosure () throws -> QuantizedTensor, _ words: String, line: UInt = #line) {
            XCTAssertThrowsError(try body(), line: line) { XCTAssertTrue("\($0)".contains(words), "\($0)", line: line) }
        }
        let ints = NPYArray(shape: [2], elements: .integers([1, 40000]), dtype: "<i4")
        fails(try Quantizer.quantize(ints, as: [1, 1, 1, 2], dataBits: 16, name: "a"), "outside the 16-bit data range")
        fails(try Quantizer.quantize(ints, as: [1, 1, 2, 2], dataBits: 16, name: "a"), "does not match")
        let nan = NPYArray(shape: [1], elements: .floats([.nan]), dtype: "<f4")
        fails(try Quantizer.quantize(nan, as: [1, 1, 1, 1], dataBits: 16, name: "a"), "not a finite number")
        let wide = NPYArray(shape: [1], elements: .floats([3.0]), dtype: "<f4")
        fails(try Quantizer.quantize(wide, as: [1, 1, 1, 1], dataBits: 16, fractionBits: 14, name: "a"), "use fewer fraction bits")
    }
}
