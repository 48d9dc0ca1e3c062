import ArgumentParser
import EyerissConfig
import EyerissMapper

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

    func run() throws {
        let config = try options.load()
        let shape = try layer.load()
        do {
            print(try Mapper.map(layer: shape, config: config, shift: shift, io: LayerIO(ifmapRLC: ifmapRlc, ofmapRLC: ofmapRlc)).summary())
        } catch let error as MappingError {
            throw CLIError(error.description)
        }
    }
}
