import ArgumentParser

/// `--seed`, `--trace`: options of every verb that simulates.
struct SimulationOptions: ParsableArguments {
    @Option(help: "Seed of the random data, the random initial state and the stall pattern.")
    var seed: UInt64 = 1

    @Option(help: "Write a waveform to this .vcd or .fst file (builds the tracing variant).")
    var trace: String?

    @Option(help: "Chance in percent, per cycle, that a source idles or a sink stalls (0-99).")
    var stall: Int = 0

    func validate() throws {
        guard (0...99).contains(stall) else { throw ValidationError("--stall must be 0-99, got \(stall)") }
        if let trace, !(trace.hasSuffix(".vcd") || trace.hasSuffix(".fst")) {
            throw ValidationError("--trace \(trace): the file must end in .vcd or .fst")
        }
    }
}
