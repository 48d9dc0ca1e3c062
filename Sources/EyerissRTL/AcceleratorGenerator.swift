import EyerissConfig
import HDL

/// Generates the RTL of a validated configuration: one `Design` holding every module, each to
/// be written to a file of its own.
public enum AcceleratorGenerator {
    /// The module co-simulation builds as the top of the design.
    public static let peTop = "eyeriss_pe"
    /// The whole accelerator.
    public static let top = "eyeriss_top"

    public static func generate(_ config: ValidConfig, options: GeneratorOptions = GeneratorOptions()) throws -> Design {
        let fp = config.raw.fixedPoint
        guard fp.psumBits == fp.dataBits else {
            // The PE alone supports wider psums; the buffer and DRAM of the accelerator do not yet.
            throw ConfigErrors(errors: [ConfigError(
                field: "fixedPoint.psumBits", value: "\(fp.psumBits)",
                rule: "eyeriss_top keeps psums in data-word lanes of the global buffer and DRAM: must equal fixedPoint.dataBits = \(fp.dataBits)")])
        }
        var design = Design()
        let header = RTLHeader(config)
        let pe = try makePE(PEParams(config), header: header, options: options, design: &design)
        try design.add(pe)
        try design.add(makeTop(TopParams(config), header: header, pe: pe, options: options, design: &design))
        return design
    }
}
