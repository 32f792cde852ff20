//! Reading input documents and the small value checks every area shares (types, blank text,
//! UUIDs).

use serde_json::Value;

use crate::pointer::Pointer;
use crate::report::{quote, Code, Sink, Violation};

/// Parses JSON text. Text that is not JSON is one `invalid_json` violation at `""`, with the byte
/// offset in its message. Nesting deeper than 128 levels is refused the same way, before any
/// deep recursion can happen.
pub fn parse(text: &str) -> Result<Value, Violation> {
    serde_json::from_str(text).map_err(|e| invalid_json(text.as_bytes(), &e))
}

/// Parses JSON bytes; bytes that are not UTF-8 are `invalid_json` too.
pub fn parse_bytes(bytes: &[u8]) -> Result<Value, Violation> {
    serde_json::from_slice(bytes).map_err(|e| invalid_json(bytes, &e))
}

fn invalid_json(text: &[u8], e: &serde_json::Error) -> Violation {
    let offset = byte_offset(text, e.line(), e.column());
    let what = match e.classify() {
        serde_json::error::Category::Eof => "the input ends early".to_string(),
        _ => {
            // serde_json appends " at line L column C"; the byte offset replaces it.
            let full = e.to_string();
            match full.rfind(" at line ") {
                Some(i) => full.get(..i).unwrap_or(&full).to_string(),
                None => full,
            }
        }
    };
    Violation::new(&Pointer::root(), Code::InvalidJson, format!("the input is not valid JSON: {what} (byte {offset})"))
}

/// Byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn byte_offset(text: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0usize;
    if line > 1 {
        let mut seen = 1usize;
        for (i, b) in text.iter().enumerate() {
            if *b == b'\n' {
                seen += 1;
                if seen == line {
                    start = i + 1;
                    break;
                }
            }
        }
    }
    (start + column.saturating_sub(1)).min(text.len())
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
    sink.push(path, Code::TypeMismatch, format!("expected {expected}, found {}", type_name(found)));
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

/// "Blank" as RULES.md defines it: empty or only Unicode whitespace.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// True for a UUID in canonical 8-4-4-4-12 hexadecimal form, any mix of case.
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
        && uuid::Uuid::try_parse(s).is_ok()
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

/// Reports every key of `obj` not in `allowed` as `unknown_field`.
pub(crate) fn check_fields(sink: &mut Sink, path: &Pointer, obj: &serde_json::Map<String, Value>, allowed: &[&str]) {
    for key in obj.keys() {
        if !allowed.contains(&key.as_str()) {
            sink.push(
                &path.key(key),
                Code::UnknownField,
                format!("unknown field {}; expected one of {}", quote(key), allowed.join(", ")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_json_has_offset() {
        let v = parse("{\"a\": 1,\n \"b\": }").unwrap_err();
        assert_eq!(v.code, Code::InvalidJson);
        assert!(v.message.contains("byte 15"), "{}", v.message);
        let v = parse("").unwrap_err();
        assert!(v.message.contains("ends early"));
    }

    #[test]
    fn deep_nesting_is_invalid_json_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert_eq!(parse(&deep).unwrap_err().code, Code::InvalidJson);
    }

    #[test]
    fn blank() {
        assert!(is_blank(""));
        assert!(is_blank(" \t\n\u{00a0}\u{3000}"));
        assert!(!is_blank(" a "));
    }
}
