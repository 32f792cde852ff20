// The API manifest (schemas/api.json) against two surfaces: Kotlin, by reflection on the
// compiled bindings (the top-level functions of the file facades, every public class of the two
// uniffi packages, the constructors and the methods of each object's interface), and Swift, by
// reading the generated Swift sources that the Swift package compiles (Swift itself runs only in
// the chroot of scripts/test-swift). A missing entry point, an extra public one, parameters in
// another order or of another optionality, another result type or an unlisted type fail.
package agentrules.test

import java.io.File
import java.lang.reflect.Modifier
import java.util.jar.JarFile
import kotlin.reflect.KClass
import kotlin.reflect.KFunction
import kotlin.reflect.KParameter
import kotlin.reflect.KVisibility
import kotlin.reflect.full.declaredMemberFunctions
import kotlin.reflect.jvm.kotlinFunction
import uniffi.agentrules_uniffi.PolicyMatrix

data class Param(val name: String, val optional: Boolean) {
    override fun toString() = if (optional) "$name?" else name
}

data class Sig(val params: List<Param>, val result: String)

/** An object class: its public constructor (none for a class only the library makes) and its
 * methods and properties (`true`: a property). */
data class ClassDecl(val ctor: Sig?, val members: Map<String, Pair<Sig, Boolean>>)

/** What a surface declares publicly. */
data class Api(val functions: Map<String, Sig>, val classes: Map<String, ClassDecl>, val types: Set<String>)

@Suppress("UNCHECKED_CAST")
private fun Any?.obj() = this as Map<String, Any?>

@Suppress("UNCHECKED_CAST")
private fun Any?.objs() = this as List<Map<String, Any?>>

private fun camel(s: String) = s.split('_').mapIndexed { i, w -> if (i == 0) w else w.replaceFirstChar { it.uppercase() } }.joinToString("")

private fun param(s: String) = Param(s.removeSuffix("?"), s.endsWith("?"))

/** `entry`'s block for `surface`, `"as swift"` followed; null when the surface has none. */
private fun block(entry: Map<String, Any?>, surface: String): Map<String, Any?>? {
    val b = entry[surface]
    return (if (b == "as swift") entry["swift"] else b) as Map<String, Any?>?
}

