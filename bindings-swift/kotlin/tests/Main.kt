// The uniffi library on the JVM: every tests/conformance case through the generated Kotlin
// bindings (the same FFI the Swift package uses), then the API: errors carrying violations,
// objects, enums, the code list against schemas/codes.json, the entry points the API manifest
// added (Additions.kt) and the manifest itself (Manifest.kt). Prints "N passed, N failed".
package agentrules.test

import java.io.File
import kotlin.system.exitProcess
import uniffi.agentrules.Code
import uniffi.agentrules.Param
import uniffi.agentrules.RefusalKind
import uniffi.agentrules.Decision
import uniffi.agentrules.SseItem
import uniffi.agentrules.Tier
import uniffi.agentrules.WebhookProvider
import uniffi.agentrules.RejectReason
import uniffi.agentrules.GoogleExpectations
import uniffi.agentrules.Install
import uniffi.agentrules.InstallEvent
import uniffi.agentrules.InstallStatus
import uniffi.agentrules.NextStep
import uniffi.agentrules_uniffi.*

var passed = 0
val failures = mutableListOf<String>()

fun expect(name: String, ok: Boolean, detail: () -> String = { "" }) {
    if (ok) passed++ else failures.add("$name\n   ${detail()}")
}

inline fun <reified E : Throwable> throws(block: () -> Unit): E? =
    try { block(); null } catch (e: Throwable) { if (e is E) e else throw e }

@Suppress("UNCHECKED_CAST")
fun corpus(dir: File) {
    val files = dir.listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }
    var cases = 0
    for (f in files) {
        for (raw in Json.parse(f.readText()) as List<Any?>) {
            val c = raw as Map<String, Any?>
            cases++
            val label = "${f.name} [${c["rule"]}] ${c["name"]}"
            try {
                if (c["kind"] is String) {
                    val input = if (c.containsKey("raw")) c["raw"] as String else Json.write(c["input"])
                    val context = if (c.containsKey("context")) Json.write(c["context"]) else null
                    val report = check(c["kind"] as String, input, context)
                    val want = (c["expect"] as List<Map<String, Any?>>).map { it["path"] to it["code"] }.toSet()
                    val got = report.violations.map { it.path to codeName(it.code) }.toSet()
                    expect(label, got == want && report.ok == want.isEmpty() && report.violations.all { it.message.isNotEmpty() }) {
                        "expected $want, got $got"
                    }
                    // An expect entry with params is compared with the params of the violation at
                    // its path and code (tests/conformance/README.md).
                    for (e in c["expect"] as List<Map<String, Any?>>) {
                        if (!e.containsKey("params")) continue
                        val v = report.violations.firstOrNull { it.path == e["path"] && codeName(it.code) == e["code"] }
                        val params = v?.params?.mapValues { paramJson(it.value) }
                        expect("$label params of ${e["code"]}", Json.matches(e["params"], params)) { "expected ${Json.write(e["params"])}, got $params" }
                    }
                } else {
                    val result = Json.parse(evaluate(c["op"] as String, Json.write(c["args"])))
                    when {
                        c.containsKey("expect_code") -> {
                            val r = result as? Map<String, Any?>
                            val error = r?.get("error") as? Map<String, Any?>
                            val first = (error?.get("violations") as? List<*>)?.firstOrNull() as? Map<String, Any?>
                            val code = (r?.get("violation") as? Map<String, Any?>)?.get("code") ?: first?.get("code") ?: error?.get("kind")
                            expect(label, code == c["expect_code"]) { "expected code ${c["expect_code"]}, got ${Json.write(result)}" }
                        }
                        c["expect_error"] == true -> expect(label, (result as? Map<*, *>)?.containsKey("error") == true) { Json.write(result) }
                        else -> expect(label, Json.matches(c["expect"], result)) { "expected ${Json.write(c["expect"])}, got ${Json.write(result)}" }
                    }
                }
            } catch (e: Throwable) {
                failures.add("$label\n   threw $e")
            }
        }
    }
    println("kotlin conformance: $cases cases")
}

