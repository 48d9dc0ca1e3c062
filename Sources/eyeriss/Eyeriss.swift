import ArgumentParser

/// The `eyeriss` command: parses arguments and hands each verb to a library call.
@main
struct Eyeriss: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eyeriss",
        abstract: "Generate, co-simulate and measure an Eyeriss-style row-stationary CNN accelerator.",
        subcommands: [Config.self, Generate.self, Map.self, Cosim.self, Run.self, CosimPE.self, Area.self, Regress.self, Report.self,
                      Bench.self, ExportCase.self]
    )
}
