import ArgumentParser
import EyerissConfig

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the effective configuration (defaults, file and overrides, validated).")

    @OptionGroup var options: ConfigOptions

    @Option(help: "Output format: yaml or json.")
    var format: Format = .yaml

    enum Format: String, ExpressibleByArgument { case yaml, json }

    func run() throws {
        let config = try options.load()
        switch format {
        case .yaml:
            print("# configuration hash: \(config.raw.hashHex)")
            print(ConfigLoader.yaml(config.raw), terminator: "")
        case .json:
            print(ConfigLoader.canonicalJSON(config.raw))
        }
    }
}