/** A param as the corpus's JSON holds it. */
fun paramJson(p: Param): Any? = when (p) {
    is Param.Integer -> JNumber(p.v1.toString())
    is Param.Number -> JNumber(p.v1.toString())
    is Param.Text -> p.v1
    is Param.Names -> p.v1
}

fun api(root: File) {
    // The code list matches the core's, in order, with the templates and params.
    val catalogue = Json.parse(File(root, "schemas/codes.json").readText()) as List<Map<String, Any?>>
    val listed = catalogue.map { it["code"] }
    expect("codes() matches schemas/codes.json", codes().map { codeName(it.code) } == listed) { codes().map { codeName(it.code) }.toString() }
    expect("codes() has the core's templates and params", codes().zip(catalogue).all { (info, want) ->
        info.template == want["template"] &&
            info.params.map { listOf(it.name, it.ty, it.required) } == (want["params"] as List<Map<String, Any?>>).map { listOf(it["name"], it["type"], it["required"]) }
    })
    val refusals = (Json.parse(File(root, "schemas/refusals.json").readText()) as List<*>).map { (it as Map<*, *>)["kind"] }
    val kindNames = refusalKinds().map { refusalKindName(it) }
    expect("refusalKinds() matches schemas/refusals.json", kindNames == refusals) { kindNames.toString() }
    expect("RefusalKind has exactly the core's kinds", RefusalKind.values().size == refusals.size)
    expect("Code enum has every code", Code.values().size == listed.size)

    // Reports and records.
    val r = validateLaunch("""{"prompt": {"text": " "}, "fileIds": ["nope"]}""", null)
    expect("report", !r.ok && r.violations.map { it.code } == listOf(Code.EMPTY_TEXT, Code.INVALID_UUID)) { r.toString() }
    expect("invalid json is a violation", check("followup", "{", null).violations.single().code == Code.INVALID_JSON)

    // Errors carry the violations and read well.
    val ctxErr = throws<AgentRulesException> { validateLaunch("{}", """{"limits": {"maxImages": 9}}""") }
    expect("invalid context throws", ctxErr != null && ctxErr.kind() == RefusalKind.INVALID_CONTEXT) { ctxErr.toString() }
    expect("invalid context violations", ctxErr?.violations()?.single()?.path == "/limits/maxImages")
    expect("readable message", ctxErr.toString().startsWith("invalid context: /limits/maxImages: ")) { ctxErr.toString() }
    val kindErr = throws<AgentRulesException> { check("lunch", "{}", null) }
    expect("unknown kind throws", kindErr?.kind() == RefusalKind.UNKNOWN_KIND)

    // Images before encoding.
    val png = byteArrayOf(0x89.toByte(), 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52)
    expect("image ok", checkImage("image/png", png, 1024uL, null).ok)
    val big = checkImage("image/jpeg", png, (20uL * 1024uL * 1024uL) + 1uL, null)
    expect("image too large and mismatched", big.violations.map { it.code } == listOf(Code.IMAGE_TOO_LARGE, Code.MEDIA_TYPE_MISMATCH)) { big.toString() }

    // Lifecycle enums.
    expect("parse status", parseStatus("awaiting_tool") == AgentStatus.AwaitingTool)
    expect("unknown status kept", parseStatus("archived") == AgentStatus.Unknown("archived"))
    expect("terminal", isTerminal(AgentStatus.Finished) && !isTerminal(AgentStatus.Unknown("archived")))
    expect("transition", canTransition(AgentStatus.Waiting, AgentStatus.Running, false) && !canTransition(AgentStatus.Finished, AgentStatus.Running, false))
    expect("follow-up transition", canTransition(AgentStatus.Finished, AgentStatus.Running, true))
    expect("stop waiting", applyAction(AgentStatus.Waiting, AgentAction.STOP) == ActionOutcome.Transition(AgentStatus.Stopped))
    expect("stop running", applyAction(AgentStatus.Running, AgentAction.STOP) == ActionOutcome.Requested(AgentStatus.Running))
    val stateErr = throws<AgentRulesException> { applyAction(AgentStatus.Running, AgentAction.FOLLOW_UP) }
    expect("follow-up while running is 409", stateErr?.kind() == RefusalKind.INVALID_STATE)

    // Objects.
    val m = PolicyMatrix("""{"tools": {"send_email": {"maxCalls": 1, "approval": "admin", "offline": "queue", "roles": ["member", "admin"]}}}""")
    expect("needs approval", m.decide("send_email", "member", 0uL, true) == Decision.NeedsApproval(Tier.ADMIN))
    expect("queued", m.decide("send_email", "member", 0uL, false) == Decision.Queued)
    expect("deny", m.decide("x", "member", 0uL, true) == Decision.Deny(Code.UNKNOWN_TOOL))
    val matrixErr = throws<AgentRulesException> { PolicyMatrix("""{"tools": {"t": {}}}""") }
    expect("invalid matrix", matrixErr?.kind() == RefusalKind.INVALID_MATRIX && matrixErr.violations().size == 4)
    val t = TableValidator("""{"type": "object", "required": ["issue"], "properties": {"issue": {"type": "string"}}}""")
    val rows = (0 until 1000).joinToString(",", "[", "]") { """{"key": "r$it", "value": {"issue": "issue $it"}}""" }
    expect("table rows", t.validateElements(rows).ok)
    val bad = t.validateElements("""[{"key": "a", "value": {"issue": 1}}, {"key": "a", "value": {}}]""")
    expect("table violations", bad.violations.map { it.path to it.code } == listOf(
        "/elements/0/value/issue" to Code.SCHEMA_TYPE, "/elements/1/key" to Code.DUPLICATE_KEY, "/elements/1/value" to Code.SCHEMA_REQUIRED)) { bad.toString() }
    val schemaErr = throws<AgentRulesException> { TableValidator("""{"type": "array"}""") }
    expect("schema not object", schemaErr?.violations()?.single()?.code == Code.SCHEMA_NOT_OBJECT)
    expect("envelope", parseErrorEnvelope("""{"error": "slow down", "code": "rate_limited"}""") == ErrorEnvelope("rate_limited", "slow down", 429u.toUShort(), true))
    expect("retry after", retryAfterMs("120", 0uL) == 120000uL && retryAfterMs("soon", 0uL) == null)
    expect("list query", renderListQuery("""{"status": "running", "limit": 5}""", null) == "limit=5&status=running")
}

