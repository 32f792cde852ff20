// The Swift conformance runner: every tests/conformance case (validation and op cases) through
// the Swift API, every SSE case through SseDecoder whole, byte by byte and at every split, the
// golden replay, every verify_webhook case through the typed verifyWebhook with Data bodies, every
// verify_google_webhook case through the typed verifyGoogleWebhook, and
// what a Rust panic does in Swift.
// Reads AGENTRULES_CONFORMANCE_DIR when set, like every runner. Prints "N passed, N failed".
// Usage: Conformance REPO_ROOT
import AgentRules
import Foundation

final class Tally {
    var passed = 0
    var failures: [String] = []

    func expect(_ name: String, _ ok: Bool, _ detail: @autoclosure () -> String = "") {
        if ok { passed += 1 } else { failures.append("\(name)\n   \(detail())") }
    }

    /// Runs one case; an error thrown by the API or by reading the case is that case's failure.
    func run(_ name: String, _ body: () throws -> Void) {
        do { try body() } catch { failures.append("\(name)\n   threw \(error)") }
    }
}

struct CaseError: Error, CustomStringConvertible {
    let description: String
}

/// Every case of every *.json file of DIR, in file-name order, with its label.
func cases(in dir: String) throws -> [(label: String, json: JSON)] {
    let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
    guard !names.isEmpty else { throw CaseError(description: "no *.json case files in \(dir)") }
    return try names.flatMap { name -> [(label: String, json: JSON)] in
        let text = try String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8)
        guard let list = try parseJSON(text).array else { throw CaseError(description: "\(name) is not an array of cases") }
        return list.map { c in
            (label: "\(name) [\(c["rule"]?.string ?? "?")] \(c["name"]?.string ?? "?")", json: c)
        }
    }
}

func require<T>(_ v: T?, _ what: String) throws -> T {
    guard let v else { throw CaseError(description: "case without \(what)") }
    return v
}

func hexBytes(_ hex: String) throws -> Data {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { throw CaseError(description: "odd hex length") }
    return Data(try stride(from: 0, to: digits.count, by: 2).map { i in
        try require(UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16), "hex digits")
    })
}

/// A body or chunk of a case: a string (UTF-8) or {"hex": …} / {"base64": …}.
func bytes(_ v: JSON) throws -> Data {
    if let s = v.string { return Data(s.utf8) }
    if let hex = v["hex"]?.string { return try hexBytes(hex) }
    if let b64 = v["base64"]?.string { return try require(Data(base64Encoded: b64), "valid base64") }
    throw CaseError(description: "bytes neither a string, hex nor base64: \(v.text)")
}

func validation(_ c: JSON, _ label: String, _ t: Tally) throws {
    let kind = try require(c["kind"]?.string, "kind")
    let input = try c["raw"].map { try require($0.string, "raw text") } ?? require(c["input"], "input").text
    let report = try check(kind: kind, inputJson: input, contextJson: c["context"]?.text)
    let want = Set(try require(c["expect"]?.array, "expect").map { v in
        "'\(try require(v["path"]?.string, "path"))' \(try require(v["code"]?.string, "code"))"
    })
    let got = Set(report.violations.map { "'\($0.path)' \(codeName(code: $0.code))" })
    t.expect(label, got == want && report.ok == want.isEmpty && report.violations.allSatisfy { !$0.message.isEmpty },
             "expected \(want.sorted()), got \(got.sorted())")
    // An expect entry with params is compared with the params of the violation at its path and
    // code (tests/conformance/README.md).
    for e in try require(c["expect"]?.array, "expect") {
        guard let params = e["params"] else { continue }
        let v = report.violations.first { $0.path == e["path"]?.string && codeName(code: $0.code) == e["code"]?.string }
        let got = v.map { paramsJSON($0.params) } ?? .null
        t.expect("\(label) params of \(e["code"]?.string ?? "?")", JSON.matches(params, got), "expected \(params.text), got \(got.text)")
    }
}

/// A violation's params as the corpus's JSON holds them.
func paramsJSON(_ params: [String: Param]) -> JSON {
    .object(params.map { key, p in
        let value: JSON
        switch p {
        case .integer(let n): value = .number(String(n))
        case .number(let x): value = .number(String(x))
        case .text(let s): value = .string(s)
        case .names(let l): value = .array(l.map { .string($0) })
        }
        return (key: key, value: value)
    })
}

