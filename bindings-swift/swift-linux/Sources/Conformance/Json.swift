// A small JSON reader and writer for the conformance runner. Numbers keep their text and objects
// their order, so a case's input is written back as the corpus spells it (1e308, 2^64 - 1, ...);
// Foundation's JSONSerialization would turn big integers into doubles.

enum JSON: Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    case object([(key: String, value: JSON)])

    subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members.first { $0.key == key }?.value }
        return nil
    }

    subscript(index: Int) -> JSON? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    func has(_ key: String) -> Bool { self[key] != nil }

    var string: String? { if case .string(let s) = self { return s }; return nil }
    var array: [JSON]? { if case .array(let a) = self { return a }; return nil }
    var members: [(key: String, value: JSON)]? { if case .object(let m) = self { return m }; return nil }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var number: String? { if case .number(let n) = self { return n }; return nil }

    var text: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += "," }
                JSON.quote(m.key, into: &out)
                out += ":"
                m.value.write(into: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }

    /// JSON equality where an expected "*" matches any non-empty string; numbers by value,
    /// objects regardless of member order.
    static func matches(_ want: JSON, _ got: JSON) -> Bool {
        switch (want, got) {
        case (.string("*"), .string(let g)): return !g.isEmpty
        case (.null, .null): return true
        case (.bool(let w), .bool(let g)): return w == g
        case (.string(let w), .string(let g)): return w == g
        case (.number(let w), .number(let g)): return w == g || (canonical(w) != nil && canonical(w) == canonical(g))
        case (.array(let w), .array(let g)):
            return w.count == g.count && zip(w, g).allSatisfy { matches($0, $1) }
        case (.object(let w), .object(let g)):
            return Set(w.map(\.key)) == Set(g.map(\.key)) && w.count == g.count
                && w.allSatisfy { m in got[m.key].map { matches(m.value, $0) } ?? false }
        default: return false
        }
    }

    /// A number's value as digits and a power of ten ("-12e-1" for -1.20), to compare 120000,
    /// 1.2e5 and 120000.0 exactly; nil when it is not a number this can read.
    static func canonical(_ text: String) -> String? {
        var s = Substring(text)
        let negative = s.first == "-"
        if negative { s = s.dropFirst() }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let x = Int(s[s.index(after: e)...]) else { return nil }
            exponent = x
            s = s[..<e]
        }
        var digits = s
        if let dot = s.firstIndex(of: ".") {
            let fraction = s[s.index(after: dot)...]
            exponent -= fraction.count
            digits = s[..<dot] + fraction
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let significant = digits.drop { $0 == "0" }
        if significant.isEmpty { return "0" }
        let trimmed = significant.reversed().drop { $0 == "0" }
        exponent += significant.count - trimmed.count
        return (negative ? "-" : "") + String(trimmed.reversed()) + "e" + String(exponent)
    }
}

struct JSONError: Error, CustomStringConvertible {
    let description: String
}

/// Parses UTF-8 JSON text (the corpus files).
func parseJSON(_ text: String) throws -> JSON {
    var p = JSONParser(bytes: Array(text.utf8))
    let v = try p.value()
    p.ws()
    guard p.i == p.bytes.count else { throw JSONError(description: "trailing characters at \(p.i)") }
    return v
}

private struct JSONParser {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func ws() {
        while i < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[i]) { i += 1 }
    }

    func fail(_ what: String) -> JSONError { JSONError(description: "\(what) at byte \(i)") }

    mutating func next() throws -> UInt8 {
        guard i < bytes.count else { throw fail("unexpected end") }
        i += 1
        return bytes[i - 1]
    }

    mutating func value() throws -> JSON {
        ws()
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: String, _ v: JSON) throws -> JSON {
        let w = Array(word.utf8)
        guard bytes.count - i >= w.count, Array(bytes[i..<i + w.count]) == w else { throw fail("bad literal") }
        i += w.count
        return v
    }

    mutating func number() -> JSON {
        let start = i
        while i < bytes.count, "0123456789+-.eE".utf8.contains(bytes[i]) { i += 1 }
        return .number(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    mutating func hex4() throws -> UInt32 {
        guard bytes.count - i >= 4, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw fail("bad \\u escape")
        }
        i += 4
        return v
    }

    mutating func string() throws -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            let c = try next()
            switch c {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                let e = try next()
                switch e {
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xd800..<0xdc00).contains(scalar), bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("lone surrogate") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: out.append(e)
                }
            default: out.append(c)
            }
        }
    }

    mutating func array() throws -> JSON {
        i += 1
        var out: [JSON] = []
        ws()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
        while true {
            out.append(try value())
            ws()
            switch try next() {
            case UInt8(ascii: "]"): return .array(out)
            case UInt8(ascii: ","): continue
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    mutating func object() throws -> JSON {
        i += 1
        var out: [(key: String, value: JSON)] = []
        ws()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
        while true {
            ws()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let key = try string()
            ws()
            guard try next() == UInt8(ascii: ":") else { throw fail("expected ':'") }
            out.append((key: key, value: try value()))
            ws()
            switch try next() {
            case UInt8(ascii: "}"): return .object(out)
            case UInt8(ascii: ","): continue
            default: throw fail("expected ',' or '}'")
            }
        }
    }
}
