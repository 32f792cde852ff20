// The Kotlin probe of scripts/hostile: runs one call through the uniffi library on the JVM from
// a JSON spec and prints one line {"outcome": ...}: the report's codes, the refusal's kind, the
// decision. `CheckFile <kind> <file>` (the old form) checks the file's raw bytes.
package agentrules.checkfile

import agentrules.test.JNumber
import agentrules.test.Json
import java.io.File
import uniffi.agentrules_uniffi.AgentRulesException
import uniffi.agentrules.Decision
import uniffi.agentrules_uniffi.HttpHeader
import uniffi.agentrules_uniffi.PolicyMatrix
import uniffi.agentrules.Report
import uniffi.agentrules_uniffi.SseDecoder
import uniffi.agentrules.WebhookProvider
import uniffi.agentrules_uniffi.checkBytes
import uniffi.agentrules_uniffi.codeName
import uniffi.agentrules_uniffi.evaluate
import uniffi.agentrules_uniffi.verifyWebhook
import uniffi.agentrules_uniffi.verifyGoogleWebhook
import uniffi.agentrules.GoogleExpectations

fun codes(r: Report): String =
    if (r.ok) "ok" else r.violations.map { codeName(it.code) }.toSortedSet().joinToString(", ")

fun refusal(e: AgentRulesException): String {
    val kind = e.kind().name.lowercase()
    val vs = e.violations().map { codeName(it.code) }.toSortedSet()
    return "refused $kind" + if (vs.isEmpty()) "" else " (${vs.joinToString(", ")})"
}

@Suppress("UNCHECKED_CAST")
fun run(s: Map<String, Any?>): String {
    fun file(k: String) = File(s[k] as String).readBytes()
    fun int(k: String) = (s[k] as? JNumber)?.text?.toLong() ?: 0L
    return when (s["call"]) {
        "check" -> codes(checkBytes(s["kind"] as String, file("input"), (s["context_file"] as String?)?.let { File(it).readText() }
            ?: s["context"]?.let { Json.write(it) }))
        "sse" -> {
            val data = file("input")
            val chunk = int("chunk").toInt()
            val d = SseDecoder()
            var items = 0
            try {
                if (chunk == 0) items += d.push(data).size
                else for (i in data.indices step chunk) items += d.push(data.copyOfRange(i, minOf(i + chunk, data.size))).size
                d.finish()
            } catch (e: AgentRulesException) {
                val m = e.message()
                return e.kind().name.lowercase() + ": " + when {
                    "line is longer" in m -> "line too long"
                    "data is larger" in m -> "event too large"
                    else -> m
                }
            }
            "ok: $items items"
        }
        "op" -> "ok: " + evaluate(s["name"] as String, File(s["args"] as String).readText())
        "decide" -> {
            val calls = (s["calls"] as? JNumber)?.text?.toULongOrNull() ?: return "refused invalid_arguments"
            when (val d = PolicyMatrix(File(s["matrix"] as String).readText()).decide(s["tool"] as String, s["role"] as String, calls, true)) {
                is Decision.Deny -> "deny/" + codeName(d.reason)
                is Decision.NeedsApproval -> "needs_approval"
                Decision.Allow -> "allow"
                Decision.Queued -> "queued"
            }
        }
        "verify_webhook" -> {
            val headers = (s["headers"] as List<List<String>>).map { HttpHeader(it[0], it[1]) }
            val v = verifyWebhook(WebhookProvider.valueOf((s["provider"] as String).uppercase()), headers, file("body"),
                (s["secret"] as String).toByteArray(Charsets.UTF_8), int("now"))
            if (v.verified) "verified" else v.reason!!.name.lowercase()
        }
        "verify_google_webhook" -> {
            val headers = (s["headers"] as List<List<String>>).map { HttpHeader(it[0], it[1]) }
            val e = s["expect"] as Map<String, Any?>
            val expect = GoogleExpectations(
                audience = e["audience"] as String?, email = e["email"] as String?,
                channelToken = e["channelToken"] as String?, skewSeconds = (e["skewSeconds"] as? JNumber)?.text?.toUInt())
            val v = verifyGoogleWebhook(headers, String(file("keys"), Charsets.UTF_8), expect, int("now"))
            if (v.verified) "verified" else v.reason!!.name.lowercase()
        }
        else -> error("unknown call ${s["call"]}")
    }
}

@Suppress("UNCHECKED_CAST")
fun main(args: Array<String>) {
    val spec = if (args.size == 2) mapOf("call" to "check", "kind" to args[0], "input" to args[1])
    else Json.parse(args[0]) as Map<String, Any?>
    val outcome = try { run(spec) } catch (e: AgentRulesException) { refusal(e) }
    println(Json.write(mapOf("outcome" to outcome)))
}
