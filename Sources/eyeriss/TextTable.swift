/// Plain-text tables for the terminal: columns as wide as their widest cell, the first
/// left-aligned, the others right-aligned, two spaces apart.
enum TextTable {
    static func lines(_ header: [String], _ rows: [[String]]) -> [String] {
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, text in
                c == 0 ? text.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - text.count) + text
            }.joined(separator: "  ")
        }
        return [line(header)] + rows.map(line)
    }
}
