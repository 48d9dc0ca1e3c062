import ArgumentParser
import EyerissCosim
import EyerissMapper
import Foundation

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

/// How every simulating verb ends: the library's errors as user-facing messages, the result as
/// JSON or text, and a non-zero exit when the check failed.
enum SimulationOutcome {
    /// Runs `body`, turning mapping and co-simulation errors into `CLIError`s.
    static func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as MappingError {
            throw CLIError(error.description)
        } catch let error as CosimError {
            throw CLIError(error.description)
        }
    }

    /// Prints `result` as sorted, pretty JSON or as `text`, then exits 1 unless `passed`.
    static func report<T: Encodable>(_ result: T, json: Bool, passed: Bool, text: () -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(text())
        }
        if !passed { throw ExitCode(1) }
    }
}
