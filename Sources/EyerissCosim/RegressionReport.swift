import Foundation
import HDL

/// What a regression run did: which suite, seed and shard, and every case's result.
/// Rendered as a terminal summary, a JUnit XML report and a JSON report.
public struct RegressionReport: Codable, Sendable {
    public var suite: String
    public var seed: UInt64
    /// "I/N".
    public var shard: String
    public var jobs: Int
    /// Wall-clock seconds of the whole run.
    public var seconds: Double
    public var passed: Int
    public var failed: Int
    /// In case order.
    public var cases: [CaseResult]

    public init(suite: String, seed: UInt64, shard: Shard, jobs: Int, seconds: Double, cases: [CaseResult]) {
        self.suite = suite
        self.seed = seed
        self.shard = shard.description
        self.jobs = jobs
        self.seconds = seconds
        self.cases = cases
        passed = cases.filter(\.passed).count
        failed = cases.count - passed
    }

    /// "N passed, N failed": the last line of every run.
    public var countLine: String { "\(passed) passed, \(failed) failed" }

    /// The end of a run: what ran, every failure with its re-run command, the count line last.
    public func summary() -> String {
        var lines = ["regress \(suite), seed \(seed), shard \(shard): \(cases.count) case\(cases.count == 1 ? "" : "s") in \(String(format: "%.1f", seconds)) s, \(jobs) at a time"]
        for r in cases where !r.passed {
            lines.append("FAILED \(r.regressionCase.name) (\(r.outcome.rawValue)): " + r.message.replacingOccurrences(of: "\n", with: "\n  "))
            lines.append("  re-run: \(r.commandLine)")
        }
        lines.append(countLine)
        return lines.joined(separator: "\n")
    }

    /// One line as a case finishes, and for a failure its message and re-run command.
    public static func progressLine(_ r: CaseResult, finished: Int, total: Int) -> String {
        let width = String(total).count
        let count = String(repeating: " ", count: max(0, width - String(finished).count)) + "\(finished)/\(total)"
        let time = String(format: "%.1f s", r.seconds)
        if r.passed {
            return "[\(count)] PASS \(r.regressionCase.name) (\(time)\(r.result.map { ", \($0.cycles) cycles" } ?? ""))"
        }
        return "[\(count)] FAIL \(r.regressionCase.name) (\(time), \(r.outcome.rawValue)): "
            + r.message.replacingOccurrences(of: "\n", with: "\n    ") + "\n    re-run: \(r.commandLine)"
    }

    // MARK: - JUnit XML

    /// A JUnit XML report: one `testsuite` named `eyeriss.regress.<suite>`, one `testcase` per
    /// case (classname `eyeriss.regress.<suite>.<configuration>`), a `failure` with the
    /// message and the re-run command for each failed case, and the seed and shard as
    /// properties.
    public func junitXML() -> String {
        let suiteName = "eyeriss.regress.\(suite)"
        let time = String(format: "%.3f", seconds)
        var x = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        x.append("<testsuites name=\"eyeriss regress\" tests=\"\(cases.count)\" failures=\"\(failed)\" errors=\"0\" time=\"\(time)\">")
        x.append("  <testsuite name=\"\(xmlEscaped(suiteName))\" tests=\"\(cases.count)\" failures=\"\(failed)\" errors=\"0\" skipped=\"0\" time=\"\(time)\">")
        x.append("    <properties>")
        for (name, value) in [("suite", suite), ("seed", "\(seed)"), ("shard", shard), ("jobs", "\(jobs)")] {
            x.append("      <property name=\"\(name)\" value=\"\(xmlEscaped(value))\"/>")
        }
        x.append("    </properties>")
        for r in cases {
            let c = r.regressionCase
            let open = "    <testcase classname=\"\(xmlEscaped("\(suiteName).\(c.configuration)"))\" name=\"\(xmlEscaped(c.name))\" time=\"\(String(format: "%.3f", r.seconds))\""
            if r.passed {
                x.append(open + "/>")
                continue
            }
            let firstLine = r.message.split(separator: "\n").first.map(String.init) ?? r.outcome.rawValue
            x.append(open + ">")
            x.append("      <failure type=\"\(r.outcome.rawValue)\" message=\"\(xmlEscaped(firstLine))\">"
                     + xmlEscaped("\(r.message)\n\nre-run: \(r.commandLine)") + "</failure>")
            x.append("    </testcase>")
        }
        x.append("  </testsuite>")
        x.append("</testsuites>")
        return x.joined(separator: "\n") + "\n"
    }

    // MARK: - JSON

    /// The report as JSON (sorted keys): the fields of `RegressionReport`, each case a
    /// `CaseResult` with the case under "case".
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Writes `text` to `path` through a temporary file and a rename, so a reader never sees
    /// half a report; creates the folder if needed.
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeAtomically(text, to: url)
    }
}

/// `text` as XML character data or an attribute value: the five special characters escaped,
/// and characters XML 1.0 forbids (control characters other than tab, newline and return)
/// replaced by U+FFFD, so a crash's raw output cannot break the report.
public func xmlEscaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
        default:
            let v = scalar.value
            if v < 0x20 || v == 0xFFFE || v == 0xFFFF {
                out += "\u{FFFD}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}
