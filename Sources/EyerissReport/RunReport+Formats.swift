import Foundation

/// Output formats of `eyeriss report`.
public enum ReportFormat: String, CaseIterable, Sendable {
    case table, json, csv, svg
}

extension RunReport {
    public func render(_ format: ReportFormat) throws -> String {
        switch format {
        case .table: return table()
        case .json: return try json()
        case .csv: return csv()
        case .svg: return svg()
        }
    }

    // ------------------------------------------------------------------ terminal table

    /// A terminal table: a row per layer (cycles, utilization, MACs, DRAM traffic, energy and
    /// its split by level, model agreement), a total row, then the energy by level and data type.
    public func table() -> String {
        let header = ["layer", "cycles", "PE busy", "DRAM stall", "util", "MACs done", "gated", "spad acc", "NoC words",
                      "GLB words", "DRAM kB", "energy", "mac", "spad", "noc", "glb", "dram", "model"]
        var rows: [[String]] = []
        func row(_ name: String, _ c: AccessCounts, _ util: Double, _ e: EnergyBreakdown, _ model: String) -> [String] {
            let total = max(e.total, .leastNonzeroMagnitude)
            return [name, grouped(c.cycles.total), percent(Double(c.cycles.peBusy) / Double(max(1, c.cycles.total))),
                    percent(Double(c.cycles.dramStall) / Double(max(1, c.cycles.total))), percent(util),
                    grouped(c.macs.done), grouped(c.macs.gated), grouped(c.spad.total),
                    grouped(c.noc.ginFilter + c.noc.ginIfmap + c.noc.ginPsum + c.noc.gon + c.noc.localPsum),
                    grouped(c.glb.total), fixed(Double(c.dram.bytesRead + c.dram.bytesWritten) / 1000, 1),
                    scientific(e.total)] + e.levels.map { percent($0.1 / total) } + [model]
        }
        for l in layers {
            let model = (l.agreement.exact ? "exact" : "\(l.agreement.mismatches.count) differ")
                + ", cycles \(signedPercent(l.agreement.cycleError))"
            rows.append(row(l.name + (l.passed ? "" : " FAIL"), l.measured, l.utilization, l.energy, model))
        }
        let peCount = Double(configuration.rows * configuration.columns)
        let util = Double(totals.measured.macs.slots) / (Double(max(1, totals.cycles)) * peCount)
        let allExact = layers.allSatisfy(\.agreement.exact)
        rows.append(row("total", totals.measured, util, totals.energy, allExact ? "exact" : "differs"))
        var out = "\(command) on \(configuration.rows) x \(configuration.columns) PEs; energy in \(energyTable.unit) "
            + "(per access: mac \(trim(energyTable.mac)), spad \(trim(energyTable.spad)), noc \(trim(energyTable.noc)), "
            + "glb \(trim(energyTable.glb)), dram \(trim(energyTable.dram))); "
            + "shares of cycles and of energy in %\n"
        out += align([header] + rows, leftColumns: 1)
        out += "\nenergy by level and data type (\(energyTable.unit)):\n"
        let e = totals.energy
        var grid: [[String]] = [["level", "filter", "ifmap", "psum", "program", "total", "share"]]
        for (name, v) in [("mac", e.mac), ("spad", e.spad), ("noc", e.noc), ("glb", e.glb), ("dram", e.dram), ("all", e.byType)] {
            grid.append([name, scientific(v.filter), scientific(v.ifmap), scientific(v.psum), scientific(v.program),
                         scientific(v.total), percent(v.total / max(e.total, .leastNonzeroMagnitude))])
        }
        out += align(grid, leftColumns: 1)
        for l in layers where !l.agreement.exact {
            out += "\n\(l.name): model and RTL differ: "
                + l.agreement.mismatches.map { "\($0.field) measured \($0.measured), predicted \($0.predicted)" }.joined(separator: "; ")
        }
        return out + "\n"
    }

    // ------------------------------------------------------------------ CSV

