//! The facts of a violation: [`Params`], a small JSON object such as `{"count": 5, "max": 4}`
//! that every [`Violation`](crate::Violation) carries, so that a frontend which translates by
//! `code` gets the limit, the count or the field name without parsing English.
//!
//! Which keys a code's params hold, and of which [`ParamType`], is stated once per code in
//! [`Code::params`](crate::Code::params), with an English message template over them in
//! [`Code::template`](crate::Code::template); `docs/rules.md` lists both. A key marked optional
//! is present when the check knows the fact (for `out_of_range`, `min` and `max` as the range
//! has them). Text params are cut to the same 40-character excerpt as messages, so a param never
//! holds a secret or a large blob.
//!
//! ```
//! use agentrules::{launch::check_launch, Code, Context};
//! use serde_json::json;
//!
//! let images: Vec<_> = (0..5).map(|_| json!({"media_type": "image/png", "data": "iVBORw0KGgo="})).collect();
//! let violations = check_launch(&json!({"prompt": {"text": "hi", "images": images}}), &Context::default());
//! let v = violations.iter().find(|v| v.code == Code::TooManyImages).unwrap();
//! assert_eq!(serde_json::to_value(&v.params).unwrap(), json!({"count": 5, "max": 4}));
//! ```

use serde::{Deserialize, Serialize};

/// The most characters of user input a text param holds (the excerpt of a message).
pub const MAX_TEXT_PARAM: usize = 40;

/// One fact: a JSON number (integer or not), a string or a list of strings.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Param {
    /// A whole number: a count, a limit, a byte size, an offset.
    Integer(i64),
    /// A number that need not be whole (a JSON Schema limit such as `multipleOf: 0.5`).
    Number(f64),
    /// A name: a field, a slot, a status, a keyword (at most [`MAX_TEXT_PARAM`] characters).
    Text(String),
    /// Names: the allowed values, the expected types (a param of type [`ParamType::List`]; not
    /// called `List`, which would shadow the list type in the generated Kotlin).
    Names(Vec<String>),
}

/// The type a code's param has (see [`Code::params`](crate::Code::params)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamType {
    /// [`Param::Integer`].
    Integer,
    /// [`Param::Number`] or [`Param::Integer`]: any JSON number.
    Number,
    /// [`Param::Text`].
    Text,
    /// [`Param::Names`].
    List,
}

impl ParamType {
    /// The name `docs/rules.md` and `agentrules codes` use: `integer`, `number`, `text`, `list`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Text => "text",
            ParamType::List => "list",
        }
    }

    /// Whether `p` is of this type.
    pub fn admits(self, p: &Param) -> bool {
        matches!(
            (self, p),
            (ParamType::Integer | ParamType::Number, Param::Integer(_))
                | (ParamType::Number, Param::Number(_))
                | (ParamType::Text, Param::Text(_))
                | (ParamType::List, Param::Names(_))
        )
    }
}

/// One key of a code's params: its name, type, and whether every violation of the code has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamSpec {
    /// The key (lowerCamelCase, as the API's JSON fields).
    pub name: &'static str,
    /// Its type.
    pub ty: ParamType,
    /// True when every violation of the code carries it.
    pub required: bool,
}

// A `Number` is never NaN (it comes from JSON or from a finite limit), so equality by bits is an
// equivalence and agrees with `==` on every value a param holds.
impl PartialEq for Param {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Param::Integer(a), Param::Integer(b)) => a == b,
            (Param::Number(a), Param::Number(b)) => a.to_bits() == b.to_bits(),
            (Param::Text(a), Param::Text(b)) => a == b,
            (Param::Names(a), Param::Names(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Param {}

impl std::hash::Hash for Param {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Param::Integer(n) => n.hash(state),
            Param::Number(x) => x.to_bits().hash(state),
            Param::Text(s) => s.hash(state),
            Param::Names(l) => l.hash(state),
        }
    }
}

