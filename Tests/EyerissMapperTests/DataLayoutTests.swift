import EyerissConfig
import EyerissGolden
import EyerissMapper
import XCTest

/// The DRAM image and descriptor encoding, checked against the contract's formulas directly.
final class DataLayoutTests: XCTestCase {
    let layer = LayerShape(name: "layout", n: 2, c: 4, h: 5, w: 7, m: 6, r: 3, s: 3, stride: 1, padding: 1, groups: 2)

    func testDescriptorFieldPlacement() {
        var d = Descriptor()
        d.set(.q, 0xABCD)
        d.set(.p, 7)
        d.set(.yStart, -3)
        let lines = d.lines
        XCTAssertEqual(lines.count, 12, "12 lines of 64 bits")
        XCTAssertEqual(DescriptorField.linesPerDescriptor, 12)
        XCTAssertLessThanOrEqual(DescriptorField.linesPerDescriptor, DescriptorField.nextLines.bits, "the mask names every line")
        d.set(.ofmapRowLines, 9)
        XCTAssertEqual(d.lines[11], 9 << 16, "ofmapRowLines is bits 16-31 of line 11")
        d.set(.ofmapRowLines, 0)
        XCTAssertEqual(lines[5] >> 48, 0xABCD, "q is the top quarter of line 5")
        XCTAssertEqual(lines[5] >> 32 & 0xFFFF, 7, "p is the third quarter of line 5")
        XCTAssertEqual(lines[3] & 0xFFFF_FFFF, 0xFFFF_FFFD, "yStart is two's complement, the low half of line 3")
        XCTAssertEqual(Descriptor(lines: lines), d)
        XCTAssertEqual(Descriptor(lines: lines)?.signedValue(.yStart), -3)
        XCTAssertEqual(Descriptor.end.lines, Array(repeating: 0, count: 12))
        d.set(.ifmapTileCodes, 5)
        XCTAssertEqual(d.lines[10] >> 48, 5, "ifmapTileCodes is the top quarter of line 10")
        // Line 0: what changes every pass, beside the opcode and the mask.
        var hot = Descriptor()
        hot.set(.opcode, 1)
        hot.set(.nextLines, 0xFFF)
        hot.set(.flags, 0x1FF)
        hot.set(.psumLine, 12_287)
        hot.set(.ifmapBase, 12_799)
        XCTAssertEqual(hot.lines[0], 1 | 0xFFF << 4 | 0x1FF << 16 | 12_287 << 28 | 12_799 << 46)
        XCTAssertEqual(hot.lines.dropFirst().filter { $0 != 0 }.count, 0, "all of them in line 0")
        XCTAssertNil(Descriptor(lines: [1, 2, 3]))
        // Every field in its own bits of one line, and the decoder written apart agrees.
        var all = Descriptor()
        for f in DescriptorField.allCases {
            XCTAssertLessThanOrEqual(f.offset + f.bits, 64, "\(f) inside its line")
            all.set(f, f.isSigned ? -(f.rawValue + 1) : f.rawValue + 1)
        }
        let decoded = DecodedDescriptor(lines: all.lines[...])
        XCTAssertEqual([decoded.opcode, decoded.nextLines, decoded.flags, decoded.psumLine, decoded.ifmapBase, decoded.ifmapAddress,
                        decoded.ofmapAddress, decoded.nextFilterAddress, decoded.nextFilterLines, decoded.nextFilterBase],
                       Array(1...10))
        XCTAssertEqual(decoded.yStart, -(DescriptorField.yStart.rawValue + 1))
        XCTAssertEqual([decoded.yCount, decoded.epass, decoded.e, decoded.filterLines, decoded.filterAddress, decoded.yLo,
                        decoded.nRows, decoded.p, decoded.q, decoded.rc, decoded.r, decoded.t, decoded.jobRows, decoded.s,
                        decoded.stride, decoded.f, decoded.shift, decoded.pitch, decoded.pad, decoded.w, decoded.h, decoded.wl,
                        decoded.ifmapChannelLines, decoded.ofmapPlaneLines, decoded.fl, decoded.step, decoded.ifmapCodeRows,
                        decoded.ifmapTileCodes, decoded.ifmapRowLines, decoded.ofmapRowLines],
                       Array(12...41))
        XCTAssertEqual([decoded.ifmapLoadRows, decoded.ifmapRowPhase], [42, 43])
    }

