// Run on macOS after build-xcframework.sh: `swift test` in bindings-swift/swift.
import XCTest
@testable import AgentRules

final class AgentRulesTests: XCTestCase {
    func testLaunchViolationsAtTheirPaths() throws {
        let report = try validateLaunch(inputJson: #"{"prompt": {"text": " "}, "fileIds": ["nope"]}"#, contextJson: nil)
        XCTAssertFalse(report.ok)
        XCTAssertEqual(report.violations.map { $0.path }, ["/prompt/text", "/fileIds/0"])
        XCTAssertEqual(report.violations.map { $0.code }, [.emptyText, .invalidUuid])
    }

    func testInvalidContextThrowsWithViolations() {
        XCTAssertThrowsError(try validateLaunch(inputJson: "{}", contextJson: #"{"limits": {"maxImages": 9}}"#)) { error in
            guard let e = error as? AgentRulesError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.kind(), .invalidContext)
            XCTAssertEqual(e.violations().first?.path, "/limits/maxImages")
        }
    }

    func testLifecycleAndObjects() throws {
        XCTAssertEqual(try applyAction(status: .waiting, action: .stop), .transition(status: .stopped))
        XCTAssertThrowsError(try applyAction(status: .running, action: .followUp))
        let matrix = try PolicyMatrix(matrixJson: #"{"tools": {"t": {"maxCalls": 1, "approval": "admin", "offline": "queue", "roles": ["a"]}}}"#)
        XCTAssertEqual(matrix.decide(tool: "t", role: "a", callsMade: 0, online: false), .queued)
        let table = try TableValidator(schemaJson: #"{"type": "object", "required": ["issue"]}"#)
        XCTAssertEqual(try table.validateElements(elementsJson: #"[{"key": "a", "value": {}}]"#).violations.first?.code, .schemaRequired)
    }
}