func op(_ c: JSON, _ label: String, _ t: Tally) throws {
    let result = try parseJSON(evaluate(op: try require(c["op"]?.string, "op"), argsJson: try require(c["args"], "args").text))
    if let code = c["expect_code"] {
        let got = result["violation"]?["code"] ?? result["error"]?["violations"]?[0]?["code"] ?? result["error"]?["kind"]
        t.expect(label, got.map { JSON.matches(code, $0) } ?? false, "expected code \(code.text), got \(result.text)")
    } else if c["expect_error"]?.bool == true {
        t.expect(label, result.has("error"), result.text)
    } else {
        let want = try require(c["expect"], "expect")
        t.expect(label, JSON.matches(want, result), "expected \(want.text), got \(result.text)")
    }
}

func corpus(_ all: [(label: String, json: JSON)], _ t: Tally) {
    for (label, c) in all {
        t.run(label) { try c.has("kind") ? validation(c, label, t) : op(c, label, t) }
    }
    print("swift conformance: \(all.count) cases")
}

func decoded(_ pieces: [Data], maxLineBytes: UInt64? = nil) throws -> JSON {
    let d = try SseDecoder(maxLineBytes: maxLineBytes)
    var items: [JSON] = []
    for piece in pieces {
        let pushed: [SseItem]
        do {
            pushed = try d.push(chunk: piece)
        } catch let e as AgentRulesError {
            // The refusal as the op answers it: `{error: {kind, message, violations}}`.
            return .object([("error", .object([("kind", .string(refusalKindName(kind: e.kind()))),
                                               ("message", .string(e.message())), ("violations", .array([]))]))])
        }
        for item in pushed {
            switch item {
            case .event(let e):
                items.append(.object([("event", .string(e.event)), ("data", .string(e.data)), ("id", .string(e.id))]))
            case .retry(let ms):
                items.append(.object([("retry", .number(String(ms)))]))
            }
        }
    }
    d.finish()
    return .object([("items", .array(items)), ("lastEventId", .string(d.lastEventId())),
                    ("retry", d.retry().map { .number(String($0)) } ?? .null)])
}

func sse(_ all: [(label: String, json: JSON)], root: String, _ t: Tally) {
    var runs = 0
    for (label, c) in all where c["op"]?.string == "sse_decode" {
        guard let args = c["args"], !args.has("split") else { continue }  // split cases are op cases above
        t.run(label) {
            var whole = Data()
            for chunk in try require(args["chunks"]?.array, "chunks") { whole.append(try bytes(chunk)) }
            var splits: [[Data]] = [[whole], whole.map { Data([$0]) }]
            for i in 0...whole.count { splits.append([whole.prefix(i), whole.suffix(from: i)]) }
            let want = try require(c["expect"], "expect")
            let maxLine = args["maxLineBytes"].flatMap { $0.number }.flatMap { UInt64($0) }
            for pieces in splits {
                runs += 1
                let got = try decoded(pieces.map { Data($0) }, maxLineBytes: maxLine)
                t.expect("\(label) (\(pieces.count) pieces)", JSON.matches(want, got), "expected \(want.text), got \(got.text)")
            }
        }
    }
    print("swift sse: \(runs) decodes")
    t.run("golden replay") {
        let log = try String(contentsOfFile: "\(root)/tests/golden/run-log.json", encoding: .utf8)
        let state = try String(contentsOfFile: "\(root)/tests/golden/run-state.json", encoding: .utf8)
        t.expect("replay is byte-identical", try replayJson(logJson: log) == state)
    }
}

func provider(_ name: String) throws -> WebhookProvider {
    switch name {
    case "github": return .github
    case "slack": return .slack
    case "whatsapp": return .whatsapp
    default: throw CaseError(description: "a provider the Swift enum does not have: \(name)")
    }
}

/// `signatureMismatch` -> `signature_mismatch`, the corpus's spelling of a RejectReason.
func snakeCase(_ name: String) -> String {
    name.reduce(into: "") { out, ch in out += ch.isUppercase ? "_" + ch.lowercased() : String(ch) }
}

