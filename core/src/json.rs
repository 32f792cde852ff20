//! Reading input documents and the small value checks every area shares (types, blank text,
//! UUIDs).

use serde_json::Value;

use crate::pointer::Pointer;
use crate::report::{collect, quote, Code, Params, Report, Sink, Violation};

/// The deepest nesting of arrays and objects a document may have: 127 levels (serde_json's
/// recursion limit of 128 counts one more); deeper is `invalid_json`, refused before any deep
/// recursion can happen. Every binding applies the same limit to its native values.
pub const MAX_DEPTH: usize = 127;

/// The most JSON values (objects, arrays, strings, numbers, booleans and nulls, each counted
/// once) a document may hold: 5,000,000. A document with more is one `document_too_large`,
/// refused while it is read, so that memory stays a small multiple of the document's size
/// (164 MB of `"x",` would otherwise become 41 million parsed values, about 4 GB). A table of
/// 100,000 rows of 20 fields is 2.1 million values.
pub const MAX_VALUES: u64 = 5_000_000;

/// Parses JSON text. Text that is not JSON is one `invalid_json` violation at `""`, with the byte
/// offset in its message; so are nesting deeper than [`MAX_DEPTH`] and numbers too large for a
/// 64-bit float (`1e999`). A name repeated within one object is one `duplicate_field` violation
/// at the repeat: parsers disagree on which value wins, so a document with one is refused.
/// Text longer than [`Limits::DEFAULT`](crate::Limits)'s `max_document_bytes` is one
/// `document_too_large`, before any parsing.
///
/// ```
/// let v = agentrules::json::parse(r#"{"prompt": {"text": "a", "text": "b"}}"#).unwrap_err();
/// assert_eq!((v.path.as_str(), v.code.as_str()), ("/prompt/text", "duplicate_field"));
/// ```
pub fn parse(text: &str) -> Result<Value, Violation> {
    parse_bytes(text.as_bytes())
}

/// Parses JSON text, then runs a collecting reader on it (see [`crate::report::collect`]).
pub(crate) fn collect_text<T>(text: &str, read: impl FnOnce(&mut Sink, &Value) -> T) -> Result<T, Report> {
    let v = parse(text).map_err(|v| Report::new(vec![v]))?;
    collect(|sink| read(sink, &v))
}

/// Parses JSON bytes; bytes that are not UTF-8 are `invalid_json` too (see [`parse`]).
pub fn parse_bytes(bytes: &[u8]) -> Result<Value, Violation> {
    parse_limited(bytes, crate::Limits::DEFAULT.max_document_bytes)
}

/// Parses JSON bytes no longer than `max_bytes` (see [`parse`]).
pub fn parse_limited(bytes: &[u8], max_bytes: u64) -> Result<Value, Violation> {
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len > max_bytes {
        return Err(document_too_large(len, max_bytes));
    }
    let dup = std::cell::RefCell::new(None::<Vec<String>>);
    let count = std::cell::Cell::new(0u64);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde::de::DeserializeSeed::deserialize(Seed { dup: &dup, count: &count }, &mut de)
        .and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(v) => Ok(v),
        Err(_) if count.get() > MAX_VALUES => Err(too_many_values()),
        Err(e) => match dup.into_inner() {
            Some(mut segments) => {
                segments.reverse();
                let path = segments.iter().fold(Pointer::root(), |p, s| p.key(s));
                let name = segments.last().map(String::as_str).unwrap_or_default();
                Err(Violation::new(
                    &path,
                    Code::DuplicateField,
                    format!("{} appears twice in one object; send each field once", quote(name)),
                ))
            }
            None => Err(invalid_json(bytes, &e)),
        },
    }
}

/// `maxDocumentBytes` on a document given as a value: `document_too_large` (with the whole
/// length, as the same document given as text reports it) when `v`'s compact JSON is longer
/// than `max_bytes`.
pub fn check_value_len(v: &Value, max_bytes: u64) -> Result<(), Violation> {
    if encoded_len(v, max_bytes) > max_bytes {
        return Err(document_too_large(encoded_len(v, u64::MAX), max_bytes));
    }
    Ok(())
}

