import EyerissConfig
import EyerissMapper
import XCTest

/// Plans of the real networks, checked without executing them: every pass obeys every rule of
/// the contract and the passes compute every psum exactly once.
final class FullSizePlanTests: XCTestCase {
    func testAlexNetOnChip() throws {
        var utilizations: [String] = []
        for layer in BuiltinLayers.alexnet {
            let plan = try Mapper.map(layer: layer, config: TestConfigs.chip, shift: 8)
            let problems = planProblems(plan)
            XCTAssert(problems.isEmpty, "\(layer.name):\n" + problems.prefix(10).joined(separator: "\n"))
            print(plan.summary() + "\n")
            let st = plan.statistics
            XCTAssertEqual(st.macs, layer.macs, layer.name)
            XCTAssertGreaterThan(st.utilization, 0.7, layer.name)
            utilizations.append("\(layer.name) \(Int((100 * st.utilization).rounded()))%")
        }
        print("AlexNet PE utilization on 12 x 14: " + utilizations.joined(separator: ", "))
    }

    /// CONV3-CONV5 at batch 4 keep whole 3-row filters in one pass (Rc = 3) and use at least as
    /// many PEs as the chip's 3 x 13 sets (156 of 168), in sets of several strip columns: the
    /// psum networks' line per cycle lets a set be narrower than the chip's and stack two filter
    /// groups instead.
    func testAlexNetThreeByThreeLayersFillTheArray() throws {
        for var layer in BuiltinLayers.alexnet.dropFirst(2) {
            layer.n = 4
            let m = try Mapper.map(layer: layer, config: TestConfigs.chip, shift: 8).mapping
            XCTAssertEqual(m.rc, 3, layer.name)
            XCTAssertGreaterThanOrEqual(m.rc * m.r * m.e * m.t, 156, layer.name)
            XCTAssertGreaterThan(m.e, 1, layer.name)
        }
    }

    /// A batch of 4, as the chip was measured: each filter block is loaded once per batch when
    /// a tile needs one pass, not once per image. CONV3-CONV5 interleave the images inside the
    /// accumulation loop: only image 0's passes load a filter block, and the other images'
    /// passes keep the filters in the PEs' spads. CONV1 trades the other way: two images at a
    /// time, every tile of a row chunk resident for all filter chunks, so the raw image is read
    /// once instead of once per filter chunk: each row chunk's tile loads only the rows its
    /// slot lacks (the ring; the last chunk's tile as tall as the others), so every row of the
    /// image, padded to whole lines, is read exactly once.
    func testAlexNetBatchOfFour() throws {
        for var layer in BuiltinLayers.alexnet {
            layer.n = 4
            let plan = try Mapper.map(layer: layer, config: TestConfigs.chip, shift: 8)
            XCTAssert(planProblems(plan).isEmpty, layer.name)
            let single = try Mapper.map(layer: BuiltinLayers.named(layer.name)!, config: TestConfigs.chip, shift: 8)
            if plan.mapping.imageSlots == layer.n {
                XCTAssertLessThanOrEqual(plan.statistics.filterWordsRead, 4 * single.statistics.filterWordsRead, layer.name)
            }
            if layer.name == "alexnet.conv1" {
                let image = layer.n * layer.c * layer.h * plan.layout.wl * plan.layout.lanes
                XCTAssertEqual(plan.statistics.ifmapWordsRead, image, plan.summary())
                XCTAssertTrue(plan.passes.contains { $0.flags.contains(.ifmapLoadTail) }, "loads going down the image")
                XCTAssertTrue(plan.passes.contains { $0.flags.contains(.loadIfmaps) && !$0.flags.contains(.ifmapLoadTail)
                    && $0.ifmapLoadRows < $0.nRows }, "and coming back up")
            }
            // Every block at most once per group of images and row chunk.
            let lanes = plan.layout.lanes
            let groupsAndChunks = layer.n / plan.mapping.imageSlots * plan.mapping.rowChunks.count
            XCTAssertLessThanOrEqual(plan.statistics.filterWordsRead, groupsAndChunks * plan.layout.filterLines * lanes, layer.name)
            if layer.r == 3 {
                XCTAssertTrue(plan.mapping.interleavesImages, layer.name)
                XCTAssertFalse(plan.passes.contains { $0.n > 0 && $0.flags.contains(.loadFilters) }, layer.name)
                XCTAssertTrue(plan.passes.allSatisfy { $0.n == 0 || $0.flags.contains(.keepFilters) }, layer.name)
            }
            print(oneLine(plan))
        }
    }