    /// One row per layer: identification, every measured count (`AccessCounts.fields`), energy
    /// per level and in total, model agreement.
    public func csv() -> String {
        let countNames = totals.measured.fields.map(\.0)
        var header = ["layer", "n", "c", "h", "w", "m", "r", "s", "stride", "pad", "groups", "ifmapRLC", "ofmapRLC", "relu",
                      "ifmapCodeRows", "ofmapCodeByRowChunk", "rowPool", "passes", "passed", "utilization"]
        header += countNames
        header += ["energy.mac", "energy.spad", "energy.noc", "energy.glb", "energy.dram", "energy.total", "energy.unit",
                   "model.exact", "model.cycleError"]
        var lines = [header.joined(separator: ",")]
        for l in layers {
            let s = l.shape
            var f: [String] = [csvField(l.name)] + [s.n, s.c, s.h, s.w, s.m, s.r, s.s, s.stride, s.padding, s.groups].map(String.init)
            f += [l.io.ifmapRLC, l.io.ofmapRLC, l.io.relu].map { String($0) }
            f += [String(l.io.ifmapCodeRows), String(l.io.ofmapCodeByRowChunk), String(l.io.rowPool?.size ?? 0)]
            f += [String(l.passes), String(l.passed), fixed(l.utilization, 4)]
            f += l.measured.fields.map { String($0.1) }
            f += l.energy.levels.map { String(format: "%.6g", $0.1) }
            f += [String(format: "%.6g", l.energy.total), csvField(l.energy.unit), String(l.agreement.exact),
                  fixed(l.agreement.cycleError, 4)]
            lines.append(f.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // ------------------------------------------------------------------ SVG

    /// A picture: per layer, cycles split into PE busy, DRAM stall and the rest; utilization;
    /// and energy stacked by level. Plain SVG 1.1, no script, no external fonts.
    public func svg() -> String {
        let levelColors = [("mac", "#4e79a7"), ("spad", "#59a14f"), ("noc", "#f28e2b"), ("glb", "#e15759"), ("dram", "#76b7b2")]
        let cycleColors = [("PE busy", "#4e79a7"), ("DRAM stall", "#e15759"), ("other", "#bab0ac")]
        let n = max(layers.count, 1)
        let barW = 44.0, gap = 70.0, left = 90.0, plotH = 180.0
        let width = max(780, left + Double(n) * (barW + gap) + 170)
        let panelH = plotH + 70
        let height = 60 + 3 * panelH
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="22" font-size="15" font-weight="bold">\(xml(command)) on \(configuration.rows) x \(configuration.columns) PEs: cycles, utilization and energy per layer</text>
        <text x="\(left)" y="40" fill="#555">energy in \(xml(energyTable.unit)) per access: mac \(trim(energyTable.mac)), spad \(trim(energyTable.spad)), noc \(trim(energyTable.noc)), glb \(trim(energyTable.glb)), dram \(trim(energyTable.dram)); counts measured by the RTL</text>

        """
        func panel(_ index: Int, title: String, maxValue: Double, format: (Double) -> String,
                   segments: (LayerReport) -> [Double], colors: [(String, String)]) {
            let top = 60 + Double(index) * panelH + 20
            let base = top + plotH
            s += "<text x=\"\(left)\" y=\"\(top - 6)\" font-size=\"13\" font-weight=\"bold\">\(xml(title))</text>\n"
            for k in 0...4 {
                let v = maxValue * Double(k) / 4, y = base - plotH * Double(k) / 4
                s += "<text x=\"\(left - 8)\" y=\"\(fixed(y + 4, 1))\" text-anchor=\"end\" fill=\"#555\">\(xml(format(v)))</text>\n"
                s += "<line x1=\"\(left - 4)\" y1=\"\(fixed(y, 1))\" x2=\"\(left + Double(n) * (barW + gap))\" y2=\"\(fixed(y, 1))\" stroke=\"#eee\"/>\n"
            }
            s += "<line x1=\"\(left - 4)\" y1=\"\(base)\" x2=\"\(left + Double(n) * (barW + gap))\" y2=\"\(base)\" stroke=\"#333\"/>\n"
            for (i, l) in layers.enumerated() {
                let x = left + gap / 2 + Double(i) * (barW + gap)
                var y = base
                for (value, color) in zip(segments(l), colors) where value > 0 {
                    let h = maxValue > 0 ? plotH * value / maxValue : 0
                    y -= h
                    s += "<rect x=\"\(fixed(x, 1))\" y=\"\(fixed(y, 1))\" width=\"\(barW)\" height=\"\(fixed(h, 1))\" fill=\"\(color.1)\"><title>\(xml(l.name)) \(xml(color.0)): \(xml(format(value)))</title></rect>\n"
                }
                s += "<text x=\"\(fixed(x + barW / 2, 1))\" y=\"\(fixed(base + 14, 1))\" text-anchor=\"middle\">\(xml(l.name))</text>\n"
            }
            if colors.count > 1 {
                for (k, c) in colors.enumerated() {
                    let ly = top + 14 * Double(k)
                    let lx = left + Double(n) * (barW + gap) + 20
                    s += "<rect x=\"\(lx)\" y=\"\(fixed(ly, 1))\" width=\"10\" height=\"10\" fill=\"\(c.1)\"/>"
                    s += "<text x=\"\(lx + 14)\" y=\"\(fixed(ly + 9, 1))\">\(xml(c.0))</text>\n"
                }
            }
        }
        let maxCycles = Double(layers.map(\.measured.cycles.total).max() ?? 1)
        panel(0, title: "cycles", maxValue: maxCycles, format: { scientific($0) }, segments: { l in
            let c = l.measured.cycles
            return [Double(c.peBusy), Double(c.dramStall), Double(c.total) - Double(c.peBusy) - Double(c.dramStall)]
        }, colors: cycleColors)
        panel(1, title: "utilization: MAC slots per PE per cycle", maxValue: 1, format: { percent($0) },
              segments: { [$0.utilization] }, colors: [("utilization", "#59a14f")])
        let maxEnergy = layers.map(\.energy.total).max() ?? 1
        panel(2, title: "energy by level (\(energyTable.unit))", maxValue: maxEnergy, format: { scientific($0) },
              segments: { l in l.energy.levels.map(\.1) }, colors: levelColors)
        return s + "</svg>\n"
    }
}

// ------------------------------------------------------------------ number formats

func grouped(_ v: UInt64) -> String {
    let digits = Array(String(v))
    var out = ""
    for (i, d) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(d)
    }
    return out
}

func fixed(_ v: Double, _ places: Int) -> String { String(format: "%.\(places)f", v) }
func percent(_ v: Double) -> String { String(format: "%.1f%%", 100 * v) }
func signedPercent(_ v: Double) -> String { String(format: "%+.1f%%", 100 * v) }
func scientific(_ v: Double) -> String { v == 0 ? "0" : String(format: "%.3g", v) }
func trim(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }

func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}

func xml(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// Columns padded to their widest cell: the first `leftColumns` left-aligned, the rest right.
func align(_ rows: [[String]], leftColumns: Int) -> String {
    let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { c, cell in
            let pad = String(repeating: " ", count: widths[c] - cell.count)
            return c < leftColumns ? cell + pad : pad + cell
        }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }.joined(separator: "\n") + "\n"
}