/** Checks `api` (what `surface` declares) against the manifest. */
fun checkManifest(surface: String, manifest: Map<String, Any?>, api: Api) {
    val label = "manifest ($surface)"
    val excluded = manifest["excluded"].objs().filter { it["surface"] == surface && it["pattern"] != null }.map { Regex(it["pattern"] as String) }
    fun excluded(name: String) = excluded.any { it.containsMatchIn(name) }
    val types = manifest["types"].objs()
    val primitives = manifest["primitives"].obj()

    fun surfaceName(v: Any?): List<String> = when (v) {
        null -> emptyList()
        "as swift" -> error("unreachable")
        is String -> listOf(v)
        is List<*> -> v.map { it as String }
        else -> listOf(v.obj()["name"] as String)
    }
    fun typeName(entry: Map<String, Any?>): List<String> = surfaceName(entry[surface].let { if (it == "as swift") entry["swift"] else it })

    /** Whether `declared` (a result type as the surface writes it) is the manifest's `result`:
     * a per-surface `result` is a fragment to find, a canonical one a type name (`[]` and `?`
     * aside) spelt the surface's way. */
    fun resultMatches(canonical: String?, override: String?, declared: String): Boolean {
        if (override != null) return declared.replace(Regex("\\s+"), " ").contains(override)
        val base = (canonical ?: "void").removeSuffix("?").removeSuffix("[]")
        val word = primitives[base]?.obj()?.get(surface) as String?
            ?: types.firstOrNull { it["name"] == base }?.let { typeName(it).firstOrNull() }
            ?: base
        return Regex("\\b${Regex.escape(word)}\\b").containsMatchIn(declared)
    }

    fun why(entry: Map<String, Any?>) = (entry["why"] as Map<*, *>?)?.get(surface) as String?

    fun compare(what: String, canonical: Map<String, Any?>, b: Map<String, Any?>, got: Sig, ctor: Boolean) {
        val missing = (b["missing"] as Map<*, *>?)?.keys ?: emptySet<Any?>()
        val want = (b["params"] as List<*>?)?.map { param(it as String) }
            ?: ((canonical["params"] ?: emptyList<String>()) as List<*>).map { param(it as String) }.filter { it.name !in missing }.map { Param(camel(it.name), it.optional) }
        expect("$label: $what takes (${want.joinToString()})", got.params == want) { "declared (${got.params.joinToString()})" }
        if (!ctor) {
            expect("$label: $what answers ${b["result"] ?: canonical["result"]}", resultMatches(canonical["result"] as String?, b["result"] as String?, got.result)) { "declared ${got.result}" }
        }
    }

    /** `entry`'s block on this surface; null when it has none, and then the manifest says why. */
    fun listedBlock(entry: Map<String, Any?>): Map<String, Any?>? {
        expect("$label: ${entry["name"]} says what $surface has", entry.containsKey(surface))
        val b = block(entry, surface)
        if (b == null) expect("$label: ${entry["name"]} is absent, with a why", why(entry) != null)
        return b
    }

    /** The entries of `section` this surface has: each with its block and its name there,
     * which `listed` records. */
    fun present(section: String, listed: MutableSet<String>) = manifest[section].objs().mapNotNull { e ->
        listedBlock(e)?.let { b -> Triple(e, b, (b["name"] as String).also { listed += it }) }
    }

    // Functions.
    val listed = mutableSetOf<String>()
    for ((f, b, name) in present("functions", listed)) {
        val got = api.functions[name]
        if (got == null) failures.add("$label: ${f["name"]} ($name) is missing") else compare("$name()", f, b, got, ctor = false)
    }
    for (name in api.functions.keys) {
        if (name !in listed && !excluded(name)) failures.add("$label: $name() is public but not in schemas/api.json")
    }

    // Classes: the constructor, then every member.
    val listedClasses = mutableSetOf<String>()
    for ((c, b, name) in present("classes", listedClasses)) {
        val got = api.classes[name]
        if (got == null) {
            failures.add("$label: class ${c["name"]} ($name) is missing")
            continue
        }
        if (got.ctor == null) failures.add("$label: $name has no public constructor") else compare("$name constructor", c, b, got.ctor, ctor = true)
        val listedMembers = mutableSetOf<String>()
        for (m in c["members"].objs()) {
            if (m.containsKey(surface) && block(m, surface) == null) {
                expect("$label: $name.${m["name"]} is absent, with a why", why(m) != null)
                continue
            }
            val mb = block(m, surface) ?: emptyMap()
            val memberName = mb["name"] as String? ?: camel(m["name"] as String)
            listedMembers += memberName
            val member = got.members[memberName]
            if (member == null) {
                failures.add("$label: $name.$memberName is missing")
                continue
            }
            val property = m["property"] == true && mb["method"] != true
            expect("$label: $name.$memberName is a ${if (property) "property" else "method"}", member.second == property)
            compare("$name.$memberName", m, mb, member.first, ctor = false)
        }
        for (memberName in got.members.keys) {
            if (memberName !in listedMembers) failures.add("$label: $name.$memberName is public but not in schemas/api.json")
        }
    }
    for (name in api.classes.keys) {
        if (name !in listedClasses && !excluded(name)) failures.add("$label: class $name is public but not in schemas/api.json")
    }

    // Types.
    val listedTypes = mutableSetOf<String>()
    for (t in types) {
        expect("$label: type ${t["name"]} says what $surface has", t.containsKey(surface))
        if (t[surface] == null) {
            expect("$label: type ${t["name"]} is absent, with a why", why(t) != null)
            continue
        }
        for (name in typeName(t)) {
            listedTypes += name
            expect("$label: type ${t["name"]} is $name", name in api.types)
        }
    }
    for (name in api.types) {
        if (name !in listedTypes && !excluded(name)) failures.add("$label: type $name is public but not in schemas/api.json")
    }
}

private fun kotlinSig(f: KFunction<*>) = Sig(
    f.parameters.filter { it.kind == KParameter.Kind.VALUE }.map { Param(it.name!!, it.isOptional || it.type.isMarkedNullable) },
    f.returnType.toString(),
)

