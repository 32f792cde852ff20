// The entry points the API manifest (schemas/api.json) added to Swift: kinds(), the Poller (S6),
// errorEnvelope (E1) and assertValidLaunch, answering what the npm and Python packages answer.
import Foundation
import XCTest
import AgentRules

final class AdditionsTests: XCTestCase {
    func testKindsAreWhatCheckAccepts() throws {
        let all = kinds()
        XCTAssertTrue(all.contains("launch") && all.contains("followup"), "\(all)")
        XCTAssertEqual(Set(all).count, all.count)
        for kind in all {
            XCTAssertNoThrow(try check(kind: kind, inputJson: "{}", contextJson: nil), kind)
        }
    }

    func testPollerBacksOffAndKeepsTheFollowUpWindow() {
        let poller = Poller()
        XCTAssertEqual(poller.observe(status: .running), .wait(afterMs: 5000))
        XCTAssertEqual(poller.observe(status: .running), .wait(afterMs: 10000))
        XCTAssertEqual(poller.observe(status: .finished), .done(status: .finished))
        let afterFollowUp = Poller(followUpFrom: .finished)
        XCTAssertEqual(afterFollowUp.observe(status: .finished, elapsedMs: 1000), .wait(afterMs: 5000))
        XCTAssertEqual(afterFollowUp.observe(status: .finished, elapsedMs: 60000), .done(status: .finished))
    }

    func testErrorEnvelopeRendersAReport() throws {
        let report = try validateLaunch(inputJson: #"{"prompt": {"text": " "}}"#, contextJson: nil)
        let response = try XCTUnwrap(errorEnvelope(report: report))
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.code, "bad_request")
        XCTAssertTrue(response.error.hasPrefix("/prompt/text: "), response.error)
        XCTAssertEqual(try parseErrorEnvelope(body: response.bodyJson),
                       ErrorEnvelope(code: "bad_request", error: response.error, status: 400, known: true))
        XCTAssertNil(errorEnvelope(report: try validateLaunch(inputJson: #"{"prompt": {"text": "go"}}"#, contextJson: nil)))
    }

    func testAssertValidLaunchThrowsBadRequestWithTheViolations() throws {
        XCTAssertNoThrow(try assertValidLaunch(inputJson: #"{"prompt": {"text": "go"}}"#, contextJson: nil))
        let body = #"{"prompt": {"text": " "}, "fileIds": ["nope"]}"#
        let report = try validateLaunch(inputJson: body, contextJson: nil)
        XCTAssertThrowsError(try assertValidLaunch(inputJson: body, contextJson: nil)) { error in
            guard let e = error as? AgentRulesError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.kind(), .badRequest)
            XCTAssertEqual(e.violations(), report.violations)
        }
    }
}
