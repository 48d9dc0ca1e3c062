import Foundation

/// One point of a sweep: the `key=value` settings applied on top of the base configuration and
/// the area they give.
public struct AreaSweepPoint: Codable, Equatable, Sendable {
    /// Configuration key to the value this point sets (`array.rows` -> `6`).
    public var settings: [String: String]
    public var report: AreaReport

    public init(settings: [String: String], report: AreaReport) {
        self.settings = settings
        self.report = report
    }

    /// `array.rows=6 array.columns=7`, in the order the keys were given.
    public func label(keys: [String]) -> String {
        keys.map { "\($0)=\(settings[$0] ?? "")" }.joined(separator: " ")
    }
}

/// Output formats of `eyeriss area`.
public enum AreaFormat: String, CaseIterable, Sendable { case table, json, csv }

extension AreaReport {
    /// The report in `format`.
    public func rendered(_ format: AreaFormat) -> String {
        switch format {
        case .table: return table()
        case .json: return jsonText(self)
        case .csv: return AreaCSV.header(sweepKeys: []) + AreaCSV.lines(self, settings: []).joined()
        }
    }

    /// A readable breakdown: a line per module part, then totals per block.
    public func table() -> String {
        var out = "Area of \(top) (configuration \(configHash)): \(model.node.nanometres) nm, "
            + "NAND2 = \(fmt(model.node.nand2Um2, 3)) um^2, SRAM bit cell = \(fmt(model.node.bitcellUm2, 3)) um^2, "
            + "standard cells placed at \(fmt(model.logicUtilization * 100, 0))% utilization\n\n"
        var t = TextTable(["block", "module", "part", "kind", "detail", "inst", "gates/inst", "total kGE", "mm^2"],
                          rightAligned: [5, 6, 7, 8])
        var lastCategory = "", lastModule = ""
        for r in rows {
            let newCategory = r.category != lastCategory
            t.add([newCategory ? r.category : "", newCategory || r.module != lastModule ? r.module : "",
                   r.part, r.kind, r.detail, "\(r.instances)", grouped(r.gatesEach), fmt(r.gates / 1000, 1),
                   fmt(r.mm2, 3)])
            lastCategory = r.category
            lastModule = r.module
        }
        out += t.render() + "\n"
        var s = TextTable(["block", "logic kGE", "SRAM kGE", "regfile kGE", "total kGE", "logic mm^2", "memory mm^2",
                           "mm^2", "share"], rightAligned: [1, 2, 3, 4, 5, 6, 7, 8])
        var missing: [String] = []
        for c in categories {
            guard c.present else {
                s.add([c.category, "-", "-", "-", "-", "-", "-", "-", "-"])
                missing.append(c.category)
                continue
            }
            s.add(Self.totalsCells(c.category, c.totals, of: total))
        }
        s.add(Self.totalsCells("total", total, of: total))
        out += s.render()
        if !missing.isEmpty { out += "(\(missing.joined(separator: ", ")): not in the generated RTL yet)\n" }
        return out
    }

    static func totalsCells(_ name: String, _ t: AreaTotals, of all: AreaTotals) -> [String] {
        [name, fmt(t.logicGates / 1000, 1), fmt(t.sramGates / 1000, 1), fmt(t.regfileGates / 1000, 1),
         fmt(t.gates / 1000, 1), fmt(t.logicMM2, 3), fmt(t.memoryMM2, 3), fmt(t.mm2, 3),
         all.mm2 > 0 ? fmt(100 * t.mm2 / all.mm2, 1) + "%" : "-"]
    }
}

extension Array where Element == AreaSweepPoint {
    /// The sweep in `format`; `keys` orders the settings columns.
    public func rendered(_ format: AreaFormat, keys: [String]) -> String {
        switch format {
        case .json:
            return jsonText(["sweep": self])
        case .csv:
            return AreaCSV.header(sweepKeys: keys)
                + flatMap { p in AreaCSV.lines(p.report, settings: keys.map { p.settings[$0] ?? "" }) }.joined()
        case .table:
            var out = ""
            for p in self { out += "== \(p.label(keys: keys))\n" + p.report.table() + "\n" }
            var t = TextTable(keys + ["PEs", "logic kGE", "memory kGE", "total kGE", "logic mm^2", "memory mm^2", "mm^2"],
                              rightAligned: Set(keys.count..<(keys.count + 7)))
            for p in self {
                let r = p.report
                let pes = r.rows.first { $0.module == "eyeriss_pe" }?.instances ?? 0
                t.add(keys.map { p.settings[$0] ?? "" } + ["\(pes)", fmt(r.total.logicGates / 1000, 1),
                      fmt(r.total.memoryGates / 1000, 1), fmt(r.total.gates / 1000, 1), fmt(r.total.logicMM2, 3),
                      fmt(r.total.memoryMM2, 3), fmt(r.total.mm2, 3)])
            }
            out += "== sweep summary\n" + t.render()
            return out
        }
    }
}

/// CSV: a header, a row per module part, and a `total` row per report.
enum AreaCSV {
    static let columns = ["category", "module", "part", "kind", "instances", "copies", "detail", "cells_each",
                          "flops_each", "gates_each", "gates", "mm2"]

    static func header(sweepKeys: [String]) -> String { (sweepKeys + columns).map(field).joined(separator: ",") + "\n" }

    static func lines(_ r: AreaReport, settings: [String]) -> [String] {
        var lines = r.rows.map { row in
            (settings + [row.category, row.module, row.part, row.kind, "\(row.instances)", "\(row.copies)", row.detail,
                         "\(row.cellsEach)", "\(row.flopsEach)", fmt(row.gatesEach, 2), fmt(row.gates, 2),
                         fmt(row.mm2, 6)]).map(field).joined(separator: ",") + "\n"
        }
        lines.append((settings + ["total", r.top, "", "total", "1", "1", "", "", "", fmt(r.total.gates, 2),
                                  fmt(r.total.gates, 2), fmt(r.total.mm2, 6)]).map(field).joined(separator: ",") + "\n")
        return lines
    }

    /// RFC 4180 quoting where needed.
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Pretty JSON with sorted keys, so output diffs cleanly.
func jsonText<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self) + "\n"
}

func fmt(_ x: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", x) }

/// `12345.6` as `12,346`.
func grouped(_ x: Double) -> String {
    let digits = String(Int(x.rounded()))
    var out = ""
    for (i, c) in digits.reversed().enumerated() {
        if i > 0, i % 3 == 0, c != "-" { out.append(",") }
        out.append(c)
    }
    return String(out.reversed())
}

/// Columns padded to their widest cell.
struct TextTable {
    let header: [String]
    let rightAligned: Set<Int>
    var rows: [[String]] = []

    init(_ header: [String], rightAligned: Set<Int>) {
        self.header = header
        self.rightAligned = rightAligned
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                return rightAligned.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        return line(header) + line(widths.map { String(repeating: "-", count: $0) }) + rows.map(line).joined()
    }
}