/// The length in bytes of `v` written as compact JSON (as `serde_json::to_string` writes it),
/// counted without writing it; counting stops as soon as it passes `stop_above`, so a huge
/// value costs no more than the limit it is held to. This is how `maxDocumentBytes` applies to
/// a document given as a value (a JS object, a Python dict): the limit is on the document's
/// compact JSON text.
///
/// ```
/// let v = serde_json::json!({"a": [1, -2.5, "x\"y\n", null, true], "\u{e9}": {}});
/// assert_eq!(agentrules::json::encoded_len(&v, u64::MAX), serde_json::to_string(&v).unwrap().len() as u64);
/// assert!(agentrules::json::encoded_len(&v, 3) > 3);
/// ```
pub fn encoded_len(v: &Value, stop_above: u64) -> u64 {
    let mut total = 0u64;
    // An explicit stack: a value built in memory may be deeper than any parsed document.
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        if total > stop_above {
            break;
        }
        let n = match v {
            Value::Null => 4,
            Value::Bool(b) => {
                if *b {
                    4
                } else {
                    5
                }
            }
            Value::Number(n) => number_len(n),
            Value::String(s) => string_len(s),
            Value::Array(a) => {
                stack.extend(a.iter().rev());
                // Brackets and the commas between items.
                u64::try_from(a.len()).unwrap_or(u64::MAX).saturating_add(1).max(2)
            }
            Value::Object(m) => {
                let mut n = u64::try_from(m.len()).unwrap_or(u64::MAX).saturating_add(1).max(2);
                for (k, child) in m.iter().rev() {
                    // The key, its colon; its value is counted from the stack.
                    n = n.saturating_add(string_len(k)).saturating_add(1);
                    stack.push(child);
                }
                n
            }
        };
        total = total.saturating_add(n);
    }
    total
}

/// The JSON text length of a string with its quotes and escapes (`"` and `\` take two bytes,
/// `\n`-style controls two, other controls six): a piece of [`encoded_len`], for a binding that
/// measures its own values without converting them.
///
/// ```
/// assert_eq!(agentrules::json::string_len("a\"b\n"), serde_json::to_string("a\"b\n").unwrap().len() as u64);
/// ```
pub fn string_len(s: &str) -> u64 {
    // Whole blocks are tested branch-free for a byte that JSON escapes (so the compiler can
    // vectorise the scan: an image's data is a string of tens of megabytes, and this runs on
    // every check of a value); only a block that has one is counted byte by byte.
    const BLOCK: usize = 256;
    let mut blocks = s.as_bytes().chunks_exact(BLOCK);
    let mut extra = 0u64;
    for block in &mut blocks {
        if block.iter().fold(0u8, |any, c| any | u8::from(*c < 0x20 || *c == b'"' || *c == b'\\')) != 0 {
            extra = extra.saturating_add(escapes_len(block));
        }
    }
    extra = extra.saturating_add(escapes_len(blocks.remainder()));
    u64::try_from(s.len()).unwrap_or(u64::MAX).saturating_add(2).saturating_add(extra)
}

/// The bytes JSON's escapes add to `b` (`\n` one, `\u0001` five, as serde_json writes them).
fn escapes_len(b: &[u8]) -> u64 {
    b.iter()
        .map(|b| match b {
            b'"' | b'\\' | 0x08 | 0x0c | b'\n' | b'\r' | b'\t' => 1u64,
            0..=0x1f => 5,
            _ => 0,
        })
        .sum()
}

/// The JSON text length of a number (a piece of [`encoded_len`]).
pub fn number_len(n: &serde_json::Number) -> u64 {
    let digits = |mut x: u64| {
        let mut d = 1u64;
        while x >= 10 {
            x /= 10;
            d = d.saturating_add(1);
        }
        d
    };
    if let Some(u) = n.as_u64() {
        digits(u)
    } else if let Some(i) = n.as_i64() {
        digits(i.unsigned_abs()).saturating_add(1)
    } else {
        u64::try_from(n.to_string().len()).unwrap_or(u64::MAX)
    }
}

/// The `document_too_large` violation for a document of `len` bytes (for readers that know the
/// size before reading, such as a file's metadata).
pub fn document_too_large(len: u64, max_bytes: u64) -> Violation {
    Violation::new(
        &Pointer::root(),
        Code::DocumentTooLarge,
        format!(
            "the document is {}, more than the limit of {}",
            crate::report::readable_bytes(len),
            crate::report::readable_bytes(max_bytes)
        ),
    )
    .with(Params::new().int("bytes", len).int("maxBytes", max_bytes))
}

