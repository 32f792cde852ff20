// What a form does before it sends a launch: validate the body, show each violation at its
// field, send only when the report is ok. Prints one line per violation, then "ok" or the count;
// exits 1 when the launch body is invalid (the test script passes one that is, and one that is not).
import AgentRules
import Foundation

let body = CommandLine.arguments.dropFirst().first ?? #"{"prompt": {"text": "Summarise the release notes"}}"#
do {
    let report = try validateLaunch(inputJson: body, contextJson: nil)
    for v in report.violations {
        print("\(v.path): \(v.message) [\(codeName(code: v.code))]")
    }
    print(report.ok ? "ok: ready to send" : "\(report.violations.count) violations")
    exit(report.ok ? 0 : 1)
} catch let error as AgentRulesError {
    print("refused: \(error) (\(error.kind()))")
    exit(2)
} catch {
    print("unexpected error: \(error)")
    exit(3)
}
