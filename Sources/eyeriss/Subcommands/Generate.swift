import ArgumentParser
import EyerissConfig
import EyerissRTL
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the RTL of a configuration, one module per file.")

    @OptionGroup var options: ConfigOptions

    @Option(help: "Output folder (created if missing; stale .sv files in it are removed).")
    var out: String

    func run() throws {
        let config = try options.load()  // nothing is written unless the configuration is valid
        let design = try AcceleratorGenerator.generate(config)
        try design.write(to: URL(fileURLWithPath: out))
        for (file, _) in design.render() { print("\(out)/\(file)") }
    }
}
