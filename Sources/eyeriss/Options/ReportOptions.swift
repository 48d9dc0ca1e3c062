import ArgumentParser
import EyerissConfig
import EyerissCosim
import EyerissReport
import Foundation

/// `--report FILE`, `--energy TABLE.yaml`: the run report of every verb that co-simulates.
struct ReportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the run report (access counts measured by the RTL, the model's, energy) to this file: .json (schema: docs/report-schema.md), .csv, .svg, or a table for any other name.", valueName: "file"))
    var report: String?

    @Option(help: ArgumentHelp("Energy per access as YAML (keys unit, mac, spad, noc, glb, dram); default: the normalized costs (DRAM 200, buffer 6, NoC 2, spad 1, MAC 1).", valueName: "table.yaml"))
    var energy: String?

    func validate() throws {
        if let energy { _ = try Self.table(energy) }
    }

    static func table(_ path: String?) throws -> EnergyTable {
        guard let path else { return .normalized }
        do { return try EnergyTable.load(path: path) } catch let e as EnergyTableError { throw ValidationError(e.description) }
    }

    /// The format a report file's name asks for.
    static func format(of path: String) -> ReportFormat {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "json": return .json
        case "csv": return .csv
        case "svg": return .svg
        default: return .table
        }
    }

    /// Writes the report of `results` (when `--report` was given).
    func write(command: String, config: ValidConfig, results: [LayerResult]) throws {
        guard let report else { return }
        let layers = results.compactMap(\.report)
        let run = RunReport(command: command, config: config, energyTable: try Self.table(energy), layers: layers)
        do {
            try RunReport.write(try run.render(Self.format(of: report)), to: report)
        } catch { throw CLIError("cannot write the report \(report): \(error)") }
    }
}
