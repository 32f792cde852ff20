// The entry points schemas/api.json added to Swift/Kotlin: kinds(), the Poller (S6),
// errorEnvelope (E1) and assertValidLaunch, each answering what the npm and Python packages answer.
package agentrules.test

import java.io.File
import uniffi.agentrules.Code
import uniffi.agentrules.RefusalKind
import uniffi.agentrules_uniffi.*

fun additions(root: File) {
    // kinds(): what check accepts; every one of them is accepted, a misspelt one is refused.
    val kinds = kinds()
    expect("kinds() has the launch and follow-up kinds", "launch" in kinds && "followup" in kinds) { "$kinds" }
    expect("every kind is checkable", kinds.all { runCatching { check(it, "{}", null) }.isSuccess }) { "$kinds" }
    expect("kinds() has no repeats", kinds.toSet().size == kinds.size)

    // The Poller: the same schedule as the JS and Python pollers (5 s, doubling while the status
    // holds, done at a terminal status), and the follow-up window of S3.
    val p = Poller()
    val steps = listOf(p.observe(AgentStatus.Running), p.observe(AgentStatus.Running), p.observe(AgentStatus.Finished))
    expect("poller backs off, then is done", steps == listOf(PollStep.Wait(5000uL), PollStep.Wait(10000uL), PollStep.Done(AgentStatus.Finished))) { "$steps" }
    val afterFollowUp = Poller(AgentStatus.Finished)
    expect("the prior terminal status right after a follow-up means wait", afterFollowUp.observe(AgentStatus.Finished, 1000uL) == PollStep.Wait(5000uL))
    expect("after the window it is the outcome", afterFollowUp.observe(AgentStatus.Finished, 60_000uL) == PollStep.Done(AgentStatus.Finished))
    expect("an unknown status is polled, not done", Poller().observe(AgentStatus.Unknown("archived")) == PollStep.Wait(5000uL))
    // The same steps as the core's poll op, on the corpus's own input.
    val op = Json.parse(evaluate("poll", """{"observations": [{"status": "running"}, {"status": "running"}, {"status": "finished"}]}""")) as List<*>
    val opSteps = op.map { (it as Map<*, *>).let { s -> if (s["step"] == "wait") PollStep.Wait((s["after_ms"] as JNumber).text.toULong()) else PollStep.Done(parseStatus(s["status"] as String)) } }
    expect("Poller answers what the poll op answers", opSteps == steps) { "$opSteps" }

    // errorEnvelope: a report's 400 response, the body reading back as an envelope.
    val report = validateLaunch("""{"prompt": {"text": " "}, "fileIds": ["nope"]}""", null)
    val r = errorEnvelope(report)
    expect("a report renders to a 400 bad_request", r != null && r.status.toInt() == 400 && r.code == "bad_request") { "$r" }
    expect("the body is the envelope", r != null && parseErrorEnvelope(r.bodyJson) == ErrorEnvelope("bad_request", r.error, 400u.toUShort(), true)) { "$r" }
    expect("the error text names each violation", r?.error?.startsWith("/prompt/text: ") == true && r.error.contains("; /fileIds/0: ")) { "$r" }
    expect("a clean report has no envelope", errorEnvelope(validateLaunch("""{"prompt": {"text": "go"}}""", null)) == null)
    val op2 = Json.parse(evaluate("error_envelope", Json.write(mapOf("violations" to report.violations.map { mapOf("path" to it.path, "code" to codeName(it.code), "message" to it.message) })))) as Map<*, *>
    expect("errorEnvelope answers what the error_envelope op answers", Json.write(op2["body"]) == r?.bodyJson) { "${Json.write(op2)} vs $r" }
    expect("the report's codes are kept apart from the envelope's", report.violations.map { it.code } == listOf(Code.EMPTY_TEXT, Code.INVALID_UUID))

    // assertValidLaunch: nothing for a valid body; bad_request with the report's violations
    // otherwise, as the npm package's; the context is read first.
    expect("a valid launch passes the assertion", throws<AgentRulesException> { assertValidLaunch("""{"prompt": {"text": "go"}}""", null) } == null)
    val bad = throws<AgentRulesException> { assertValidLaunch("""{"prompt": {"text": " "}, "fileIds": ["nope"]}""", null) }
    expect("an invalid launch throws bad_request", bad?.kind() == RefusalKind.BAD_REQUEST) { "$bad" }
    expect("with the report's violations", bad?.violations() == report.violations) { "${bad?.violations()}" }
    val badCtx = throws<AgentRulesException> { assertValidLaunch("{}", """{"limits": {"maxImages": 9}}""") }
    expect("an invalid context is invalid_context", badCtx?.kind() == RefusalKind.INVALID_CONTEXT) { "$badCtx" }
}
