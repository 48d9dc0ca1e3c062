/// One of the loops that order a layer's passes (below the group loop, above the accumulation
/// loop). The mapper picks the nesting that reloads the least from DRAM.
public enum PassLoop: String, Equatable, Sendable, CaseIterable {
    /// Images of the batch (`n`).
    case image
    /// Chunks of `p * t` filters (`m0`).
    case filterChunk
    /// Chunks of `Epass` output rows (`e0`).
    case rowChunk
}

/// `p * t` filters of one group, starting at output channel `m0` of the group.
public struct FilterChunk: Equatable, Sendable {
    /// First filter, counted from the group's first output channel.
    public let m0: Int
    public let p: Int
    public let t: Int
    /// Filters in the chunk: `p * t`.
    public var filters: Int { p * t }
}

/// `Epass = e * jobRows` output rows starting at `e0`.
public struct RowChunk: Equatable, Sendable {
    public let e0: Int
    public let e: Int
    public let jobRows: Int
    /// Output rows of the chunk: `e * jobRows`.
    public var epass: Int { e * jobRows }
}

/// One pass's share of an accumulation: filter rows `i0 ..< i0 + rc` of channels
/// `c0 ..< c0 + q * r` (counted from the group's first input channel).
public struct AccumulationChunk: Equatable, Sendable {
    public let i0: Int
    public let rc: Int
    public let c0: Int
    public let q: Int
    public let r: Int
    /// Channels of the chunk: `q * r`.
    public var channels: Int { q * r }
}

