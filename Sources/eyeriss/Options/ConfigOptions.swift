import ArgumentParser
import EyerissConfig

/// `--config FILE` and `--set key=value`: the accelerator configuration, shared by every verb.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "YAML or JSON configuration file: a delta from the published chip.")
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one field, e.g. --set array.rows=3 (repeatable).",
                                                         valueName: "key=value"))
    var overrides: [String] = []

    /// Loads and validates once, at the edge. Errors carry field, value and rule.
    func load() throws -> ValidConfig {
        do {
            return try ConfigLoader.load(file: config, overrides: overrides).validated()
        } catch let e as ConfigErrors {
            throw CLIError(e.description)
        } catch let e as ConfigLoadError {
            throw CLIError(e.description)
        }
    }
}

/// A user-facing failure: printed as `Error: <message>` with a non-zero exit, without usage text.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
