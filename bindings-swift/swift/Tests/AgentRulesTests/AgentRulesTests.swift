// Run on macOS after build-xcframework.sh (`swift test` in bindings-swift/swift), and on Linux by
// bindings-swift/scripts/test-swift (the package bindings-swift/swift-linux).
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

    func testWebhookDocumentationVectors() {
        let gh = [HttpHeader(name: "X-Hub-Signature-256", value: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
        let secret = Data("It's a Secret to Everybody".utf8)
        XCTAssertTrue(verifyWebhook(provider: .github, headers: gh, body: Data("Hello, World!".utf8), secret: secret, nowUnixSeconds: 0).verified)
        let tampered = verifyWebhook(provider: .github, headers: gh, body: Data("Hello, World?".utf8), secret: secret, nowUnixSeconds: 0)
        XCTAssertEqual(tampered.reason, .signatureMismatch)
        let slack = [HttpHeader(name: "X-Slack-Request-Timestamp", value: "1531420618"),
                     HttpHeader(name: "X-Slack-Signature", value: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")]
        let body = Data("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c".utf8)
        let slackSecret = Data("8f742231b10e8888abcd99yyyzzz85a5".utf8)
        XCTAssertTrue(verifyWebhook(provider: .slack, headers: slack, body: body, secret: slackSecret, nowUnixSeconds: 1531420618).verified)
        XCTAssertEqual(verifyWebhook(provider: .slack, headers: slack, body: body, secret: slackSecret, nowUnixSeconds: 1531420919).reason, .staleTimestamp)
    }

    func testConnectorLifecycle() throws {
        let policy = defaultConnectorPolicy()
        var install = try parseInstall(json: #"{"id": "in_1", "connector": "slack", "status": "active", "updatedAt": 100}"#)
        for at: Int64 in [200, 300, 400] {
            install = try applyConnectorEvent(install: install, event: .health(ok: false, at: at, reason: "invalid_auth"), policy: policy)
        }
        XCTAssertEqual(install.status, .failed)
        XCTAssertEqual(connectorSummary(install: install).nextStep, .reauthorize)
        XCTAssertThrowsError(try applyConnectorEvent(install: install, event: .health(ok: true, at: 500, reason: nil), policy: policy))
    }
}