impl Serialize for Param {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Param::Integer(n) => s.serialize_i64(*n),
            Param::Number(x) => s.serialize_f64(*x),
            Param::Text(t) => s.serialize_str(t),
            Param::Names(l) => l.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Ok(Param::Integer(i)),
                (None, Some(x)) => Ok(Param::Number(x)),
                (None, None) => Err(D::Error::custom("a param number out of range")),
            },
            serde_json::Value::String(t) => Ok(Param::Text(t)),
            serde_json::Value::Array(items) => items
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::String(t) => Ok(t),
                    _ => Err(D::Error::custom("a param list holds strings only")),
                })
                .collect::<Result<_, _>>()
                .map(Param::Names),
            _ => Err(D::Error::custom("a param is a number, a string or a list of strings")),
        }
    }
}

/// A user-supplied name cut to [`MAX_TEXT_PARAM`] characters (an ellipsis marks a cut), control
/// characters escaped, as [`quote`](crate::report::quote) cuts it for a message.
pub fn excerpt(s: &str) -> String {
    // Most names are short and plain: no more bytes than the limit has characters, and none of
    // a control (below 0x20, 0x7f, or 0xc2, the lead byte of every C1 control), so nothing is
    // cut or escaped.
    if s.len() <= MAX_TEXT_PARAM && s.bytes().all(|b| b >= 0x20 && b != 0x7f && b != 0xc2) {
        return s.to_owned();
    }
    cut(s)
}

/// [`excerpt`] character by character.
fn cut(s: &str) -> String {
    let mut out = String::with_capacity(MAX_TEXT_PARAM.min(s.len()).saturating_add(4));
    let mut chars = s.chars();
    for c in chars.by_ref().take(MAX_TEXT_PARAM) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// The facts of one violation, in the order they were added (a JSON object once serialised).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Params(Vec<(String, Param)>);

impl Params {
    /// No facts.
    pub const fn new() -> Self {
        Params(Vec::new())
    }

    /// With `key` set to `value` (replacing an earlier value of `key`).
    #[must_use]
    pub fn with(mut self, key: &str, value: Param) -> Self {
        self.set(key, value);
        self
    }

    /// With the whole number `n` at `key` (saturating at `i64::MAX`).
    #[must_use]
    pub fn int(self, key: &str, n: impl TryInto<i64>) -> Self {
        self.with(key, Param::Integer(n.try_into().unwrap_or(i64::MAX)))
    }

    /// With the name `s` at `key`, cut to an [`excerpt`].
    #[must_use]
    pub fn text(self, key: &str, s: &str) -> Self {
        self.with(key, Param::Text(excerpt(s)))
    }

    /// With the names `items` at `key`, each cut to an [`excerpt`].
    #[must_use]
    pub fn list<S: AsRef<str>>(self, key: &str, items: impl IntoIterator<Item = S>) -> Self {
        self.with(key, Param::Names(items.into_iter().map(|s| excerpt(s.as_ref())).collect()))
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: &str, value: Param) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_string(), value)),
        }
    }

    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<&Param> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether `key` is set.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys and values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Param)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no facts.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl IntoIterator for Params {
    type Item = (String, Param);
    type IntoIter = std::vec::IntoIter<(String, Param)>;

    /// The keys and values, in order, by value.
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Serialize for Params {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        map.into_iter()
            .map(|(k, v)| Param::deserialize(v).map(|p| (k, p)).map_err(serde::de::Error::custom))
            .collect::<Result<_, _>>()
            .map(Params)
    }
}

// Swift and Kotlin see the params as a dictionary `[String: Param]` / `Map<String, Param>`.
#[cfg(feature = "uniffi")]
uniffi::custom_type!(Params, std::collections::HashMap<String, Param>, {
    lower: |p| p.0.into_iter().collect(),
    try_lift: |m| Ok(Params(m.into_iter().collect())),
});

#[cfg(test)]
mod tests {
    use super::{cut, excerpt};

    /// The plain-text shortcut answers what the character walk does.
    #[test]
    fn excerpt_is_the_character_walk() {
        let long = "x".repeat(40);
        for s in [
            "",
            "prompt",
            "caf\u{e9}",
            "\u{a0}nbsp",
            "a\u{85}b",
            "a\u{9f}b",
            "tab\there",
            "del\u{7f}",
            "\u{1f980}",
            long.as_str(),
            &format!("{long}y"),
            &format!("{}\u{e9}", "x".repeat(39)),
            &"\u{e9}".repeat(41),
        ] {
            assert_eq!(excerpt(s), cut(s), "{s:?}");
        }
    }
}
