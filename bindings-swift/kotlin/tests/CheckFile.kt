// Checks one file as a kind through the uniffi library on the JVM (the file's raw bytes) and
// prints the report's codes. Used by scripts/hostile.
package agentrules.checkfile

import java.io.File
import kotlin.system.exitProcess
import uniffi.agentrules_uniffi.checkBytes
import uniffi.agentrules_uniffi.codeName

fun main(args: Array<String>) {
    val report = checkBytes(args[0], File(args[1]).readBytes(), null)
    val codes = report.violations.joinToString(",") { "\"" + codeName(it.code) + "\"" }
    println("{\"ok\": ${report.ok}, \"codes\": [$codes]}")
    exitProcess(if (report.ok) 0 else 1)
}