/// The `document_too_large` violation for a document whose reading stopped at the limit, its
/// whole length unknown (a stream, `/dev/zero`).
pub fn document_over_limit(max_bytes: u64) -> Violation {
    Violation::new(
        &Pointer::root(),
        Code::DocumentTooLarge,
        format!(
            "the document is longer than the limit of {}; reading stopped there",
            crate::report::readable_bytes(max_bytes)
        ),
    )
    .with(Params::new().int("maxBytes", max_bytes))
}

/// The `document_too_large` violation for a document of more than [`MAX_VALUES`] values.
pub fn too_many_values() -> Violation {
    Violation::new(
        &Pointer::root(),
        Code::DocumentTooLarge,
        format!("the document holds more than {MAX_VALUES} values, the most one document may hold"),
    )
    .with(Params::new().int("maxValues", MAX_VALUES))
}

/// Builds a [`Value`] like serde_json's own, refusing repeated object names and documents of
/// more than [`MAX_VALUES`] values. On a repeat it records the path in `dup` as the error
/// unwinds (innermost segment first): nothing is tracked on the happy path but a count.
#[derive(Clone, Copy)]
struct Seed<'a> {
    dup: &'a std::cell::RefCell<Option<Vec<String>>>,
    count: &'a std::cell::Cell<u64>,
}

impl Seed<'_> {
    fn note<E>(self, segment: impl FnOnce() -> String, e: E) -> E {
        if let Some(segments) = self.dup.borrow_mut().as_mut() {
            segments.push(segment());
        }
        e
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let n = self.count.get().saturating_add(1);
        self.count.set(n);
        if n > MAX_VALUES {
            return Err(serde::de::Error::custom("too many values"));
        }
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            match seq.next_element_seed(self) {
                Ok(Some(v)) => out.push(v),
                Ok(None) => return Ok(Value::Array(out)),
                Err(e) => return Err(self.note(|| out.len().to_string(), e)),
            }
        }
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match out.entry(key) {
                serde_json::map::Entry::Occupied(o) => {
                    *self.dup.borrow_mut() = Some(vec![o.key().clone()]);
                    return Err(serde::de::Error::custom("duplicate field"));
                }
                serde_json::map::Entry::Vacant(slot) => match map.next_value_seed(self) {
                    Ok(v) => {
                        slot.insert(v);
                    }
                    Err(e) => return Err(self.note(|| slot.key().clone(), e)),
                },
            }
        }
        Ok(Value::Object(out))
    }
}

/// What `invalid_json` says of a `\u` escape of half a surrogate pair (`"\ud800"`).
const LONE_SURROGATE: &str =
    "a \\u escape of a lone surrogate (U+D800 to U+DFFF without its pair) is not a Unicode character";

fn invalid_json(text: &[u8], e: &serde_json::Error) -> Violation {
    let offset = byte_offset(text, e.line(), e.column());
    let what = match e.classify() {
        serde_json::error::Category::Eof => "the input ends early".to_string(),
        _ => {
            // serde_json appends " at line L column C"; the byte offset replaces it.
            let full = e.to_string();
            let what = match full.rfind(" at line ") {
                Some(i) => full.get(..i).unwrap_or(&full).to_string(),
                None => full,
            };
            // serde_json names a `\uD800`–`\uDFFF` escape without its pair by what it expected
            // next ("unexpected end of hex escape" after a lone high surrogate): say what is wrong.
            match what.as_str() {
                "unexpected end of hex escape" | "lone leading surrogate in hex escape" => LONE_SURROGATE.to_string(),
                _ => what,
            }
        }
    };
    Violation::new(&Pointer::root(), Code::InvalidJson, format!("the input is not valid JSON: {what} (byte {offset})"))
        .with(Params::new().int("offset", offset))
}

/// Byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn byte_offset(text: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0usize;
    if line > 1 {
        let mut seen = 1usize;
        for (i, b) in text.iter().enumerate() {
            if *b == b'\n' {
                seen = seen.saturating_add(1);
                if seen == line {
                    start = i.saturating_add(1);
                    break;
                }
            }
        }
    }
    start.saturating_add(column.saturating_sub(1)).min(text.len())
}

/// The JSON type name of a value, for messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Pushes a `type_mismatch` saying what was expected and what was found.
pub(crate) fn mismatch(sink: &mut Sink, path: &Pointer, expected: &str, found: &Value) {
    sink.push_with(
        path,
        Code::TypeMismatch,
        format!("expected {expected}, found {}", type_name(found)),
        type_params(expected, json_type(found)),
    );
}

