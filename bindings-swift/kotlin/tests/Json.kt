// A small JSON reader and writer for the test runner (the JDK has none). Numbers keep their
// text, so a case's input is written back byte-for-byte equivalent (1e308, 2^64 - 1, ...).
package agentrules.test

import java.math.BigDecimal

data class JNumber(val text: String)

object Json {
    fun parse(text: String): Any? {
        val p = Parser(text)
        p.ws()
        val v = p.value()
        p.ws()
        require(p.i == text.length) { "trailing characters at ${p.i}" }
        return v
    }

    fun write(v: Any?): String = StringBuilder().also { write(v, it) }.toString()

    private fun write(v: Any?, out: StringBuilder) {
        when (v) {
            null -> out.append("null")
            is Boolean -> out.append(v)
            is JNumber -> out.append(v.text)
            is String -> {
                out.append('"')
                for (c in v) {
                    when {
                        c == '"' -> out.append("\\\"")
                        c == '\\' -> out.append("\\\\")
                        c < ' ' -> out.append(String.format("\\u%04x", c.code))
                        else -> out.append(c)
                    }
                }
                out.append('"')
            }
            is List<*> -> {
                out.append('[')
                v.forEachIndexed { i, x -> if (i > 0) out.append(','); write(x, out) }
                out.append(']')
            }
            is Map<*, *> -> {
                out.append('{')
                var first = true
                for ((k, x) in v) {
                    if (!first) out.append(',')
                    first = false
                    write(k as String, out)
                    out.append(':')
                    write(x, out)
                }
                out.append('}')
            }
            else -> error("not JSON: $v")
        }
    }

    /** JSON equality where an expected "*" matches any non-empty string; numbers by value. */
    fun matches(want: Any?, got: Any?): Boolean = when {
        want == "*" -> got is String && got.isNotEmpty()
        want is JNumber && got is JNumber -> BigDecimal(want.text).compareTo(BigDecimal(got.text)) == 0
        want is List<*> && got is List<*> -> want.size == got.size && want.indices.all { matches(want[it], got[it]) }
        want is Map<*, *> && got is Map<*, *> -> want.keys == got.keys && want.keys.all { matches(want[it], got[it]) }
        else -> want == got
    }

    private class Parser(val s: String) {
        var i = 0

        fun ws() {
            while (i < s.length && s[i].isWhitespace()) i++
        }

        fun value(): Any? {
            ws()
            return when (val c = s[i]) {
                '{' -> obj()
                '[' -> arr()
                '"' -> str()
                't' -> lit("true", true)
                'f' -> lit("false", false)
                'n' -> lit("null", null)
                else -> if (c == '-' || c.isDigit()) num() else error("unexpected '$c' at $i")
            }
        }

        fun lit(word: String, v: Any?): Any? {
            require(s.startsWith(word, i)) { "bad literal at $i" }
            i += word.length
            return v
        }

        fun num(): JNumber {
            val start = i
            while (i < s.length && (s[i].isDigit() || s[i] in "+-.eE")) i++
            return JNumber(s.substring(start, i))
        }

        fun str(): String {
            i++
            val out = StringBuilder()
            while (true) {
                val c = s[i++]
                when (c) {
                    '"' -> return out.toString()
                    '\\' -> {
                        when (val e = s[i++]) {
                            'n' -> out.append('\n')
                            't' -> out.append('\t')
                            'r' -> out.append('\r')
                            'b' -> out.append('\b')
                            'f' -> out.append('\u000c')
                            'u' -> {
                                out.append(s.substring(i, i + 4).toInt(16).toChar())
                                i += 4
                            }
                            else -> out.append(e)
                        }
                    }
                    else -> out.append(c)
                }
            }
        }

        fun arr(): List<Any?> {
            i++
            val out = ArrayList<Any?>()
            ws()
            if (s[i] == ']') { i++; return out }
            while (true) {
                out.add(value())
                ws()
                if (s[i++] == ']') return out
            }
        }

        fun obj(): Map<String, Any?> {
            i++
            val out = LinkedHashMap<String, Any?>()
            ws()
            if (s[i] == '}') { i++; return out }
            while (true) {
                ws()
                val k = str()
                ws()
                require(s[i++] == ':') { "expected ':' at $i" }
                out[k] = value()
                ws()
                if (s[i++] == '}') return out
            }
        }
    }
}