@Suppress("UNCHECKED_CAST")
fun sse(root: File, dir: File) {
    // Every SSE case through the native SseDecoder, whole, byte by byte and at every split.
    var runs = 0
    for (f in dir.listFiles { x -> x.name.endsWith(".json") }!!.sortedBy { it.name }) {
        for (raw in Json.parse(f.readText()) as List<Any?>) {
            val c = raw as Map<String, Any?>
            val args = c["args"] as? Map<String, Any?> ?: continue
            if (c["op"] != "sse_decode" || args.containsKey("split")) continue
            val bytes = (args["chunks"] as List<Any?>).map { ch ->
                if (ch is String) ch.toByteArray(Charsets.UTF_8)
                else ((ch as Map<String, Any?>)["hex"] as String).chunked(2).map { it.toInt(16).toByte() }.toByteArray()
            }.fold(ByteArray(0)) { a, b -> a + b }
            val splits = mutableListOf(listOf(bytes), bytes.map { byteArrayOf(it) })
            for (i in 0..bytes.size) splits.add(listOf(bytes.copyOfRange(0, i), bytes.copyOfRange(i, bytes.size)))
            val maxLine = (args["maxLineBytes"] as? JNumber)?.text?.toULong()
            for (pieces in splits) {
                runs++
                val d = SseDecoder(maxLine)
                val pushed = try {
                    pieces.flatMap { d.push(it) }
                } catch (e: AgentRulesException) {
                    // The refusal as the op answers it: {error: {kind, message, violations}}.
                    val got = linkedMapOf("error" to linkedMapOf("kind" to refusalKindName(e.kind()), "message" to e.message(), "violations" to listOf<Any?>()))
                    expect("${c["name"]} (${pieces.size} pieces)", Json.matches(c["expect"], got)) { "expected ${Json.write(c["expect"])}, got ${Json.write(got)}" }
                    continue
                }
                val items = pushed.map { item ->
                    when (item) {
                        is SseItem.Event -> linkedMapOf("event" to item.v1.event, "data" to item.v1.data, "id" to item.v1.id)
                        is SseItem.Retry -> linkedMapOf("retry" to JNumber(item.retry.toString()))
                    }
                }
                d.finish()
                val got = linkedMapOf("items" to items, "lastEventId" to d.lastEventId(), "retry" to d.retry()?.let { JNumber(it.toString()) })
                expect("${c["name"]} (${pieces.size} pieces)", Json.matches(c["expect"], got)) { "expected ${Json.write(c["expect"])}, got ${Json.write(got)}" }
            }
        }
    }
    println("kotlin sse: $runs decodes")
    // A line past the limit is the core's invalid_stream refusal, as on every surface.
    val long = throws<AgentRulesException> { SseDecoder().push(ByteArray((1 shl 20) + 1) { 'a'.code.toByte() }) }
    expect("a line past the limit throws InvalidStream", long?.kind() == RefusalKind.INVALID_STREAM) { "$long" }
    val zero = throws<AgentRulesException> { SseDecoder(0UL) }
    expect("a line limit of 0 throws InvalidArguments", zero?.kind() == RefusalKind.INVALID_ARGUMENTS) { "$zero" }
    val golden = File(root, "tests/golden/run-state.json").readText()
    expect("replay is byte-identical", replayJson(File(root, "tests/golden/run-log.json").readText()) == golden)
}