/// The params of a `type_mismatch`: `expected`, the JSON types (`object`, `array`, `string`,
/// `integer`, `number`, `boolean`, `null`) a phrase such as "a file id, an array of file ids or
/// null" names, and `found`, the JSON type of the value.
pub(crate) fn type_params(expected: &str, found: &str) -> Params {
    Params::new().list("expected", expected_types(expected)).text("found", found)
}

/// The JSON types an `expected` phrase of this crate names, alternatives split at `, ` and
/// ` or `: each alternative's leading words decide (a phrase is ours, never user input).
pub(crate) fn expected_types(phrase: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for alt in phrase.split(", ").flat_map(|a| a.split(" or ")) {
        let alt = alt.trim();
        let ty = if alt == "null" {
            "null"
        } else if alt.starts_with("an array") {
            "array"
        } else if alt.starts_with("an object") || alt.starts_with("an element") || alt.starts_with("a JSON object") {
            "object"
        } else if alt.starts_with("a boolean") {
            "boolean"
        } else if alt.starts_with("an integer") || alt.starts_with("a whole number") || alt.starts_with("a Unix time") {
            "integer"
        } else if alt.starts_with("a number") {
            "number"
        } else {
            "string"
        };
        if !out.contains(&ty) {
            out.push(ty);
        }
    }
    out
}

/// The JSON type of a value, as `type_mismatch`'s `found` param names it.
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The object `v` is, or a `type_mismatch` saying `expected` and `None`.
pub(crate) fn as_object<'a>(
    sink: &mut Sink,
    path: &Pointer,
    v: &'a Value,
    expected: &str,
) -> Option<&'a serde_json::Map<String, Value>> {
    match v {
        Value::Object(obj) => Some(obj),
        other => {
            mismatch(sink, path, expected, other);
            None
        }
    }
}

/// "Blank" as the catalogue's conventions define it (`docs/rules.md`): empty or only Unicode
/// whitespace.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// True for a UUID in canonical 8-4-4-4-12 hexadecimal form, any mix of case (any version and
/// variant: the hyphenated form RFC 9562 writes, checked byte by byte).
///
/// ```
/// assert!(agentrules::is_uuid("019ABC12-0000-7000-8000-00000000000a"));
/// assert!(!agentrules::is_uuid("019abc12000070008000000000000000")); // simple form
/// assert!(!agentrules::is_uuid("{019abc12-0000-7000-8000-00000000000a}"));
/// ```
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Checks that `v` is a UUID string; returns the string when it is.
pub(crate) fn check_uuid<'a>(sink: &mut Sink, path: &Pointer, v: &'a Value) -> Option<&'a str> {
    match v {
        Value::String(s) if is_uuid(s) => Some(s),
        Value::String(s) => {
            sink.push(path, Code::InvalidUuid, format!("{} is not a UUID (8-4-4-4-12 hexadecimal)", quote(s)));
            None
        }
        other => {
            mismatch(sink, path, "a UUID string", other);
            None
        }
    }
}

/// Checks that `v` is a string with at least one non-whitespace character.
pub(crate) fn check_text(sink: &mut Sink, path: &Pointer, v: &Value, what: &str) {
    match v {
        Value::String(s) if is_blank(s) => sink.push(path, Code::EmptyText, format!("{what} must not be blank")),
        Value::String(_) => {}
        other => mismatch(sink, path, "a string", other),
    }
}

/// Reads a list of non-blank strings (`what` names an item in messages): `None` when `v` is not
/// an array; with `dup`, a repeated item is reported with that code and left out.
pub(crate) fn read_text_list(
    sink: &mut Sink,
    path: &Pointer,
    v: &Value,
    what: &str,
    dup: Option<Code>,
) -> Option<Vec<String>> {
    let Value::Array(items) = v else {
        mismatch(sink, path, "an array of strings", v);
        return None;
    };
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    // Repeats are found through a hash set (linear time: a list of a million ids is no denial
    // of service), in document order.
    let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if is_blank(s) => {
                sink.push(&path.index(i), Code::EmptyText, format!("{what} must not be blank"));
            }
            Value::String(s) => match dup {
                Some(code) if !seen.insert(s.as_str()) => {
                    sink.push(&path.index(i), code, format!("{} is listed twice", quote(s)));
                }
                _ => out.push(s.clone()),
            },
            other => mismatch(sink, &path.index(i), "a string", other),
        }
    }
    Some(out)
}

