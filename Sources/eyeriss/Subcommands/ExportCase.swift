import ArgumentParser
import EyerissConfig
import EyerissCosim
import EyerissMapper
import Foundation

struct ExportCase: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-case",
        abstract: "Write a layer for a harness outside Swift (the SystemC example): DRAM image, expected output, settings.",
        discussion: """
            Maps the layer, draws its data from the seed exactly as `eyeriss cosim` does, and writes \
            OUT/dram.hex (the DRAM image, a line of 16 hex digits per DRAM line), OUT/expected.hex \
            (`ADDRESS DATA MASK` per checked ofmap line: pass when (dram ^ DATA) & MASK is 0) and \
            OUT/case.json (program line, DRAM size, cycle limit, DRAM model, layer, mapping, configuration).
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var layer: LayerOptions
    @OptionGroup var data: LayerDataOptions

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Option(help: "Seed of the random data (and of the harness's random initial state).")
    var seed: UInt64 = 1

    func run() throws {
        let config = try options.load()
        let shape = try layer.load()
        let opts = LayerRunOptions(seed: seed, sparsity: data.sparsity, shift: data.shift, io: data.io)
        let export = try SimulationOutcome.run { try CaseExport(layer: shape, config: config, options: opts) }
        try export.write(to: URL(fileURLWithPath: out))
        print("\(shape.name): \(export.plan.passes.count) passes, \(export.dramImage.count) DRAM lines, \(export.expected.count) expected lines, cycle limit \(export.cycleLimit)")
        for file in ["dram.hex", "expected.hex", "case.json"] { print("\(out)/\(file)") }
    }
}