    /// AlexNet CONV2 at batch 4, as the bench plans it (raw ifmap, coded ofmap). The balanced
    /// ranking takes its images in pairs, reading the ifmap once per filter chunk. The `.dram`
    /// objective takes the fewest DRAM lines within the cycle allowance: one image at a time with
    /// a group's whole ifmap resident, reading every ifmap row once and each weight once per
    /// image.
    func testAlexNetConv2AtBatchFourForTheFewestDRAMLines() throws {
        var layer = try XCTUnwrap(BuiltinLayers.named("alexnet.conv2"))
        layer.n = 4
        let io = LayerIO.first
        let balanced = try Mapper.map(layer: layer, config: TestConfigs.chip, shift: 8, io: io)
        let plan = try Mapper.map(layer: layer, config: TestConfigs.chip, shift: 8, io: io, objective: .dram)
        XCTAssert(planProblems(plan).isEmpty)
        XCTAssertEqual(balanced.mapping.imageSlots, 2, balanced.summary())
        XCTAssertEqual(plan.mapping.imageSlots, 1, plan.summary())
        let lanes = plan.layout.lanes
        let rowWords = (layer.w + lanes - 1) / lanes * lanes
        XCTAssertEqual(plan.statistics.ifmapWordsRead, layer.n * layer.c * layer.h * rowWords, plan.summary())
        XCTAssertGreaterThan(balanced.statistics.ifmapWordsRead, 4 * plan.statistics.ifmapWordsRead)
        // Once per image (a block the turn between images finds in the buffer is not read again).
        let weights = layer.m * layer.channelsPerGroup * layer.r * layer.s
        XCTAssertLessThanOrEqual(plan.statistics.filterWordsRead, layer.n * weights)
        XCTAssertGreaterThan(plan.statistics.filterWordsRead, (layer.n - 1) * weights)
        XCTAssertLessThan(plan.statistics.dramWordsRead, balanced.statistics.dramWordsRead * 3 / 4)
        XCTAssertLessThan(plan.mapping.estimatedCycles, 1.05 * balanced.mapping.estimatedCycles)
        let ranked = try Mapper.candidates(layer: layer, config: TestConfigs.chip, shift: 8, io: io, objective: .dram, limit: 1000)
        XCTAssertEqual(ranked[0].estimatedDRAMLines, ranked.map(\.estimatedDRAMLines).min())
    }

    /// The cost model counts the ifmap tiles a filter chunk finds still loaded when the region
    /// holds fewer slots than the tiles it comes back to: AlexNet CONV1 alone, 2 slots for its
    /// 3 channels' tiles of a row chunk, loads each tile about (1 + 2 * 1/3) times for 3 filter
    /// chunks, not 3 times (it estimated 186,678 lines, 53 % over, before 2026-12-06).
    func testTheEstimateCountsTilesPartlyResidentAcrossFilterChunks() throws {
        let layer = try XCTUnwrap(BuiltinLayers.named("alexnet.conv1"))
        let plan = try Mapper.map(layer: layer, config: TestConfigs.chip, shift: 8, io: .first)
        let m = plan.mapping
        let tiles = m.accumulationChunks.count * m.rowChunks.count
        let loads = plan.passes.filter { $0.flags.contains(.loadIfmaps) }.count
        XCTAssertGreaterThan(m.filterChunks.count, 1, plan.summary())
        XCTAssertGreaterThan(loads, tiles, "not every tile stays for all filter chunks")
        XCTAssertLessThan(loads, tiles * m.filterChunks.count, "some do")
        let estimate = try XCTUnwrap(Mapper.candidates(layer: layer, config: TestConfigs.chip, shift: 8, io: .first, limit: 1).first)
        let loaded = Double(plan.statistics.filterWordsRead + plan.statistics.ifmapWordsRead) / Double(plan.layout.lanes)
        XCTAssertEqual(estimate.estimatedDRAMLines, loaded, accuracy: 0.1 * loaded)
    }

    func testEveryVGG16LayerMapsOnChip() throws {
        for layer in BuiltinLayers.vgg16 {
            let plan = try Mapper.map(layer: layer, config: TestConfigs.chip, shift: 8)
            let problems = planProblems(plan)
            XCTAssert(problems.isEmpty, "\(layer.name):\n" + problems.prefix(10).joined(separator: "\n"))
            XCTAssertEqual(plan.statistics.macs, layer.macs, layer.name)
            print(oneLine(plan))
        }
    }

    /// The small arrays fold AlexNet's 11 x 11 and 5 x 5 filters into 3- and 6-row chunks.
    func testAlexNetOnSmallArrays() throws {
        for config in [TestConfigs.array3x4, TestConfigs.array6x7] {
            for layer in BuiltinLayers.alexnet {
                let plan = try Mapper.map(layer: layer, config: config, shift: 8)
                let problems = planProblems(plan)
                XCTAssert(problems.isEmpty, "\(layer.name):\n" + problems.prefix(10).joined(separator: "\n"))
                XCTAssertEqual(plan.mapping.rc, min(layer.r, config.raw.array.rows), layer.name)
                print(oneLine(plan))
            }
        }
    }
}