/// Pushes the `unknown_field` of `key` at `path`, naming the fields `allowed` there.
pub(crate) fn unknown_field(sink: &mut Sink, path: &Pointer, key: &str, allowed: &[&str]) {
    sink.push_with(
        path,
        Code::UnknownField,
        format!("unknown field {}; expected one of {}", quote(key), allowed.join(", ")),
        Params::new().list("allowed", allowed),
    );
}

/// Reports every key of `obj` not in `allowed` as `unknown_field`.
pub(crate) fn check_fields(sink: &mut Sink, path: &Pointer, obj: &serde_json::Map<String, Value>, allowed: &[&str]) {
    for key in obj.keys() {
        if !allowed.contains(&key.as_str()) {
            unknown_field(sink, &path.key(key), key, allowed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_len_is_serde_json_s_across_blocks() {
        // Every escaped byte at each place around the 256-byte blocks, in long and short texts.
        for n in [0usize, 1, 255, 256, 257, 511, 512, 1000] {
            for at in [0usize, 1, 254, 255, 256, 257, 511, 999] {
                for c in ['"', '\\', '\n', '\t', '\u{1}', '\u{1f}', '\u{7f}', 'é'] {
                    let mut text: String = "a".repeat(n);
                    if at <= text.len() {
                        text.insert(at, c);
                    }
                    let want = u64::try_from(serde_json::to_string(&text).unwrap_or_default().len()).unwrap_or(0);
                    assert_eq!(string_len(&text), want, "{n} bytes, {c:?} at {at}");
                }
            }
        }
    }

    #[test]
    fn invalid_json_has_offset() {
        let v = parse("{\"a\": 1,\n \"b\": }").unwrap_err();
        assert_eq!(v.code, Code::InvalidJson);
        assert!(v.message.contains("byte 15"), "{}", v.message);
        let v = parse("").unwrap_err();
        assert!(v.message.contains("ends early"));
    }

    #[test]
    fn a_lone_surrogate_escape_is_named() {
        for text in [r#""\ud800""#, r#""\ud800x""#, r#""\ud800\u0041""#, r#"{"a": "\udfff"}"#] {
            let v = parse(text).unwrap_err();
            assert_eq!(v.code, Code::InvalidJson, "{text}");
            assert!(v.message.contains("lone surrogate"), "{text}: {}", v.message);
        }
        // A pair is one character.
        assert_eq!(parse(r#""\ud83d\ude00""#).unwrap(), Value::String("\u{1F600}".into()));
    }

    #[test]
    fn deep_nesting_is_invalid_json_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert_eq!(parse(&deep).unwrap_err().code, Code::InvalidJson);
    }

    #[test]
    fn duplicate_names_are_refused_at_their_path() {
        let v = parse(r#"{"a": [1, {"b": 1, "c": {"d": 0, "d": 1}}]}"#).unwrap_err();
        assert_eq!((v.path.as_str(), v.code), ("/a/1/c/d", Code::DuplicateField));
        let v = parse(r#"{"x": 1, "x": 1}"#).unwrap_err();
        assert_eq!((v.path.as_str(), v.code), ("/x", Code::DuplicateField));
        let v = parse(r#"{"a/b~": {"": 1, "": 2}}"#).unwrap_err();
        assert_eq!(v.path, "/a~1b~0/");
        // Same names in different objects are fine; the values are serde_json's own.
        let text = r#"{"a": {"x": 1}, "b": {"x": [1.5, -2, 18446744073709551615, "s", null, true]}}"#;
        assert_eq!(parse(text).unwrap(), serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn oversized_documents_are_refused_before_parsing() {
        let v = parse_limited(b"[1, 2, 3]", 8).unwrap_err();
        assert_eq!(v.code, Code::DocumentTooLarge);
        assert!(parse_limited(b"[1, 2, 3]", 9).is_ok());
        assert_eq!(parse("1e999").unwrap_err().code, Code::InvalidJson);
        assert_eq!(parse("{\"a\": 1} x").unwrap_err().code, Code::InvalidJson);
    }

    #[test]
    fn blank() {
        assert!(is_blank(""));
        assert!(is_blank(" \t\n\u{00a0}\u{3000}"));
        assert!(!is_blank(" a "));
    }
}