func webhooks(_ all: [(label: String, json: JSON)], _ t: Tally) {
    var count = 0
    for (label, c) in all where c["op"]?.string == "verify_webhook" {
        t.run("typed \(label)") {
            let a = try require(c["args"], "args")
            let h = try require(a["headers"], "headers")
            let headers = try h.members?.map { HttpHeader(name: $0.key, value: try require($0.value.string, "header value")) }
                ?? require(h.array, "headers").map { pair in
                    HttpHeader(name: try require(pair.array?.first?.string, "header name"), value: try require(pair.array?.last?.string, "header value"))
                }
            let now = try a["now"].map { try require(Int64(try require($0.number, "now")), "integer now") } ?? 0
            let v = verifyWebhook(provider: try provider(try require(a["provider"]?.string, "provider")), headers: headers,
                                  body: try bytes(try require(a["body"], "body")), secret: Data(try require(a["secret"]?.string, "secret").utf8),
                                  nowUnixSeconds: now)
            let want = try require(c["expect"], "expect")
            let got = JSON.object([("verified", .bool(v.verified)),
                                   ("reason", v.reason.map { .string(snakeCase(String(describing: $0))) } ?? .null),
                                   ("header", v.header.map { .string($0) } ?? .null)])
            let same = ["verified", "reason", "header"].allSatisfy { k in JSON.matches(want[k] ?? .null, got[k] ?? .null) }
            t.expect("typed \(label)", same, "expected \(want.text), got \(got.text) (\(v.message))")
            count += 1
        }
    }
    print("swift webhooks: \(count) typed verifications")
    t.expect("webhook cases ran", count >= 30, "\(count)")
    // W5: the keys as JSON text, the expectations typed.
    var google = 0
    for (label, c) in all where c["op"]?.string == "verify_google_webhook" {
        t.run("typed \(label)") {
            let a = try require(c["args"], "args")
            let h = try require(a["headers"], "headers")
            let headers = try h.members?.map { HttpHeader(name: $0.key, value: try require($0.value.string, "header value")) }
                ?? require(h.array, "headers").map { pair in
                    HttpHeader(name: try require(pair.array?.first?.string, "header name"), value: try require(pair.array?.last?.string, "header value"))
                }
            let keys: String? = a["keys"].map { $0.string ?? $0.text }
            let e = try require(a["expect"], "expect")
            let skew = try e["skewSeconds"].map { try require(UInt32(try require($0.number, "skewSeconds")), "integer skew") }
            let expect = GoogleExpectations(audience: e["audience"]?.string, email: e["email"]?.string,
                                            channelToken: e["channelToken"]?.string, skewSeconds: skew)
            let now = try a["now"].map { try require(Int64(try require($0.number, "now")), "integer now") } ?? 0
            let v = verifyGoogleWebhook(headers: headers, keysJson: keys, expect: expect, nowUnixSeconds: now)
            let want = try require(c["expect"], "expect")
            let got = JSON.object([("verified", .bool(v.verified)),
                                   ("reason", v.reason.map { .string(snakeCase(String(describing: $0))) } ?? .null),
                                   ("header", v.header.map { .string($0) } ?? .null)])
            let same = ["verified", "reason", "header"].allSatisfy { k in JSON.matches(want[k] ?? .null, got[k] ?? .null) }
            t.expect("typed \(label)", same, "expected \(want.text), got \(got.text) (\(v.message))")
            google += 1
        }
    }
    print("swift google webhooks: \(google) typed verifications")
    t.expect("google webhook cases ran", google >= 60, "\(google)")
}

/// A Rust panic under a non-throwing function (generated as `try! rustCall`) stops the process
/// with Swift's fatal error, carrying the panic's message: checked in a child process.
func panics(_ t: Tally) {
    t.run("a panic in a non-throwing call") {
        let child = Process()
        child.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--panic"]
        let stderr = Pipe()
        child.standardError = stderr
        child.standardOutput = FileHandle.nullDevice
        try child.run()
        let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        t.expect("a panic in a non-throwing call stops the process with its message",
                 child.terminationReason == .uncaughtSignal && text.contains("forced internal failure"),
                 "terminated \(child.terminationReason == .exit ? "by exit" : "by signal") \(child.terminationStatus); stderr: \(text.suffix(400))")
    }
}

@main
struct Conformance {
    static func main() {
        let args = CommandLine.arguments
        if args.count > 1, args[1] == "--panic" {
            internalPanicForTests()
            print("survived the panic")
            exit(0)
        }
        let root = args.count > 1 ? args[1] : FileManager.default.currentDirectoryPath
        let dir = ProcessInfo.processInfo.environment["AGENTRULES_CONFORMANCE_DIR"] ?? "\(root)/tests/conformance"
        let t = Tally()
        do {
            let all = try cases(in: dir)
            corpus(all, t)
            sse(all, root: root, t)
            webhooks(all, t)
        } catch {
            t.failures.append("reading the corpus in \(dir)\n   \(error)")
        }
        panics(t)
        for f in t.failures { print("FAIL \(f)") }
        print("\(t.passed) passed, \(t.failures.count) failed")
        exit(t.failures.isEmpty ? 0 : 1)
    }
}