/** The public Kotlin API of both uniffi packages, by reflection on the compiled classes. */
fun kotlinApi(): Api {
    val jar = File(PolicyMatrix::class.java.protectionDomain.codeSource.location.toURI())
    val classNames = JarFile(jar).use { j ->
        j.entries().toList().map { it.name }
            .filter { (it.startsWith("uniffi/agentrules_uniffi/") || it.startsWith("uniffi/agentrules/")) && it.endsWith(".class") && '$' !in it }
            .map { it.removeSuffix(".class").replace('/', '.') }
    }
    val functions = mutableMapOf<String, Sig>()
    val classes = mutableMapOf<String, ClassDecl>()
    val types = mutableSetOf<String>()
    for (className in classNames) {
        val cls = Class.forName(className)
        if (cls.simpleName.endsWith("Kt")) {
            // A file facade: the top-level functions.
            for (m in cls.declaredMethods) {
                if (!Modifier.isPublic(m.modifiers) || !Modifier.isStatic(m.modifiers) || m.isSynthetic) continue
                val f = m.kotlinFunction ?: continue
                if (f.visibility == KVisibility.PUBLIC) functions[f.name] = kotlinSig(f)
            }
            continue
        }
        val k = cls.kotlin
        if (k.visibility != KVisibility.PUBLIC) continue
        val name = k.simpleName!!
        val isObject = cls.interfaces.any { it.simpleName == "Disposable" } && !Throwable::class.java.isAssignableFrom(cls)
        if (!isObject) {
            types += name
            continue
        }
        // The real constructors (uniffi adds two taking a handle or a NoHandle, for fakes).
        val ctors = k.constructors.filter { c ->
            c.visibility == KVisibility.PUBLIC && c.parameters.none { (it.type.classifier as? KClass<*>)?.simpleName in setOf("NoHandle", "UniffiWithHandle") }
        }
        val members = Class.forName("${className}Interface").kotlin.declaredMemberFunctions
            .filter { it.visibility == KVisibility.PUBLIC }
            .associate { it.name to (kotlinSig(it) to false) }
        classes[name] = ClassDecl(ctors.singleOrNull()?.let { kotlinSig(it) }, members)
    }
    return Api(functions, classes, types)
}

/** Splits a Swift parameter list at its top-level commas. */
private fun swiftParams(list: String): List<Param> {
    val parts = mutableListOf<String>()
    var depth = 0
    var start = 0
    for ((i, c) in list.withIndex()) {
        when (c) {
            '(', '[', '<' -> depth++
            ')', ']', '>' -> depth--
            ',' -> if (depth == 0) { parts.add(list.substring(start, i)); start = i + 1 }
        }
    }
    parts.add(list.substring(start))
    return parts.map { it.trim() }.filter { it.isNotEmpty() }.map { p ->
        val (label, type) = p.split(':', limit = 2).map { it.trim() }
        Param(label, type.contains('=') || type.endsWith("?"))
    }
}

private val swiftFunc = Regex("""^(?:public|open) func (\w+)\((.*?)\)\s*(?:throws\s*)?(?:->\s*([^{]*?))?\s*\{""")

/** The public Swift API of the generated sources in `dir`, read from their text: top-level
 * `public func`s, `public struct`/`enum`/`protocol` types, and each `open class` with its
 * `public convenience init` and `open func`s (an `Error` class is a type: the library throws it). */
fun swiftApi(dir: File): Api {
    val functions = mutableMapOf<String, Sig>()
    val classes = mutableMapOf<String, ClassDecl>()
    val types = mutableSetOf<String>()
    for (file in listOf("agentrules_uniffi.swift", "agentrules.swift")) {
        val lines = File(dir, file).readLines()
        for ((i, line) in lines.withIndex()) {
            if (line.startsWith("public func ")) {
                val m = swiftFunc.find(line) ?: error("$file:${i + 1}: unreadable function: $line")
                functions[m.groupValues[1]] = Sig(swiftParams(m.groupValues[2]), m.groupValues[3].ifEmpty { "Void" })
            }
            Regex("""^public (?:struct|enum|protocol) (\w+)""").find(line)?.let { types += it.groupValues[1] }
            val cls = Regex("""^open class (\w+):(.*)\{""").find(line) ?: continue
            val name = cls.groupValues[1]
            if (cls.groupValues[2].contains("Swift.Error")) {
                types += name
                continue
            }
            val end = (i + 1 until lines.size).first { lines[it].startsWith("public struct FfiConverterType$name:") }
            var ctor: Sig? = null
            val members = mutableMapOf<String, Pair<Sig, Boolean>>()
            for (l in lines.subList(i + 1, end)) {
                Regex("""^public convenience init\((.*?)\)\s*(?:throws\s*)?\{""").find(l)?.let { ctor = Sig(swiftParams(it.groupValues[1]), name) }
                if (l.startsWith("open func ")) {
                    val m = swiftFunc.find(l) ?: error("$file: unreadable method of $name: $l")
                    members[m.groupValues[1]] = Sig(swiftParams(m.groupValues[2]), m.groupValues[3].ifEmpty { "Void" }) to false
                }
            }
            classes[name] = ClassDecl(ctor, members)
        }
    }
    return Api(functions, classes, types)
}

