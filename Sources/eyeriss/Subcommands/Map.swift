import ArgumentParser
import EyerissConfig
import EyerissMapper
import EyerissGolden

extension MappingObjective: ExpressibleByArgument {}

struct Map: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the row-stationary mapping of a layer: geometry, passes, PE utilization, buffer split, DRAM traffic.")

    @OptionGroup var options: ConfigOptions
    @OptionGroup var layer: LayerOptions

    @Option(help: "Product shift of the layer.")
    var shift: Int = 12

    @Flag(help: "Plan for a run-length coded ifmap in DRAM, as `run` and `bench --accelerator` do (the mapper ranks tile loads by their estimated coded size).")
    var ifmapRlc = false

    @Flag(help: "Plan for a run-length coded ofmap in DRAM (its row slots in the layout).")
    var ofmapRlc = false

    @Option(help: ArgumentHelp("Plan for a coded ifmap with a code per N rows of a channel (implies --ifmap-rlc); the tiles must hold whole codes.",
                               valueName: "N"))
    var ifmapCodeRows = 1

    @Flag(help: "Plan for coded stores that code each row chunk's rows of a filter as one code, where the row chunks allow it (implies --ofmap-rlc).")
    var ofmapByRowChunk = false

    @Option(help: "Plan for stores that pool each ofmap row, windows of N values (2 or 3) every 2 (as `cosim --row-pool`).")
    var rowPool: RowPool?

    @Option(help: ArgumentHelp("Also list the best K geometries the mapper ranked, the chosen one first.",
                               discussion: "Each with the cost model's cycles and DRAM lines and the balanced score (cycles plus one for each DRAM line loaded), among geometries within 5 % of the fewest cycles, in the order of --objective.",
                               valueName: "K"))
    var candidates = 0

    @Option(help: ArgumentHelp("What the ranking minimizes among the geometries within 5 % of the fewest estimated cycles.",
                               discussion: "balanced: the estimated cycles plus one per DRAM line loaded; dram: the fewest estimated DRAM lines, then the fewest cycles (what `bench --accelerator` maps for)."))
    var objective: MappingObjective = .balanced

    func run() throws {
        let config = try options.load()
        let shape = try layer.load()
        guard candidates >= 0 else { throw CLIError("--candidates must be 0 or more, not \(candidates)") }
        guard ifmapCodeRows >= 1 else { throw CLIError("--ifmap-code-rows must be 1 or more, not \(ifmapCodeRows)") }
        let io = LayerIO(ifmapRLC: ifmapRlc || ifmapCodeRows > 1, ofmapRLC: ofmapRlc || ofmapByRowChunk,
                         ifmapCodeRows: ifmapCodeRows, ofmapCodeByRowChunk: ofmapByRowChunk, rowPool: rowPool)
        do {
            print(try Mapper.map(layer: shape, config: config, shift: shift, io: io, objective: objective).summary())
            guard candidates > 0 else { return }
            let ranked = try Mapper.candidates(layer: shape, config: config, shift: shift, io: io, objective: objective,
                                               limit: candidates)
            print("candidates (best first; the cost model's estimates):")
            let header = ["rank", "q", "p", "Rc", "r", "e", "t", "jobRows", "psumBank", "images", "rows", "ifmap slots",
                          "est. cycles", "est. DRAM lines", "score"]
            let rows = ranked.enumerated().map { k, c in
                [k + 1, c.q, c.p, c.rc, c.r, c.e, c.t, c.jobRows, c.psumBank, c.imageSlots].map(String.init)
                    // "2 shared": interleaved row chunks reading one ifmap tile.
                    + ["\(c.rowSlots)\(c.sharesRowTiles ? " shared" : "")", String(c.ifmapSlots)]
                    + [c.estimatedCycles, c.estimatedDRAMLines, c.score].map { String(Int($0.rounded())) }
            }
            for line in TextTable.lines(header, rows) { print("  " + line) }
        } catch let error as MappingError {
            throw CLIError(error.description)
        }
    }
}