    /// A field the pass does not use keeps the value of the pass before, so its line is not sent.
    func testUnusedFieldsKeepThePreviousValues() {
        var before = Descriptor()
        before.set(.ifmapAddress, 100)
        before.set(.ofmapAddress, 200)
        before.set(.nextFilterAddress, 300)
        before.set(.nextFilterBase, 7)
        var quiet = Descriptor()
        quiet.set(.ifmapAddress, 101)
        quiet.set(.ofmapAddress, 201)
        quiet.set(.nextFilterAddress, 301)
        quiet.set(.nextFilterBase, 8)
        var held = quiet
        held.holdUnusedFields(from: before)
        XCTAssertEqual([held.value(.ifmapAddress), held.value(.ofmapAddress), held.value(.nextFilterAddress), held.value(.nextFilterBase)],
                       [100, 200, 300, 7], "no load, no store, no later filter block: all held")
        XCTAssertEqual(held.changedLines(from: before), 1, "line 0 alone")
        var busy = quiet
        busy.set(.flags, PassFlags([.loadIfmaps, .store]).rawValue)
        busy.set(.nextFilterLines, 4)
        held = busy
        held.holdUnusedFields(from: before)
        XCTAssertEqual(held, busy, "a pass that loads, stores and loads a later block part keeps its own values")
    }

    /// The program is compact: the first descriptor whole, each later one line 0 and exactly the
    /// lines in which it differs from the one before, named by its predecessor; END line 0 alone.
    func testProgramIsCompactAndMatchesTheDescriptors() throws {
        for (config, layer) in [(TestConfigs.array3x4, layer),
                                (TestConfigs.array6x7, LayerShape(name: "interleaved", n: 4, c: 8, h: 9, w: 9, m: 12, r: 3, s: 3,
                                                                  stride: 1, padding: 1))] {
            let plan = try Mapper.map(layer: layer, config: config, shift: 5)
            let program = plan.program()
            let n = DecodedDescriptor.lineCount
            XCTAssertEqual(program.count, plan.layout.programLines)
            XCTAssertLessThan(program.count, plan.passes.count * n / 2, "\(layer.name): most lines are left out")
            var at = 0
            var previous: [UInt64]?
            var mask = (1 << n) - 1
            let nextLinesBits: UInt64 = 0xFFF << 4
            let descriptors = plan.descriptors()
            XCTAssertEqual(descriptors.count, plan.passes.count)
            for (pass, held) in zip(plan.passes, descriptors) {
                let whole = held.lines
                let own = plan.descriptor(for: pass)
                XCTAssertEqual(held.value(.psumLine), own.value(.psumLine))
                XCTAssertEqual(held.value(.flags), own.value(.flags))
                if pass.flags.contains(.loadIfmaps) { XCTAssertEqual(held.value(.ifmapAddress), pass.ifmapAddress) }
                if pass.flags.contains(.store) { XCTAssertEqual(held.value(.ofmapAddress), pass.ofmapAddress) }
                var sent: [Int] = []
                for k in 0..<n where mask & 1 << k != 0 {
                    XCTAssertEqual(program[at], k == 0 ? (program[at] & nextLinesBits) | whole[0] : whole[k],
                                   "\(layer.name): line \(k) of the descriptor at \(at - sent.count)")
                    sent.append(k)
                    at += 1
                }
                if let previous {
                    for k in 1..<n {
                        XCTAssertEqual(mask & 1 << k != 0, previous[k] != whole[k], "\(layer.name): line \(k) sent iff it changed")
                    }
                }
                let decoded = DecodedDescriptor(lines: whole[...])
                XCTAssertEqual(decoded.opcode, 1)
                mask = Int((program[at - sent.count] & nextLinesBits) >> 4)
                XCTAssertEqual(mask & 1, 1, "line 0 always comes")
                previous = whole
            }
            XCTAssertEqual(mask, 1, "END is line 0 alone")
            XCTAssertEqual(Array(program[at...]), [0], "the program ends with END's line 0")
            XCTAssertEqual(decodeProgram(program).count, plan.passes.count)
        }
    }

    func testIfmapImageFollowsTheLayout() throws {
        let plan = try Mapper.map(layer: layer, config: TestConfigs.array3x4, shift: 5)
        var rng = SplitMix64(seed: 11)
        let input = Tensor4.random(dims: [2, 4, 5, 7], range: -32768...32767, zeroFraction: 0.2, rng: &rng)
        let image = plan.ifmapImage(input: input.values)
        let lanes = 4, wl = 2  // ceil(7 / 4)
        XCTAssertEqual(image.lineAddress, plan.layout.ifmapBase)
        XCTAssertEqual(image.lines.count, 2 * 4 * 5 * wl)
        for n in 0..<2 { for c in 0..<4 { for y in 0..<5 {
            let line = plan.layout.ifmapLine(n: n, c: c, y: y) - plan.layout.ifmapBase
            XCTAssertEqual(line, ((n * 4 + c) * 5 + y) * wl)
            for x in 0..<(wl * lanes) {
                let raw = Int16(truncatingIfNeeded: image.lines[line + x / lanes] >> UInt64(16 * (x % lanes)))
                XCTAssertEqual(Int(raw), x < 7 ? input[n, c, y, x] : 0, "(\(n), \(c), \(y), \(x))")
            }
        } } }
    }

