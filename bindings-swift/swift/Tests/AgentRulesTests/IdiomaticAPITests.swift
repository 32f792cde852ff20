// The API as a Swift app uses it: thrown AgentRulesError values to catch, the decoders and
// validators as reusable (Sendable) objects, Data for bodies and image heads. Runs on Linux
// (bindings-swift/scripts/test-swift) and on macOS after build-xcframework.sh.
import Foundation
import XCTest
import AgentRules

final class IdiomaticAPITests: XCTestCase {
    /// The repository's root: this file is bindings-swift/<package>/Tests/AgentRulesTests/ in either package.
    private let root = (0..<5).reduce(URL(fileURLWithPath: #filePath)) { url, _ in url.deletingLastPathComponent() }

    func testCodesMatchTheCoreList() throws {
        let data = try Data(contentsOf: root.appendingPathComponent("schemas/codes.json"))
        let listed = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        XCTAssertEqual(codes().map { codeName(code: $0.code) }, listed.map { $0["code"] as? String })
        XCTAssertEqual(codes().map(\.template), listed.map { $0["template"] as? String })
        let params = listed.map { ($0["params"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")" } }
        XCTAssertEqual(codes().map { $0.params.map(\.name) }, params)
    }

    func testErrorsAreThrownAndCaughtByType() {
        do {
            _ = try validateLaunch(inputJson: "{}", contextJson: #"{"limits": {"maxImages": 9}}"#)
            XCTFail("an invalid context must throw")
        } catch let error as AgentRulesError {
            XCTAssertEqual(error.kind(), .invalidContext)
            XCTAssertEqual(error.violations().map(\.path), ["/limits/maxImages"])
            XCTAssertTrue("\(error)".hasPrefix("invalid context: /limits/maxImages: "), "\(error)")
            XCTAssertEqual(error.message(), "\(error)")
        } catch {
            XCTFail("not an AgentRulesError: \(error)")
        }
        XCTAssertThrowsError(try check(kind: "lunch", inputJson: "{}", contextJson: nil)) { error in
            XCTAssertEqual((error as? AgentRulesError)?.kind(), .unknownKind)
        }
        XCTAssertThrowsError(try parseErrorEnvelope(body: "[]")) { error in
            XCTAssertEqual((error as? AgentRulesError)?.kind(), .invalidEnvelope)
        }
        // Input that is not JSON is a violation, not an error.
        XCTAssertEqual(try check(kind: "followup", inputJson: "{", contextJson: nil).violations.map(\.code), [.invalidJson])
    }

    func testLifecycleStateMachine() throws {
        XCTAssertEqual(parseStatus(text: "awaiting_tool"), .awaitingTool)
        XCTAssertEqual(parseStatus(text: "archived"), .unknown(value: "archived"))
        XCTAssertTrue(isTerminal(status: .finished))
        XCTAssertFalse(isTerminal(status: .unknown(value: "archived")))
        XCTAssertTrue(canTransition(from: .waiting, to: .running, viaFollowUp: false))
        XCTAssertFalse(canTransition(from: .finished, to: .running, viaFollowUp: false))
        XCTAssertTrue(canTransition(from: .finished, to: .running, viaFollowUp: true))
        XCTAssertEqual(try applyAction(status: .running, action: .stop), .requested(status: .running))
        XCTAssertThrowsError(try applyAction(status: .running, action: .followUp)) { error in
            XCTAssertEqual((error as? AgentRulesError)?.kind(), .invalidState)
        }
    }

    func testSseDecoderTakesALineLimitFromTheCore() throws {
        let decoder = try SseDecoder(maxLineBytes: 16)
        XCTAssertThrowsError(try decoder.push(chunk: Data("data: 0123456789abcdef".utf8))) { error in
            XCTAssertEqual((error as? AgentRulesError)?.kind(), .invalidStream)
        }
        XCTAssertThrowsError(try SseDecoder(maxLineBytes: 0)) { error in
            XCTAssertEqual((error as? AgentRulesError)?.kind(), .invalidArguments)
        }
    }

    func testSseDecoderKeepsItsStateAcrossChunks() throws {
        let decoder = try SseDecoder()
        // One event split inside a field name, inside a multi-byte character and between CR and LF.
        let text = Data("id: 7\r\nevent: status\r\ndata: caf\u{e9}\r\ndata: ok\r\n\r\nretry: 1500\n".utf8)
        var items: [SseItem] = []
        for range in [0..<1, 1..<6, 6..<32, 32..<text.count] {
            items += try decoder.push(chunk: text.subdata(in: range))
        }
        decoder.finish()
        XCTAssertEqual(items, [.event(SseEvent(event: "status", data: "caf\u{e9}\nok", id: "7")), .retry(retry: 1500)])
        XCTAssertEqual(decoder.lastEventId(), "7")
        XCTAssertEqual(decoder.retry(), 1500)
    }

    func testPolicyAndTableObjectsAreReusable() throws {
        let matrix = try PolicyMatrix(matrixJson: #"{"tools": {"send_email": {"maxCalls": 1, "approval": "admin", "offline": "queue", "roles": ["member", "admin"]}}}"#)
        XCTAssertEqual(matrix.decide(tool: "send_email", role: "member", callsMade: 0, online: true), .needsApproval(tier: .admin))
        XCTAssertEqual(matrix.decide(tool: "x", role: "member", callsMade: 0, online: true), .deny(reason: .unknownTool))
        XCTAssertThrowsError(try PolicyMatrix(matrixJson: #"{"tools": {"t": {}}}"#)) { error in
            XCTAssertEqual((error as? AgentRulesError)?.kind(), .invalidMatrix)
            XCTAssertEqual((error as? AgentRulesError)?.violations().count, 4)
        }
        let table = try TableValidator(schemaJson: #"{"type": "object", "required": ["issue"], "properties": {"issue": {"type": "string"}}}"#)
        let rows = (0..<1000).map { #"{"key": "r\#($0)", "value": {"issue": "issue \#($0)"}}"# }.joined(separator: ",")
        XCTAssertTrue(try table.validateElements(elementsJson: "[\(rows)]").ok)
        let bad = try table.validateElements(elementsJson: #"[{"key": "a", "value": {"issue": 1}}, {"key": "a", "value": {}}]"#)
        XCTAssertEqual(bad.violations.map { "\($0.path) \(codeName(code: $0.code))" },
                       ["/elements/0/value/issue schema_type", "/elements/1/key duplicate_key", "/elements/1/value schema_required"])
    }

    /// The objects are Sendable: one validator shared by concurrent tasks (a compile error in the
    /// Swift 6 language mode if they were not).
    func testObjectsCrossConcurrencyDomains() async throws {
        let table = try TableValidator(schemaJson: #"{"type": "object", "required": ["issue"]}"#)
        let oks = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<8 {
                group.addTask { (try? table.validateElements(elementsJson: #"[{"key": "k\#(i)", "value": {"issue": "x"}}]"#).ok) ?? false }
            }
            return await group.reduce(into: 0) { n, ok in n += ok ? 1 : 0 }
        }
        XCTAssertEqual(oks, 8)
    }

    func testWebhookBodiesAreData() {
        let headers = [HttpHeader(name: "X-Hub-Signature-256", value: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
        let secret = Data("It's a Secret to Everybody".utf8)
        // A slice of a larger buffer (startIndex 1), as a body read from a socket often is.
        let framed = Data("\u{0}Hello, World!\u{0}".utf8)
        let body = framed.dropFirst().dropLast()
        XCTAssertEqual(body.startIndex, 1)
        XCTAssertTrue(verifyWebhook(provider: .github, headers: headers, body: body, secret: secret, nowUnixSeconds: 0).verified)
        let empty = verifyWebhook(provider: .github, headers: headers, body: body, secret: Data(), nowUnixSeconds: 0)
        XCTAssertEqual(empty.reason, .emptySecret)
        XCTAssertFalse(empty.message.isEmpty)
    }

    func testImageHeadIsData() throws {
        let png = Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        XCTAssertTrue(try checkImage(mediaType: "image/png", head: png, byteLength: 1024, contextJson: nil).ok)
        let big = try checkImage(mediaType: "image/jpeg", head: png, byteLength: 20 * 1024 * 1024 + 1, contextJson: nil)
        XCTAssertEqual(big.violations.map(\.code), [.imageTooLarge, .mediaTypeMismatch])
    }

    func testHttpHelpers() throws {
        XCTAssertEqual(try parseErrorEnvelope(body: #"{"error": "slow down", "code": "rate_limited"}"#),
                       ErrorEnvelope(code: "rate_limited", error: "slow down", status: 429, known: true))
        XCTAssertEqual(retryAfterMs(value: "120", nowUnixSeconds: 0), 120_000)
        XCTAssertNil(retryAfterMs(value: "soon", nowUnixSeconds: 0))
        XCTAssertEqual(try renderListQuery(queryJson: #"{"status": "running", "limit": 5}"#, contextJson: nil), "limit=5&status=running")
    }
}
