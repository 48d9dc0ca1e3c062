import ArgumentParser
struct CosimPE: ParsableCommand { static let configuration = CommandConfiguration(commandName: "cosim-pe") }