    func testFilterBlocksTileTheFilterRegion() throws {
        let plan = try Mapper.map(layer: layer, config: TestConfigs.array3x4, shift: 5)
        let weights = Array(repeating: 1, count: 6 * 2 * 3 * 3)
        let blocks = plan.filterBlocks(weights: weights).sorted { $0.lineAddress < $1.lineAddress }
        XCTAssertEqual(Set(blocks.map(\.lineAddress)), Set(plan.passes.map(\.filterAddress)))
        var next = plan.layout.filterBase
        for block in blocks {
            XCTAssertEqual(block.lineAddress, next, "blocks are packed one after the other")
            let pass = plan.passes.first { $0.filterAddress == block.lineAddress }!
            XCTAssertEqual(block.lines.count, pass.filterLines)
            // Every weight is 1: each filter group's lines hold its words in the first
            // L = min(lanes, rows) lanes, one group after another; every other lane is zero.
            let g = pass.geometry
            let perLine = min(4, g.activeRows)
            let groupWords = g.filterWords / g.t
            let groupLines = (groupWords + perLine - 1) / perLine
            XCTAssertEqual(block.lines.count, g.t * groupLines)
            for (index, line) in block.lines.enumerated() {
                let words = (0..<4).map { Int(Int16(truncatingIfNeeded: line >> UInt64(16 * $0))) }
                for lane in 0..<4 {
                    let item = (index % groupLines) * perLine + lane
                    XCTAssertEqual(words[lane], lane < perLine && item < groupWords ? 1 : 0, "line \(index) lane \(lane)")
                }
            }
            next += block.lines.count
        }
        XCTAssertEqual(next, plan.layout.filterBase + plan.layout.filterLines)
    }

    func testReadOfmapSignExtendsAndSkipsRowPadding() throws {
        let plan = try Mapper.map(layer: layer, config: TestConfigs.array3x4, shift: 5)
        let (e, f, fl) = (layer.e, layer.f, plan.layout.fl)
        XCTAssertEqual([e, f, fl], [5, 7, 2])
        // Word (n, m, e, f) holds f - 4 (0xFFFC ... 0x0002); padding words hold 0x7FFF.
        var lines = Array(repeating: UInt64(0), count: plan.layout.ofmapLines)
        for row in 0..<(2 * 6 * e) {
            for x in 0..<(fl * 4) {
                let value: UInt64 = x < f ? UInt64(UInt16(bitPattern: Int16(x - 4))) : 0x7FFF
                lines[row * fl + x / 4] |= value << UInt64(16 * (x % 4))
            }
        }
        let out = try plan.readOfmap(lines: lines)
        XCTAssertEqual(out.count, 2 * 6 * e * f)
        XCTAssertEqual(Array(out.prefix(f)), [-4, -3, -2, -1, 0, 1, 2])
        XCTAssertEqual(plan.word(0x8000, lane: 0), -32768)
        XCTAssertEqual(plan.word(0xFFFF_0000, lane: 1), -1)
    }

    /// Passes that differ only in the output rows share one filter block, and a pass that
    /// follows one with the same filters does not load them again.
    func testFilterBlocksAreShared() throws {
        let plan = try Mapper.map(layer: BuiltinLayers.alexnet[0], config: TestConfigs.chip, shift: 8)
        let st = plan.statistics
        XCTAssertLessThan(st.filterBlocks, st.passes)
        XCTAssertLessThan(st.filterLoads, st.passes)
        XCTAssertEqual(st.filterBlocks, Set(plan.passes.map(\.filterAddress)).count)
    }

    func testSummaryNamesTheChoices() throws {
        let plan = try Mapper.map(layer: BuiltinLayers.alexnet[2], config: TestConfigs.chip, shift: 8)
        let text = plan.summary()
        let m = plan.mapping
        for word in ["alexnet.conv3", "q=\(m.q)", "p=\(m.p)", "Rc=3", "r=\(m.r)", "e=\(m.e)", "t=\(m.t)",
                     "jobRows=\(m.jobRows)", "passes:", "utilization", "banks 0..<", "DRAM", "written"] {
            XCTAssert(text.contains(word), "summary lacks \(word):\n\(text)")
        }
    }
}
