import EyerissConfig
import Foundation
import EyerissGolden
import EyerissMapper
import XCTest

/// Configurations the tests run on: deltas from the published chip.
enum TestConfigs {
    static func make(_ overrides: [String]) throws -> ValidConfig {
        try ConfigLoader.load(file: nil, overrides: overrides).validated()
    }
    // Fixed by the tests: a failure here is a broken test.
    static let chip = try! make([])
    static let array3x4 = try! make(["array.rows=3", "array.columns=4"])
    static let array6x7 = try! make(["array.rows=6", "array.columns=7"])
}

/// The outcome of running a layer's plan on the executor.
struct LayerRun {
    let plan: LayerPlan
    let counters: ExecutionCounters
}

/// Maps `layer`, runs the plan on the `PlanExecutor` with seeded random data (values over the
/// whole data range, about half zeros) and compares the ofmap with `ReferenceConv.conv` bit
/// for bit, and the executor's traffic with the plan's statistics. Failures name the layer,
/// the seed and the first wrong ofmap element.
@discardableResult
func runAndCompare(_ layer: LayerShape, config: ValidConfig, shift: Int, seed: UInt64, io: LayerIO = .raw,
                   file: StaticString = #filePath, line: UInt = #line) throws -> LayerRun {
    try runAndCompare(plan: try Mapper.map(layer: layer, config: config, shift: shift, io: io), seed: seed, file: file, line: line)
}

/// `runAndCompare` on a plan made by other means than `Mapper.map` (e.g. a forced mapping).
@discardableResult
func runAndCompare(plan: LayerPlan, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) throws -> LayerRun {
    let (layer, config, shift, io) = (plan.layer, plan.config, plan.shift, plan.io)
    let problems = planProblems(plan)
    XCTAssert(problems.isEmpty, "\(layer.name): plan problems:\n" + problems.prefix(10).joined(separator: "\n"), file: file, line: line)

    let fp = FixedPoint(config)
    var rng = SplitMix64(seed: seed)
    let input = Tensor4.random(dims: [layer.n, layer.c, layer.h, layer.w], range: fp.dataRange, zeroFraction: 0.5, rng: &rng)
    let weights = Tensor4.random(dims: [layer.m, layer.c / layer.groups, layer.r, layer.s], range: fp.dataRange,
                                 zeroFraction: 0.5, rng: &rng)
    var executor = PlanExecutor(config: config, dramLines: plan.layout.endLine, seed: seed ^ 0x5EED)
    for segment in plan.dramImage(input: input.values, weights: weights.values) { executor.write(segment) }
    try executor.run(programBase: plan.layout.programBase)

    let region = Array(executor.dram[plan.layout.ofmapBase..<(plan.layout.ofmapBase + plan.layout.ofmapLines)])
    let got = try plan.readOfmap(lines: region)
    let conv = ReferenceConv.conv(layer, input: input, weights: weights, shift: shift, fixedPoint: fp, relu: io.relu)
    let want = io.rowPool?.apply(conv) ?? conv
    if got != want.values {
        let k = got.indices.first { got[$0] != want.values[$0] } ?? 0
        let (e, f) = (layer.e, plan.ofmapWidth)
        XCTFail("\(layer.name) (seed \(seed), shift \(shift)): ofmap differs first at [n \(k / (layer.m * e * f))][m \(k / (e * f) % layer.m)][e \(k / f % e)][f \(k % f)]: got \(got[k]), expected \(want.values[k])\n\(plan.summary())",
                file: file, line: line)
    }
    let st = plan.statistics
    let c = executor.counters
    XCTAssertEqual(c.passes, st.passes, "\(layer.name): passes", file: file, line: line)
    XCTAssertEqual(c.macs, st.macs, "\(layer.name): MACs", file: file, line: line)
    XCTAssertEqual(c.filterLinesRead * plan.lanes, st.filterWordsRead, "\(layer.name): filter traffic", file: file, line: line)
    // Coded fmaps move as many lines as their codes take: data-dependent, checked by the codec's tests.
    if !io.ifmapRLC {
        XCTAssertEqual(c.ifmapLinesRead * plan.lanes, st.ifmapWordsRead, "\(layer.name): ifmap traffic", file: file, line: line)
    }
    if !io.ofmapRLC {
        XCTAssertEqual(c.ofmapLinesWritten * plan.lanes, st.ofmapWordsWritten, "\(layer.name): ofmap traffic", file: file, line: line)
    }
    XCTAssertEqual(c.programLinesRead * plan.lanes, st.programWordsRead, "\(layer.name): program traffic", file: file, line: line)
    return LayerRun(plan: plan, counters: c)
}

