import ArgumentParser
import EyerissReport
import Foundation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a run report (`cosim`/`run --report FILE.json`) as a table, JSON, CSV or SVG.",
        discussion: """
            The report holds, per layer, the access counts the RTL measured (cycles, MACs, scratchpad, \
            network, global buffer and DRAM traffic), the analytic model's prediction and whether they \
            agree, and the energy by level and data type. --energy re-prices it with another table. \
            JSON schema: docs/report-schema.md.
            """)

    @Argument(help: "A JSON run report.")
    var file: String

    @Option(help: "table, json, csv or svg.")
    var format: String = "table"

    @Option(help: ArgumentHelp("Energy per access as YAML, instead of the report's table.", valueName: "table.yaml"))
    var energy: String?

    @Option(help: "Write to this file instead of stdout.")
    var out: String?

    func validate() throws {
        guard ReportFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")), got \(format)")
        }
    }

    func run() throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw CLIError("cannot read \(file): \(error.localizedDescription)")
        }
        var report: RunReport
        do { report = try RunReport.decode(json: data, source: file) } catch let e as ReportError { throw CLIError(e.description) }
        if let energy { report = report.repriced(with: try ReportOptions.table(energy)) }
        let text = try report.render(ReportFormat(rawValue: format)!)
        if let out {
            do { try RunReport.write(text, to: out) } catch { throw CLIError("cannot write \(out): \(error)") }
        } else {
            print(text, terminator: "")
        }
    }
}
