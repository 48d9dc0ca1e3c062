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

    func run() throws {
        let config = try options.load()
        let shape = try layer.load()
        do {
            print(try Mapper.map(layer: shape, config: config, shift: shift).summary())
        } catch let error as MappingError {
            throw CLIError(error.description)
        }
    }
}