/// A random valid layer small enough to execute quickly in a debug build: filter sizes up to
/// `maxFilter`, strides from `strides`, some padding, channel and filter counts that divide
/// nothing evenly, sometimes two groups and a batch of two.
func randomLayer(_ name: String, rng: inout SplitMix64, maxFilter: Int = 11, strides: [Int] = [1, 2, 4],
                 maxChannels: Int = 7, maxFilters: Int = 9, maxOutputs: Int = 9, macBudget: Int = 120_000) -> LayerShape {
    func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }
    while true {
        let r = pick(1...maxFilter), s = pick(1...maxFilter)
        let stride = strides[pick(0...(strides.count - 1))]
        let padding = pick(0...min(3, max(r, s) - 1 + 1))
        let groups = pick(1...3) == 3 ? 2 : 1
        let n = pick(1...4) == 4 ? 2 : 1
        let cg = pick(1...maxChannels), mg = pick(1...maxFilters)
        let e = pick(1...maxOutputs), f = pick(1...maxOutputs)
        // Input big enough for e x f outputs, sometimes with leftover rows/columns.
        let h = max(1, (e - 1) * stride + r - 2 * padding + pick(0...(stride - 1)))
        let w = max(1, (f - 1) * stride + s - 2 * padding + pick(0...(stride - 1)))
        let layer = LayerShape(name: name, n: n, c: cg * groups, h: h, w: w, m: mg * groups, r: r, s: s,
                               stride: stride, padding: padding, groups: groups)
        guard (try? layer.validated()) != nil, layer.macs <= macBudget else { continue }
        return layer
    }
}

/// A layer and its mapping on one line, for test logs.
func oneLine(_ plan: LayerPlan) -> String {
    let l = plan.layer, m = plan.mapping, st = plan.statistics
    return "\(l.name): n=\(l.n) C=\(l.c) \(l.h)x\(l.w) M=\(l.m) \(l.r)x\(l.s)/\(l.stride) pad=\(l.padding) g=\(l.groups)"
        + " -> q=\(m.q) p=\(m.p) Rc=\(m.rc) r=\(m.r) e=\(m.e) t=\(m.t) jobRows=\(m.jobRows) psumBank=\(m.psumBank) psumSlotLines=\(m.psumSlotLines)"
        + " rows=\(m.filterRowChunks) passes=\(st.passes) util=\(Int((100 * st.utilization).rounded()))%"
}

/// Maps and executes `count` random layers (see `randomLayer`) on `config`, each compared with
/// the golden convolution. Prints the seed; the environment variables `MAPPER_RANDOM_SEED` and
/// `MAPPER_RANDOM_COUNT` replay a seed or run a longer sweep.
func runRandomLayers(config: ValidConfig, count: Int, seed: UInt64, maxFilter: Int = 11, maxChannels: Int = 7,
                     maxFilters: Int = 9, maxOutputs: Int = 9, macBudget: Int = 120_000,
                     file: StaticString = #filePath, line: UInt = #line) throws {
    let environment = ProcessInfo.processInfo.environment
    let seed = environment["MAPPER_RANDOM_SEED"].flatMap { UInt64($0) } ?? seed
    let count = environment["MAPPER_RANDOM_COUNT"].flatMap { Int($0) } ?? count
    print("random layers: seed \(seed), count \(count)")
    var rng = SplitMix64(seed: seed)
    for k in 0..<count {
        let layer = randomLayer("random\(k)", rng: &rng, maxFilter: maxFilter, maxChannels: maxChannels,
                                maxFilters: maxFilters, maxOutputs: maxOutputs, macBudget: macBudget)
        let shift = Int(rng.next() % UInt64(min(17, config.maxProductShift + 1)))
        let dataSeed = rng.next()
        do {
            let run = try runAndCompare(layer, config: config, shift: shift, seed: dataSeed, file: file, line: line)
            print(oneLine(run.plan))
        } catch {
            XCTFail("\(layer), shift \(shift), data seed \(dataSeed): \(error)", file: file, line: line)
        }
    }
}
