import EyerissConfig

/// A configuration as `--set` overrides, with a short name for case names and reports.
public struct NamedConfiguration: Sendable, Equatable {
    /// For case names, e.g. "3x4" or "chip".
    public let name: String
    /// `--set key=value` deltas from the published chip.
    public let overrides: [String]
    public let config: ValidConfig
    /// `AcceleratorConfig.hashHex`: two override lists that give the same configuration share
    /// one Verilator build, and the runner builds each only once.
    public let hash: String

    /// Loads and validates the overrides; throws `ConfigLoadError` or `ConfigErrors`.
    public init(name: String, overrides: [String]) throws {
        let raw = try ConfigLoader.load(file: nil, overrides: overrides)
        self.name = name
        self.overrides = overrides
        self.config = try raw.validated()
        self.hash = raw.hashHex
    }

    /// A PE array of `rows` x `columns`, the published chip otherwise; named "RxC".
    public static func array(_ rows: Int, _ columns: Int) throws -> NamedConfiguration {
        try NamedConfiguration(name: "\(rows)x\(columns)", overrides: ["array.rows=\(rows)", "array.columns=\(columns)"])
    }

    /// The published chip (12 x 14), named "chip".
    public static func chip() throws -> NamedConfiguration {
        try NamedConfiguration(name: "chip", overrides: [])
    }
}