// docs/rules.md through the typed API: every verify_webhook case of the corpus (the GitHub and
// Slack documentation vectors among them) through verifyWebhook with ByteArray bodies, and the
// connector lifecycle with typed records.
@Suppress("UNCHECKED_CAST")
fun nome(dir: File) {
    var webhooks = 0
    var google = 0
    for (f in dir.listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }) {
        for (raw in Json.parse(f.readText()) as List<Any?>) {
            val c = raw as Map<String, Any?>
            if (c["op"] != "verify_webhook" && c["op"] != "verify_google_webhook") continue
            val a = c["args"] as Map<String, Any?>
            val headers = when (val h = a["headers"]) {
                is Map<*, *> -> h.map { (k, v) -> HttpHeader(k as String, v as String) }
                else -> (h as List<List<String>>).map { HttpHeader(it[0], it[1]) }
            }
            if (c["op"] == "verify_google_webhook") {
                // W5: the keys as JSON text, the expectations typed.
                val keys = when (val k = a["keys"]) { null -> null; is String -> k; else -> Json.write(k) }
                val e = a["expect"] as Map<String, Any?>
                val expect = GoogleExpectations(
                    audience = e["audience"] as String?, email = e["email"] as String?,
                    channelToken = e["channelToken"] as String?, skewSeconds = (e["skewSeconds"] as? JNumber)?.text?.toUInt())
                val v = verifyGoogleWebhook(headers, keys, expect, (a["now"] as? JNumber)?.text?.toLong() ?: 0L)
                val want = c["expect"] as Map<String, Any?>
                expect("typed ${c["name"]}", v.verified == want["verified"] && v.reason?.name?.lowercase() == want["reason"] && v.header == want["header"]) {
                    "expected ${Json.write(want)}, got $v"
                }
                google++
                continue
            }
            val body = when (val b = a["body"]) {
                is String -> b.toByteArray(Charsets.UTF_8)
                else -> {
                    val m = b as Map<String, Any?>
                    if (m.containsKey("hex")) (m["hex"] as String).chunked(2).map { it.toInt(16).toByte() }.toByteArray()
                    else java.util.Base64.getDecoder().decode(m["base64"] as String)
                }
            }
            val provider = WebhookProvider.valueOf((a["provider"] as String).uppercase())
            val now = (a["now"] as? JNumber)?.text?.toLong() ?: 0L
            val v = verifyWebhook(provider, headers, body, (a["secret"] as String).toByteArray(Charsets.UTF_8), now)
            val want = c["expect"] as Map<String, Any?>
            val reason = v.reason?.name?.lowercase()
            expect("typed ${c["name"]}", v.verified == want["verified"] && reason == want["reason"] && v.header == want["header"]) {
                "expected ${Json.write(want)}, got $v"
            }
            webhooks++
        }
    }
    println("kotlin webhooks: $webhooks typed verifications")
    expect("webhook cases ran", webhooks >= 30)
    println("kotlin google webhooks: $google typed verifications")
    expect("google webhook cases ran", google >= 60)

    val policy = defaultConnectorPolicy()
    var i = parseInstall("""{"id": "in_1", "connector": "slack", "status": "active", "updatedAt": 100}""")
    for (at in listOf(200L, 300L, 400L)) i = applyConnectorEvent(i, InstallEvent.Health(false, at, "invalid_auth"), policy)
    expect("three failures fail the install", i.status == InstallStatus.FAILED && i.consecutiveFailures == 3u && i.failingSince == 200L) { "$i" }
    val s = connectorSummary(i)
    expect("failed asks to re-authorise", s.nextStep == NextStep.REAUTHORIZE && s.message.contains("invalid_auth")) { "$s" }
    val refused = throws<AgentRulesException> { applyConnectorEvent(i, InstallEvent.Health(true, 500L, null), policy) }
    expect("a health check of a failed install is refused",
        refused?.kind() == RefusalKind.INVALID_STATE && refused.violations().firstOrNull()?.let { codeName(it.code) } == "invalid_transition") { "$refused" }
    val late = throws<AgentRulesException> { applyConnectorEvent(i, InstallEvent.Refresh(true, 10L, null), policy) }
    expect("an older event is out of order", late?.violations()?.firstOrNull()?.let { codeName(it.code) } == "out_of_order")
    val recovered = applyConnectorEvent(i, InstallEvent.Refresh(true, 500L, null), policy)
    expect("refresh recovers to pending", recovered.status == InstallStatus.PENDING && recovered.lastError == null)
    val degraded = applyConnectorEvent(Install("in_2", "github", InstallStatus.ACTIVE, 0u, 0L, null, null), InstallEvent.Health(false, 100L, null), policy)
    expect("sweep picks the idle degraded install", sweepConnectors(listOf(recovered, degraded), 400L, policy) == listOf("in_2"))
    expect("sweep waits 300 s", sweepConnectors(listOf(recovered, degraded), 399L, policy).isEmpty())
    val bad = throws<AgentRulesException> { parseInstall("""{"id": "x"}""") }
    expect("an invalid install throws BadRequest", bad?.kind() == RefusalKind.BAD_REQUEST && bad.violations().size == 2) { "$bad" }
}

// A Rust panic crosses the FFI as uniffi's InternalException, not an abort, and the library
// keeps working afterwards.
fun panics() {
    val e = try { internalPanicForTests(); null } catch (t: Throwable) { t }
    expect("a panic is a Kotlin exception", e != null && e::class.simpleName == "InternalException" && e.message?.contains("forced internal failure") == true) { "$e" }
    expect("the library works after a panic", check("thread-rename", """{"title": "ok"}""", null).ok)
}

fun main(args: Array<String>) {
    val root = File(args.getOrElse(0) { "." }).absoluteFile
    val dir = System.getenv("AGENTRULES_CONFORMANCE_DIR")?.let { File(it) } ?: File(root, "tests/conformance")
    corpus(dir)
    sse(root, dir)
    nome(dir)
    panics()
    api(root)
    additions(root)
    manifest(root)
    failures.forEach { println("FAIL $it") }
    println("${passed} passed, ${failures.size} failed")
    exitProcess(if (failures.isEmpty()) 0 else 1)
}
