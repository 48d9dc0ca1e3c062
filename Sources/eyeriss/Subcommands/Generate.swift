import ArgumentParser
import EyerissConfig
import EyerissCosim
import EyerissRTL
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the RTL of a configuration, one module per file.")

    @OptionGroup var options: ConfigOptions

    @Option(help: "Output folder (created if missing; stale .sv files in it are removed).")
    var out: String

    @Flag(help: "Also write a SystemC build of eyeriss_top (verilator --sc, example sc_main) into OUT/systemc.")
    var systemc = false

    func run() throws {
        let config = try options.load()  // nothing is written unless the configuration is valid
        let design = try AcceleratorGenerator.generate(config)
        try design.write(to: URL(fileURLWithPath: out))
        for (file, _) in design.render() { print("\(out)/\(file)") }
        if systemc { try GenerateSystemC.write(design: design, config: config, out: out) }
    }
}
