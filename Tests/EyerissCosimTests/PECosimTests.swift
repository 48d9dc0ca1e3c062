import EyerissConfig
import EyerissCosim
import EyerissGolden
import EyerissRTL
import XCTest

/// The PE, Verilated, runs row convolutions against the golden model.
final class PECosimTests: XCTestCase {
    static let config = try! AcceleratorConfig().validated()

    func testRandomJobsMatchGoldenAndCountGatedMACs() throws {
        let seed: UInt64 = 0x5EED_0001
        let sim = try PESimulator(config: Self.config, seed: seed)
        let fp = FixedPoint(Self.config)
        var rng = SplitMix64(seed: seed)
        // (p, q, S, stride, F, rows, shift, psum in, sparsity, stall %)
        let shapes: [(Int, Int, Int, Int, Int, Int, Int, Bool, Double, Int)] = [
            (1, 1, 1, 1, 9, 1, 0, false, 0.3, 0),     // smallest job; p = 1 exercises back-to-back psum updates
            (4, 3, 3, 1, 13, 3, 8, true, 0.5, 0),     // AlexNet CONV3-like: filters and channels interleaved
            (2, 4, 3, 2, 7, 2, 12, true, 0.6, 30),    // stride 2, random stalls on every stream
            (1, 1, 11, 4, 9, 2, 14, false, 0.4, 20),  // CONV1-like: S = 11, stride 4
            (3, 2, 2, 3, 6, 2, 10, true, 0.7, 10),    // stride wider than the filter: columns skipped
            (24, 1, 9, 1, 4, 1, 15, false, 0.3, 0),   // full psum spad, 216 of 224 filter words
            (5, 4, 3, 1, 8, 2, 16, true, 0.9, 50),    // very sparse, heavy stalls
        ]
        for (i, (p, q, s, stride, f, rows, shift, psumIn, sparsity, stall)) in shapes.enumerated() {
            let job = PEJob.random(p: p, q: q, s: s, stride: stride, outputs: f, rows: rows, sparsity: sparsity,
                                   shift: shift, withPsumIn: psumIn, params: sim.params, rng: &rng)
            let (psums, stats) = try sim.run(job, stallPercent: stall)
            let what = "job \(i) (p=\(p) q=\(q) S=\(s) stride=\(stride) F=\(f) rows=\(rows), seed \(seed))"
            XCTAssertEqual(psums, job.expected(fp), what)
            XCTAssertEqual(PECheck.discrepancies(job: job, psums: psums, stats: stats, fixedPoint: fp), [], what)
            XCTAssertEqual(stats.gated, UInt64(job.zeroActivationUses()), "gated MACs, \(what)")
            XCTAssertGreaterThan(stats.gated, 0, "the job must contain zeros to test gating, \(what)")
            XCTAssertGreaterThan(stats.cycles, UInt64(p * q * s * f * rows), "one MAC per cycle at best, \(what)")
        }
    }

    /// Alone under the PE shim, the PE's checks (flags on chk_o) are asserted by the shim, which
    /// names the failed one: a PE that ignores a full psum-out FIFO is stopped by its check.
    func testTheShimAssertsThePEsChecks() throws {
        let sim = try PESimulator(config: Self.config, seed: 9, options: GeneratorOptions(faults: [.psumOutIgnoresFull]))
        var rng = SplitMix64(seed: 9)
        let job = PEJob.random(p: 8, q: 1, s: 3, stride: 1, outputs: 8, rows: 1, sparsity: 0.2, shift: 8,
                               withPsumIn: false, params: sim.params, rng: &rng)
        XCTAssertThrowsError(try sim.run(job, stallPercent: 90)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("RTL assertion failed"), text)
            XCTAssertTrue(text.contains("psum_out_fifo_no_overflow: eyeriss_pe: psum-out FIFO overflow"), text)
        }
        // The correct PE runs the same job under the same stalls.
        let good = try PESimulator(config: Self.config, seed: 9)
        XCTAssertEqual(try good.run(job, stallPercent: 90).psums, job.expected(FixedPoint(Self.config)))
    }

    /// Each planted fault must make the same checks fail: the test above can tell a broken MAC,
    /// broken gating or broken scratchpad addressing from a working PE.
    func testPlantedFaultsAreCaught() throws {
        let fp = FixedPoint(Self.config)
        for fault in GeneratorOptions.peFaults {
            let sim = try PESimulator(config: Self.config, seed: 7, options: GeneratorOptions(faults: [fault]))
            var rng = SplitMix64(seed: 42)
            var problems: [String] = []
            for _ in 0..<3 {
                let job = PEJob.random(p: 3, q: 2, s: 3, stride: 1, outputs: 6, rows: 2, sparsity: 0.4, shift: 4,
                                       withPsumIn: true, params: sim.params, rng: &rng)
                let (psums, stats) = try sim.run(job)
                problems += PECheck.discrepancies(job: job, psums: psums, stats: stats, fixedPoint: fp)
            }
            XCTAssertFalse(problems.isEmpty, "fault \(fault.rawValue) went unnoticed")
        }
    }
}