/** The failures `checkManifest` reports for the manifest `text` changed by `change` (taken back
 * out of `failures`: the real manifest is checked on its own). */
@Suppress("UNCHECKED_CAST")
private fun failuresOf(surface: String, text: String, api: Api, change: (MutableMap<String, Any?>) -> Unit): List<String> {
    val m = Json.parse(text) as MutableMap<String, Any?>
    change(m)
    val before = failures.size
    val passedBefore = passed
    checkManifest(surface, m, api)
    val found = failures.subList(before, failures.size)
    val out = found.toList()
    found.clear()
    passed = passedBefore
    return out
}

/** The checks fail on a missing, an extra or a reordered entry point (a function's or a
 * member's parameters). */
@Suppress("UNCHECKED_CAST")
private fun checksCanFail(surface: String, text: String, api: Api) {
    fun fns(m: MutableMap<String, Any?>) = m["functions"] as MutableList<MutableMap<String, Any?>>
    fun fn(m: MutableMap<String, Any?>, name: String) = fns(m).first { it["name"] == name }
    val missing = failuresOf(surface, text, api) { m ->
        fns(m).add(LinkedHashMap(fn(m, "kinds")).apply { put("name", "frobnicate"); put("swift", mapOf("name" to "frobnicate")) })
    }
    expect("manifest ($surface): a missing entry point fails", missing == listOf("manifest ($surface): frobnicate (frobnicate) is missing")) { "$missing" }
    val extra = failuresOf(surface, text, api) { m -> fns(m).remove(fn(m, "kinds")) }
    expect("manifest ($surface): an extra entry point fails", extra == listOf("manifest ($surface): kinds() is public but not in schemas/api.json")) { "$extra" }
    val reordered = failuresOf(surface, text, api) { m -> (fn(m, "check")["swift"] as MutableMap<String, Any?>)["params"] = listOf("inputJson", "kind", "contextJson?") }
    expect("manifest ($surface): reordered parameters fail", reordered.singleOrNull()?.startsWith("manifest ($surface): check() takes (inputJson, kind, contextJson?)") == true) { "$reordered" }
    val member = failuresOf(surface, text, api) { m ->
        val decide = ((m["classes"] as List<Map<String, Any?>>).first { it["name"] == "PolicyMatrix" }["members"] as List<MutableMap<String, Any?>>)[0]
        decide["params"] = (decide["params"] as List<*>).reversed()
    }
    expect("manifest ($surface): a member's reordered parameters fail", member.singleOrNull()?.startsWith("manifest ($surface): PolicyMatrix.decide takes (online, callsMade, role, tool)") == true) { "$member" }
}

fun manifest(root: File) {
    val text = File(root, "schemas/api.json").readText()
    val manifest = Json.parse(text).obj()
    val kotlin = kotlinApi()
    val swift = swiftApi(File(root, "bindings-swift/swift/Sources/AgentRules"))
    // The readers read something: a reader that found nothing would pass the extra checks.
    expect("kotlin reflection finds the functions and objects", "checkImage" in kotlin.functions && "Poller" in kotlin.classes && "Report" in kotlin.types) { "$kotlin" }
    expect("the Swift reader finds the functions and objects", "checkImage" in swift.functions && "Poller" in swift.classes && "Report" in swift.types) { "$swift" }
    checkManifest("kotlin", manifest, kotlin)
    checkManifest("swift", manifest, swift)
    checksCanFail("kotlin", text, kotlin)
    checksCanFail("swift", text, swift)
    println("kotlin manifest: read ${kotlin.functions.size} functions, ${kotlin.classes.size} classes, ${kotlin.types.size} types (uniffi's machinery included); swift: ${swift.functions.size}, ${swift.classes.size}, ${swift.types.size}")
}
