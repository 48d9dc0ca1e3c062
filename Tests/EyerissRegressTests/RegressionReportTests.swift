import EyerissConfig
import EyerissCosim
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// The summary, the JUnit XML and the JSON report.
final class RegressionReportTests: XCTestCase {
    func sampleReport() throws -> RegressionReport {
        let cases = try RegressionRunnerTests.fakeCases(3)
        func result(_ c: RegressionCase, _ outcome: CaseOutcome, _ message: String) -> CaseResult {
            CaseResult(regressionCase: c, command: ["/x/eyeriss", "cosim"] + c.cosimArguments,
                       commandLine: shellLine(["/x/eyeriss", "cosim"] + c.cosimArguments), outcome: outcome,
                       message: message, seconds: 1.5, timeoutSeconds: 60, exitStatus: outcome == .timeout ? nil : 1)
        }
        return RegressionReport(suite: "quick", seed: 9, shard: try Shard(index: 2, count: 3), jobs: 2, seconds: 12.25, cases: [
            result(cases[0], .passed, ""),
            result(cases[1], .mismatch, "2 of 16 outputs differ from the golden model:\n  tiny image 0 filter 0 row 0 column 1: expected <3>, got \"-4\" & 'x'\u{1}"),
            result(cases[2], .timeout, "timed out after 60 s: killed it and every process it started"),
        ])
    }

    func testTheCountLineIsAloneOnTheLastLine() throws {
        let summary = try sampleReport().summary()
        let lines = summary.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.last, "1 passed, 2 failed")
        XCTAssertNotNil(lines.last!.range(of: #"^[0-9]+ passed, [0-9]+ failed$"#, options: .regularExpression))
        XCTAssertEqual(summary.components(separatedBy: "re-run: /x/eyeriss cosim --set array.rows=3").count - 1, 2)
        XCTAssertTrue(lines[0].contains("quick, seed 9, shard 2/3: 3 cases"), String(lines[0]))
        let empty = RegressionReport(suite: "quick", seed: 1, shard: .all, jobs: 1, seconds: 0, cases: [])
        XCTAssertEqual(empty.summary().split(separator: "\n").last, "0 passed, 0 failed")
    }

    /// Counts what XMLParser sees.
    final class JUnitCounter: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        var attributes: [String: [String: String]] = [:]
        var failureText = ""
        var inFailure = false
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements[name, default: 0] += 1
            if self.attributes[name] == nil { self.attributes[name] = attributes }
            inFailure = name == "failure"
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "failure" { inFailure = false }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inFailure { failureText += string }
        }
    }

    func testTheJUnitReportParsesWithTheRightCounts() throws {
        let xml = try sampleReport().junitXML()
        let parser = XMLParser(data: Data(xml.utf8))
        let counter = JUnitCounter()
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "\(String(describing: parser.parserError))\n\(xml)")
        XCTAssertEqual(counter.elements["testsuite"], 1)
        XCTAssertEqual(counter.elements["testcase"], 3)
        XCTAssertEqual(counter.elements["failure"], 2)
        XCTAssertEqual(counter.attributes["testsuite"]?["tests"], "3")
        XCTAssertEqual(counter.attributes["testsuite"]?["failures"], "2")
        XCTAssertEqual(counter.attributes["testsuite"]?["name"], "eyeriss.regress.quick")
        XCTAssertEqual(counter.attributes["testcase"]?["classname"], "eyeriss.regress.quick.3x4")
        XCTAssertEqual(counter.attributes["failure"]?["type"], "mismatch")
        XCTAssertTrue(counter.failureText.contains("expected <3>, got \"-4\" & 'x'"), counter.failureText)
        XCTAssertTrue(counter.failureText.contains("re-run: /x/eyeriss cosim --set array.rows=3"), counter.failureText)
        XCTAssertTrue(counter.failureText.contains("timed out after 60 s"), counter.failureText)
    }

    func testTheJSONReportHasTheDocumentedFieldsAndRoundTrips() throws {
        let report = try sampleReport()
        let text = try report.json()
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["suite", "seed", "shard", "jobs", "seconds", "passed", "failed", "cases"])
        let first = try XCTUnwrap((object["cases"] as? [[String: Any]])?[1])
        XCTAssertTrue(Set(first.keys).isSuperset(of: ["case", "command", "commandLine", "outcome", "message", "seconds",
                                                      "timeoutSeconds"]), "\(first.keys)")
        let c = try XCTUnwrap(first["case"] as? [String: Any])
        XCTAssertTrue(Set(c.keys).isSuperset(of: ["index", "name", "configuration", "overrides", "configHash", "layer",
                                                  "sparsity", "shift", "seed", "hostileDRAM", "estimatedCycles"]), "\(c.keys)")
        let back = try JSONDecoder().decode(RegressionReport.self, from: Data(text.utf8))
        XCTAssertEqual(back.cases.map(\.outcome), [.passed, .mismatch, .timeout])
        XCTAssertEqual(back.shard, "2/3")
    }

    func testReportsAreWrittenWholeAndLeaveNoTemporaryFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eyeriss-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sub/report.xml").path
        let xml = try sampleReport().junitXML()
        try RegressionReport.write("old", to: path)
        try RegressionReport.write(xml, to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), xml)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sub").path), ["report.xml"])
    }

    func testXMLEscaping() {
        XCTAssertEqual(xmlEscaped("a<b>&\"c'\u{7}\tz"), "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}\tz")
    }
}