/// The row-stationary mapping the mapper chose for a layer: the main pass geometry (the
/// values of the first, largest passes; remainder passes use smaller values), the global
/// buffer split, and the loop structure that turns it into passes.
///
/// Passes of one group are generated as: the loops of `loopOrder` (outer first) over images,
/// `filterChunks` and `rowChunks`, each walked back and forth (boustrophedon) so neighbouring
/// passes share a filter block or an ifmap tile; inside them one *accumulation group* per
/// (image, filter chunk, row chunk): one pass per `accumulationChunks` entry, also walked back
/// and forth, leaving out passes whose ifmap rows all lie in the zero padding (at least one
/// pass is kept, so every psum tile is written).
///
/// With a batch, the images may instead *interleave* (`imageSlots > 1`), in groups of
/// `imageSlots` (the whole batch or a divisor of it): every pass of an accumulation group runs
/// once per image of the group in turn, each image adding into its own psum tile
/// (`psumTileLine(rowIndex:image:bankLines:)`), and the
/// image loop of `loopOrder` walks the groups (it is left out when the group is the batch).
/// The images' passes share the filter block, which is then loaded once per group, not per image.
///
/// The row chunks may interleave in the same way (`rowSlots > 1`, one slot per row chunk):
/// `loopOrder` then has no row loop, and every step of the accumulation runs for each row chunk
/// in turn (inside that, for each image), each adding into its own psum tile. The row chunks'
/// passes share the filter block: it is loaded from DRAM once, and fed from the filter buffer
/// again only when the next row chunk's PE set differs. Each row chunk's tiles take the lines
/// they need (`psumSlotLines`: the last, shorter chunk's may need fewer). With `sharesRowTiles`
/// the row chunks' passes of one accumulation chunk and image read one ifmap tile, the union of
/// their rows, loaded once for all of them instead of once each (the rows the chunks overlap in
/// are not loaded twice).
public struct Mapping: Equatable, Sendable {
    /// Channels per PE.
    public let q: Int
    /// Filters per PE.
    public let p: Int
    /// Filter rows per pass: `min(R, rows)` unless that cannot fit (then smaller).
    public let rc: Int
    /// Channel sets stacked vertically.
    public let r: Int
    /// Strip columns per filter group.
    public let e: Int
    /// Filter groups side by side.
    public let t: Int
    /// Strips per pass.
    public let jobRows: Int
    /// First psum bank: banks `0 ..< psumBank` hold the ifmap tile, the rest the psum tile(s).
    public let psumBank: Int
    /// Images whose psum tiles are held at once: 1, or the images of a group (the batch or a
    /// divisor of it) when they interleave.
    public let imageSlots: Int
    /// Row chunks whose psum tiles are held at once: 1, or every row chunk when they interleave.
    public let rowSlots: Int
    /// Lines of one psum tile's slot for each row slot: of row chunk `k` when the row chunks
    /// interleave (one entry per row chunk), else one entry, each image's. Whole banks, or, where
    /// that saves a bank, the tile's own lines: the tiles are then packed, a tile starting where
    /// the one before it ends, inside a bank (2026-12-06).
    public let psumSlotLines: [Int]
    /// Interleaved row chunks share each ifmap tile (see the type's description).
    public let sharesRowTiles: Bool
    /// The image loop runs inside the accumulation loop (see the type's description).
    public var interleavesImages: Bool { imageSlots > 1 }
    /// The row chunk loop runs inside the accumulation loop (see the type's description).
    public var interleavesRowChunks: Bool { rowSlots > 1 }
    /// Psum tiles held in the psum banks at once.
    public var psumSlots: Int { imageSlots * rowSlots }
    /// First line (in the fmap banks, of `bankLines` lines each) of the psum tile of row chunk
    /// `rowIndex` (counted as 0 when the row chunks do not interleave) and image `image`: from bank
    /// `psumBank` on, the image slots one after the other, each holding its row chunks' tiles in
    /// turn (`psumTileOffset`). The passes run the row chunks outside the images, so consecutive
    /// passes' tiles have another row chunk's between them; the mapper packs tiles only where
    /// that keeps them in banks apart (`GeometrySearch.packedTilesApart`), so a pass need not
    /// wait for the store of the tile before it (a bank has one read port for the psum feeder
    /// and the store engine).
    public func psumTileLine(rowIndex: Int, image: Int, bankLines: Int) -> Int {
        psumBank * bankLines
            + Self.psumTileOffset(slotLines: psumSlotLines, rowSlot: interleavesRowChunks ? rowIndex : 0, imageSlot: image % imageSlots)
    }
    /// Lines from the psum region's first line to the tile of row slot `rowSlot` and image slot
    /// `imageSlot`, the row slots' tiles taking `slotLines` each: the image slots one after the
    /// other, each holding its row slots' tiles in turn. The one definition of the placement.
    public static func psumTileOffset(slotLines: [Int], rowSlot: Int, imageSlot: Int) -> Int {
        imageSlot * slotLines.reduce(0, +) + slotLines[..<rowSlot].reduce(0, +)
    }
    /// Nesting of the pass loops, outer first.
    public let loopOrder: [PassLoop]
    /// Filter chunks of every group, in order.
    public let filterChunks: [FilterChunk]
    /// Output row chunks, in order.
    public let rowChunks: [RowChunk]
    /// The passes of one accumulation group, in order (filter-row chunks outer, channel chunks
    /// inner); together they cover every (channel, filter row) of a group exactly once.
    public let accumulationChunks: [AccumulationChunk]
    /// The mapper's cost estimate for the whole layer, in core cycles: per pass, the slowest of
    /// the PE work and the one-word-per-cycle feeders, plus the filter load into the spads,
    /// plus the pass's DRAM loads at the configured bandwidth (every pass loading both; the
    /// loop order then removes repeated loads). A ranking device, not a simulation.
    public let estimatedCycles: Double

    /// Filter-row chunk heights, in order (`ceil(R / rc)` chunks, the last possibly shorter).
    public var filterRowChunks: [Int] {
        var out: [Int] = []
        var lastI0 = -1
        for chunk in accumulationChunks where chunk.i0 != lastI0 {
            lastI0 = chunk.i0
            out.append(chunk.rc)
        }
        return out
    }
}

/// A geometry the mapper ranked (`Mapper.candidates`): its main values, how it splits the global
/// buffer, and the cost model's figures the ranking compares.
public struct MappingCandidate: Equatable, Sendable {
    public let q, p, rc, r, e, t, jobRows: Int
    /// First psum bank (banks below it hold ifmaps).
    public let psumBank: Int
    /// Images interleaved at once (1: each image alone).
    public let imageSlots: Int
    /// Row chunks interleaved at once (1: each alone).
    public let rowSlots: Int
    /// Interleaved row chunks share each ifmap tile.
    public let sharesRowTiles: Bool
    /// The ifmap region's split the fit assumed: 1 (the whole region), 2 (halves) or more (a slot
    /// for every tile of a row chunk).
    public let ifmapSlots: Int
    /// The cost model's cycles for the whole layer.
    public let estimatedCycles: Double
    /// The cost model's DRAM lines loaded (filter blocks and ifmap tiles).
    public let estimatedDRAMLines: Double
    /// What the ranking minimizes: the cycles plus a share of the loads' DRAM bus cycles.
    public let score: Double
}
