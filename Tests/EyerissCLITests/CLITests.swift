import Foundation
import XCTest

/// The `eyeriss` command as a user runs it: exit codes, messages, what it writes.
final class CLITests: XCTestCase {
    /// The executable SwiftPM built beside this test bundle.
    static let binary: URL = {
        let dir = Bundle.main.bundleURL.hasDirectoryPath ? Bundle.main.bundleURL : Bundle.main.bundleURL.deletingLastPathComponent()
        let candidates = [dir, dir.deletingLastPathComponent()].map { $0.appendingPathComponent("eyeriss") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    func eyeriss(_ args: [String]) throws -> Outcome { try ProcessRunner.eyeriss(args) }

    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-cli-\(UUID().uuidString)")
    }

    func testConfigPrintsThePublishedChipAndOverrides() throws {
        let r = try eyeriss(["config", "--set", "array.rows=3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("rows: 3"))
        XCTAssertTrue(r.stdout.contains("columns: 14"))
        XCTAssertTrue(r.stdout.contains("filterSpadWords: 224"))
    }

    func testGenerateWithBadValuesFailsClearlyAndWritesNothing() throws {
        let out = temporaryDirectory()
        let r = try eyeriss(["generate", "--out", out.path, "--set", "array.rows=0", "--set", "pe.fifoDepth=3"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("array.rows = 0: must be in 1...64"), r.stderr)
        XCTAssertTrue(r.stderr.contains("pe.fifoDepth = 3: must be a power of two"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing may be written")

        let typo = try eyeriss(["generate", "--out", out.path, "--set", "array.rowz=3"])
        XCTAssertNotEqual(typo.status, 0)
        XCTAssertTrue(typo.stderr.contains("unknown key 'array.rowz'"), typo.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testGenerateWritesTheCommittedRTL() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try eyeriss(["generate", "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertTrue(files.contains("eyeriss_top.sv") && files.contains("eyeriss_pe.sv"), "\(files)")
        for file in files {
            let fresh = try String(contentsOf: out.appendingPathComponent(file), encoding: .utf8)
            let committed = try String(contentsOf: Self.repo.appendingPathComponent("rtl/\(file)"), encoding: .utf8)
            XCTAssertEqual(fresh, committed, file)
        }
    }

    func testMapPrintsTheMappingAndRejectsWhatCannotMap() throws {
        let r = try eyeriss(["map", "--layer", "alexnet.conv3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("utilization"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Rc=3"), r.stdout)

        let bad = try eyeriss(["map", "--set", "array.rows=3", "--set", "array.columns=4", "--shape", "1,1,20,20,1,13,13,1,0"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("cannot map layer"), bad.stderr)

        // The ranking behind the choice: the chosen geometry first, scores rising.
        let ranked = try eyeriss(["map", "--layer", "alexnet.conv1", "--batch", "4", "--candidates", "3"])
        XCTAssertEqual(ranked.status, 0, ranked.stderr)
        let rows = ranked.stdout.split(separator: "\n").drop { !$0.hasPrefix("candidates") }.dropFirst(2)
            .map { $0.split(separator: " ").compactMap { Double($0) } }
        XCTAssertEqual(rows.count, 3, ranked.stdout)
        XCTAssertEqual(rows.map(\.count), [15, 15, 15], ranked.stdout)
        XCTAssertEqual(rows.map { $0.last! }, rows.map { $0.last! }.sorted(), "scores rise: \(ranked.stdout)")
        let chosen = ranked.stdout.split(separator: "\n").first { $0.hasPrefix("mapping:") } ?? ""
        XCTAssertTrue(chosen.contains("q=\(Int(rows[0][1])) p=\(Int(rows[0][2])) Rc=\(Int(rows[0][3]))"), "\(chosen) is rank 1")
        // --objective dram: the fewest DRAM lines first (CONV2 at batch 4 then loads less than
        // the balanced ranking's choice, for more cycles).
        func firstCandidate(_ objective: String) throws -> [Double] {
            let r = try eyeriss(["map", "--layer", "alexnet.conv2", "--batch", "4", "--ofmap-rlc", "--objective", objective,
                                 "--candidates", "3"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let rows = r.stdout.split(separator: "\n").drop { !$0.hasPrefix("candidates") }.dropFirst(2)
                .map { $0.split(separator: " ").compactMap { Double($0) } }
            if objective == "dram" { XCTAssertEqual(rows.map { $0[13] }, rows.map { $0[13] }.sorted(), r.stdout) }
            return rows.first ?? []
        }
        let (dram, balanced) = (try firstCandidate("dram"), try firstCandidate("balanced"))
        XCTAssertLessThan(dram[13], balanced[13])
        XCTAssertGreaterThan(dram[12], balanced[12])
        let badObjective = try eyeriss(["map", "--layer", "alexnet.conv1", "--objective", "speed"])
        XCTAssertNotEqual(badObjective.status, 0)
        XCTAssertTrue(badObjective.stderr.contains("objective"), badObjective.stderr)
        let negative = try eyeriss(["map", "--layer", "alexnet.conv1", "--candidates=-1"])
        XCTAssertNotEqual(negative.status, 0)
        XCTAssertTrue(negative.stderr.contains("--candidates"), negative.stderr)

        let unknown = try eyeriss(["map", "--layer", "alexnet.conv9"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("unknown layer alexnet.conv9"), unknown.stderr)

        let malformed = try eyeriss(["map", "--shape", "1,2,3"])
        XCTAssertNotEqual(malformed.status, 0)
        XCTAssertTrue(malformed.stderr.contains("expected 9 or 10 integers"), malformed.stderr)
    }

    func testCosimOfALayerFilePassesAndReportsJSON() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let layer = dir.appendingPathComponent("layer.yaml")
        try "name: tiny\nn: 1\nc: 3\nh: 7\nw: 8\nm: 4\nr: 3\ns: 3\nstride: 2\npadding: 1\n".write(to: layer, atomically: true, encoding: .utf8)
        let r = try eyeriss(["cosim", "--set", "array.rows=3", "--set", "array.columns=4", "--layer-file", layer.path,
                             "--batch", "2", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["mismatches"] as? Int, 0)
        XCTAssertEqual((json?["layer"] as? [String: Any])?["n"] as? Int, 2)
        XCTAssertGreaterThan(json?["cycles"] as? Int ?? 0, 0)
    }

    /// AlexNet's five layer kinds, small, end to end through coded DRAM on a 6 x 7 array.
    func testRunOfASmallAlexNetPassesEveryLayer() throws {
        // In order (--jobs 1): each layer reads the bytes the RTL wrote.
        let r = try eyeriss(["run", "--network", "alexnet-small", "--set", "array.rows=6", "--set", "array.columns=7", "--jobs", "1"])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        for k in 1...5 { XCTAssertTrue(r.stdout.contains("alexnet-small.conv\(k)"), r.stdout) }
        XCTAssertTrue(r.stdout.contains("coded output as the RTL wrote it"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("PASS\n"), r.stdout)
        let bad = try eyeriss(["run", "--network", "lenet"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("unknown network lenet"), bad.stderr)
        let noJobs = try eyeriss(["run", "--network", "alexnet-small", "--jobs", "0"])
        XCTAssertNotEqual(noJobs.status, 0)
        XCTAssertTrue(noJobs.stderr.contains("--jobs must be at least 1"), noJobs.stderr)
    }

    func testCosimWithCodedFmapsReportsBothTraffics() throws {
        let r = try eyeriss(["cosim", "--set", "array.rows=3", "--set", "array.columns=4", "--shape", "1,4,9,9,5,3,3,1,1",
                             "--sparsity", "0.8", "--ifmap-rlc", "--ofmap-rlc", "--relu"])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        XCTAssertTrue(r.stdout.contains("ifmap run-length coded, ofmap run-length coded, ReLU"), r.stdout)
        XCTAssertTrue(r.stdout.contains("DRAM bytes with raw fmaps"), r.stdout)
    }

    /// A little-endian int16 .npy file, built by hand (this target links no library).
    func npy(shape: [Int], values: [Int]) -> Data {
        var header = "{'descr': '<i2', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
        header += String(repeating: " ", count: 64 - (10 + header.count + 1) % 64) + "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)])
        d.append(contentsOf: Array(header.utf8))
        for v in values { let u = UInt16(bitPattern: Int16(v)); d.append(contentsOf: [UInt8(u & 0xFF), UInt8(u >> 8)]) }
        return d
    }

    func testCosimReadsAndWritesNumPyFiles() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let x = dir.appendingPathComponent("x.npy"), w = dir.appendingPathComponent("w.npy"), y = dir.appendingPathComponent("y.npy")
        try npy(shape: [1, 2, 5, 5], values: (0..<50).map { ($0 * 37) % 23 - 11 }).write(to: x)
        // Identity-like 1x1 filters: output channel k = 2 * input channel k.
        try npy(shape: [2, 2, 1, 1], values: [2, 0, 0, 2]).write(to: w)
        let r = try eyeriss(["cosim", "--set", "array.rows=3", "--set", "array.columns=4", "--shape", "1,2,5,5,2,1,1,1,0",
                             "--input", x.path, "--weights", w.path, "--shift", "0", "--output", y.path])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        XCTAssertTrue(r.stdout.contains("ofmap: integers with 0 fraction bits"), r.stdout)
        let out = try Data(contentsOf: y)
        XCTAssertEqual(Array(out.prefix(6)), [0x93] + Array("NUMPY".utf8))
        let headerLength = Int(out[8]) | Int(out[9]) << 8
        let header = String(decoding: out[10..<(10 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.contains("'descr': '<i2'") && header.contains("'shape': (1, 2, 5, 5)"), header)
        let body = out[(10 + headerLength)...]
        let values = stride(from: body.startIndex, to: body.endIndex, by: 2).map { Int(Int16(bitPattern: UInt16(body[$0]) | UInt16(body[$0 + 1]) << 8)) }
        XCTAssertEqual(values, (0..<50).map { 2 * (($0 * 37) % 23 - 11) })

        let bad = try eyeriss(["cosim", "--set", "array.rows=3", "--set", "array.columns=4", "--shape", "1,3,5,5,2,1,1,1,0",
                               "--input", x.path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("does not match the layer's [1, 3, 5, 5]"), bad.stderr)
    }

    /// A float32 ONNX `TensorProto` (dims, data_type FLOAT, raw_data), encoded by hand.
    func tensorProto(shape: [Int], values: [Float]) -> Data {
        func varint(_ v: Int) -> [UInt8] {
            var v = UInt64(v), out: [UInt8] = []
            repeat { out.append(UInt8(v & 0x7F) | (v > 0x7F ? 0x80 : 0)); v >>= 7 } while v > 0
            return out
        }
        var d = Data()
        for n in shape { d.append(contentsOf: [0x08] + varint(n)) }
        d.append(contentsOf: [0x10, 0x01])
        let raw = values.flatMap { f in withUnsafeBytes(of: f.bitPattern.littleEndian) { Array($0) } }
        d.append(contentsOf: [0x4A] + varint(raw.count) + raw)
        return d
    }

    func testCosimReadsAnONNXTensorProtoInput() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let x = dir.appendingPathComponent("x.pb"), w = dir.appendingPathComponent("w.npy"), y = dir.appendingPathComponent("y.npy")
        let ints = (0..<50).map { ($0 * 37) % 23 - 11 }
        try tensorProto(shape: [1, 2, 5, 5], values: ints.map { Float($0) / 8 }).write(to: x)
        try npy(shape: [2, 2, 1, 1], values: [2, 0, 0, 2]).write(to: w)
        let r = try eyeriss(["cosim", "--set", "array.rows=3", "--set", "array.columns=4", "--shape", "1,2,5,5,2,1,1,1,0",
                             "--input", x.path, "--input-fraction-bits", "3", "--weights", w.path, "--shift", "0", "--output", y.path])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        XCTAssertTrue(r.stdout.contains("input: 3 fraction bits, max quantization error 0"), r.stdout)
        let out = try Data(contentsOf: y)
        let headerLength = Int(out[8]) | Int(out[9]) << 8
        let body = out[(10 + headerLength)...]
        let values = stride(from: body.startIndex, to: body.endIndex, by: 2).map { Int(Int16(bitPattern: UInt16(body[$0]) | UInt16(body[$0 + 1]) << 8)) }
        XCTAssertEqual(values, ints.map { 2 * $0 })

        try Data([0x08, 0x01, 0x4A, 0x10]).write(to: x)  // raw_data cut short
        let bad = try eyeriss(["cosim", "--set", "array.rows=3", "--set", "array.columns=4", "--shape", "1,2,5,5,2,1,1,1,0", "--input", x.path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains(x.path), bad.stderr)
    }

    /// `run --network` on a user's image: the first layer reads exactly that image, the output is written.
    func testRunOfANetworkTakesAnImageAndWritesItsOutput() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let x = dir.appendingPathComponent("image.npy"), y = dir.appendingPathComponent("out.npy")
        let pixels = (0..<(3 * 67 * 67)).map { $0 % 2 == 0 ? 0 : ($0 * 7) % 255 + 1 }
        try npy(shape: [1, 3, 67, 67], values: pixels).write(to: x)
        let r = try eyeriss(["run", "--network", "alexnet-small", "--set", "array.rows=6", "--set", "array.columns=7",
                             "--input", x.path, "--output", y.path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let first = ((json?["layers"] as? [[String: Any]])?.first?["result"]) as? [String: Any]
        let zeros = Double(pixels.filter { $0 == 0 }.count) / Double(pixels.count)
        XCTAssertEqual(first?["ifmapZeroFraction"] as? Double ?? -1, zeros, accuracy: 1e-9, r.stdout)
        let out = try Data(contentsOf: y)
        let headerLength = Int(out[8]) | Int(out[9]) << 8
        let header = String(decoding: out[10..<(10 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.contains("'shape': (1, 8, 3, 3)"), header)

        let wrong = try eyeriss(["run", "--network", "alexnet-small", "--input", y.path])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("does not match the layer's [1, 3, 67, 67]"), wrong.stderr)
        let onnxOnly = try eyeriss(["run", "--network", "alexnet-small", "--golden-only"])
        XCTAssertNotEqual(onnxOnly.status, 0)
        XCTAssertTrue(onnxOnly.stderr.contains("--golden-only applies to --onnx only"), onnxOnly.stderr)
    }
}
