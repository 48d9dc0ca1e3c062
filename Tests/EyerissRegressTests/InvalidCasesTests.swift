import EyerissConfig
import EyerissCosim
import XCTest

/// Every generated invalid configuration, layer or shift is rejected at its stage, and the
/// message names the field (with its value where the rule is about one value).
final class InvalidCasesTests: XCTestCase {
    func testEveryInvalidCaseIsRejectedNamingItsField() throws {
        let cases = try InvalidCases.generate(count: 4 * InvalidCases.kinds, seed: 0xBAD)
        XCTAssertEqual(Set(cases.map(\.stage)), Set(InvalidCase.Stage.allCases))
        XCTAssertGreaterThanOrEqual(Set(cases.map(\.field)).count, 25)
        for c in cases {
            XCTAssertTrue(c.expected.contains(c.field), "\(c)")
            XCTAssertNil(InvalidCase.rejection(overrides: c.baseOverrides, layer: c.baseLayer, shift: 12),
                         "\(c): the case it was broken from must be valid")
            guard let (stage, message) = InvalidCase.rejection(overrides: c.overrides, layer: c.layer, shift: c.shift) else {
                XCTFail("accepted: \(c)")
                continue
            }
            XCTAssertEqual(stage, c.stage, "\(c): \(message)")
            XCTAssertTrue(message.contains(c.expected), "\(c): the message does not say \(c.expected):\n\(message)")
        }
    }

    func testTheSameSeedGivesTheSameInvalidCases() throws {
        let a = try InvalidCases.generate(count: 40, seed: 3).map(\.description)
        XCTAssertEqual(a, try InvalidCases.generate(count: 40, seed: 3).map(\.description))
        XCTAssertNotEqual(a, try InvalidCases.generate(count: 40, seed: 4).map(\.description))
    }
}
