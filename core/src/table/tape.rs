//! A JSON document read into one flat array of items, for validating table rows straight from
//! JSON text: [`jsonschema`] runs on any representation implementing its `Json` trait, and this
//! one costs one `Vec` per document where `serde_json::Value` costs an `IndexMap` per object
//! and a `String` per string (in wasm, reading the rows into `Value` was more than half of a
//! table's time).
//!
//! It is a fast path only: it can prove a document has no violation, never report one. Anything
//! it does not read exactly as [`crate::json::parse_bytes`] does (a repeated name in an object,
//! too many values, any error) makes it answer "not proven", and the caller runs the full check
//! on the same bytes; `core/tests/table_tape.rs` holds the two to identical reports.

use std::borrow::Cow;

use jsonschema::json::{Array, Json, Node, NodeIdentity, Object};
use jsonschema::types::JsonType;
use serde_json::{Number, Value};

/// One item of a tape: a scalar, or a container followed by its contents (an object's items
/// alternate names and values). `end` is the index just past the container's last item.
#[derive(Debug)]
pub(crate) enum Item<'s> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'s, str>),
    Array { len: u32, end: u32 },
    Object { len: u32, end: u32 },
}

/// A document on a tape; `items[0]` is its root.
#[derive(Debug)]
pub(crate) struct Tape<'s> {
    pub(crate) items: Vec<Item<'s>>,
}

/// The `jsonschema` representation of a [`Tape`].
pub(crate) struct TapeJson;

/// One value of a tape: the tape and the value's index.
#[derive(Clone, Copy)]
pub(crate) struct TapeNode<'a> {
    items: &'a [Item<'a>],
    at: usize,
}

impl<'a> TapeNode<'a> {
    pub(crate) fn root(tape: &'a Tape<'_>) -> Option<TapeNode<'a>> {
        (!tape.items.is_empty()).then_some(TapeNode { items: &tape.items, at: 0 })
    }

    fn item(&self) -> &'a Item<'a> {
        // `at` is always an index of `items` (made only by `root` and the iterators below).
        self.items.get(self.at).unwrap_or(&Item::Null)
    }

    /// The index just past this value's items.
    fn end(&self) -> usize {
        match self.item() {
            Item::Array { end, .. } | Item::Object { end, .. } => *end as usize,
            _ => self.at.saturating_add(1),
        }
    }

    /// This value as `serde_json::Value` (for error paths and `const`/`enum`/`uniqueItems`).
    pub(crate) fn value(&self) -> Value {
        match self.item() {
            Item::Null => Value::Null,
            Item::Bool(b) => Value::Bool(*b),
            Item::Number(n) => Value::Number(n.clone()),
            Item::Str(s) => Value::String(s.to_string()),
            Item::Array { .. } => Value::Array(Elements::of(self).map(|n| n.value()).collect()),
            Item::Object { .. } => Value::Object(Members::of(self).map(|(k, v)| (k.to_string(), v.value())).collect()),
        }
    }

    /// A string value's text.
    pub(crate) fn text(&self) -> Option<&'a str> {
        match self.item() {
            Item::Str(s) => Some(s),
            _ => None,
        }
    }

    /// An object's members.
    pub(crate) fn members(&self) -> Option<Members<'a>> {
        matches!(self.item(), Item::Object { .. }).then(|| Members::of(self))
    }

    /// An array's elements.
    pub(crate) fn elements(&self) -> Option<Elements<'a>> {
        matches!(self.item(), Item::Array { .. }).then(|| Elements::of(self))
    }
}

/// The values between a container's item and its end, one after another (skipping each
/// value's own contents): an array's elements, or an object's names and values.
#[derive(Clone)]
struct Span<'a> {
    items: &'a [Item<'a>],
    at: usize,
    end: usize,
}

impl<'a> Span<'a> {
    fn of(node: &TapeNode<'a>) -> Span<'a> {
        Span { items: node.items, at: node.at.saturating_add(1), end: node.end() }
    }

    /// The next value.
    fn take(&mut self) -> Option<TapeNode<'a>> {
        if self.at >= self.end {
            return None;
        }
        let node = TapeNode { items: self.items, at: self.at };
        self.at = node.end();
        Some(node)
    }
}

/// An object's members, in document order.
#[derive(Clone)]
pub(crate) struct Members<'a>(Span<'a>);

impl<'a> Members<'a> {
    fn of(node: &TapeNode<'a>) -> Members<'a> {
        Members(Span::of(node))
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, TapeNode<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        let name = self.0.take()?.text()?;
        Some((name, self.0.take()?))
    }
}

/// An array's elements, in order.
#[derive(Clone)]
pub(crate) struct Elements<'a>(Span<'a>);

impl<'a> Elements<'a> {
    fn of(node: &TapeNode<'a>) -> Elements<'a> {
        Elements(Span::of(node))
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = TapeNode<'a>;
    fn next(&mut self) -> Option<Self::Item> {
        self.0.take()
    }
}

impl Json for TapeJson {
    type Node<'a> = TapeNode<'a>;
    type PreparedKey = Box<str>;
    type StringBuffer = Vec<Item<'static>>;
    // An object on a tape has at most MAX_NAMES members: one pass over them beats look-ups.
    const KEYS_PER_LOOKUP: usize = MAX_NAMES;

    fn prepare_key(key: &str) -> Box<str> {
        key.into()
    }

    fn with_string_node<T>(buffer: &mut Vec<Item<'static>>, string: &str, f: impl FnOnce(TapeNode<'_>) -> T) -> T {
        buffer.clear();
        buffer.push(Item::Str(Cow::Owned(string.to_owned())));
        f(TapeNode { items: buffer, at: 0 })
    }
}

impl<'a> Node<'a, TapeJson> for TapeNode<'a> {
    type Object = TapeObject<'a>;
    type Array = TapeArray<'a>;
    type Number = &'a Number;

    fn as_object(&self) -> Option<TapeObject<'a>> {
        match self.item() {
            Item::Object { len, .. } => Some(TapeObject { node: *self, len: *len as usize }),
            _ => None,
        }
    }
    fn as_array(&self) -> Option<TapeArray<'a>> {
        match self.item() {
            Item::Array { len, .. } => Some(TapeArray { node: *self, len: *len as usize }),
            _ => None,
        }
    }
    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.text().map(Cow::Borrowed)
    }
    fn as_number(&self) -> Option<&'a Number> {
        match self.item() {
            Item::Number(n) => Some(n),
            _ => None,
        }
    }
    fn as_boolean(&self) -> Option<bool> {
        match self.item() {
            Item::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn is_null(&self) -> bool {
        matches!(self.item(), Item::Null)
    }
    fn json_type(&self) -> JsonType {
        match self.item() {
            Item::Null => JsonType::Null,
            Item::Bool(_) => JsonType::Boolean,
            Item::Number(_) => JsonType::Number,
            Item::Str(_) => JsonType::String,
            Item::Array { .. } => JsonType::Array,
            Item::Object { .. } => JsonType::Object,
        }
    }
    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(self.value())
    }
    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(std::ptr::from_ref(self.item()) as usize))
    }
}

/// An object node.
pub(crate) struct TapeObject<'a> {
    node: TapeNode<'a>,
    len: usize,
}

impl<'a> Object<'a, TapeJson> for TapeObject<'a> {
    type Node = TapeNode<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        self.len
    }
    fn get(&self, key: &Box<str>) -> Option<TapeNode<'a>> {
        Members::of(&self.node).find(|(k, _)| *k == key.as_ref()).map(|(_, v)| v)
    }
    fn members(&self) -> Members<'a> {
        Members::of(&self.node)
    }
}

/// An array node.
pub(crate) struct TapeArray<'a> {
    node: TapeNode<'a>,
    len: usize,
}

impl<'a> Array<'a, TapeJson> for TapeArray<'a> {
    type Node = TapeNode<'a>;
    type ElementsIter = Elements<'a>;

    fn len(&self) -> usize {
        self.len
    }
    fn elements(&self) -> Elements<'a> {
        Elements::of(&self.node)
    }
}

/// Reads JSON bytes onto a tape, or `None` where [`crate::json::parse_bytes`] would not answer
/// the same value: bytes it refuses (too long, not JSON, too deep, too many values) and objects
/// naming a member twice (which it refuses too).
pub(crate) fn read(bytes: &[u8]) -> Option<Tape<'_>> {
    let len = u64::try_from(bytes.len()).ok()?;
    if len > crate::Limits::DEFAULT.max_document_bytes {
        return None;
    }
    let mut tape = Tape { items: Vec::with_capacity(bytes.len() / 8) };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde::de::DeserializeSeed::deserialize(Writer { tape: &mut tape }, &mut de).ok()?;
    de.end().ok()?;
    // Values only (names are items too): at most MAX_VALUES of them, as the full reader counts.
    let values = tape.items.len().saturating_sub(names(&tape));
    (u64::try_from(values).ok()? <= crate::json::MAX_VALUES).then_some(tape)
}

/// How many items of a tape are member names.
fn names(tape: &Tape<'_>) -> usize {
    tape.items
        .iter()
        .map(|i| match i {
            Item::Object { len, .. } => *len as usize,
            _ => 0,
        })
        .sum()
}

/// Writes one value onto the tape (serde's visitor; the deserializer bounds the depth, as the
/// full reader's does).
struct Writer<'t, 's> {
    tape: &'t mut Tape<'s>,
}

/// The error that ends a read that cannot prove anything.
fn give_up<E: serde::de::Error>() -> E {
    E::custom("not read onto the tape")
}

impl<'de> serde::de::DeserializeSeed<'de> for Writer<'_, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Writer<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        self.tape.items.push(Item::Bool(b));
        Ok(())
    }
    fn visit_i64<E>(self, n: i64) -> Result<(), E> {
        self.tape.items.push(Item::Number(n.into()));
        Ok(())
    }
    fn visit_u64<E>(self, n: u64) -> Result<(), E> {
        self.tape.items.push(Item::Number(n.into()));
        Ok(())
    }
    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<(), E> {
        // The full reader makes a number without a JSON form null; serde_json never gives one.
        self.tape.items.push(Number::from_f64(n).map_or(Item::Null, Item::Number));
        Ok(())
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<(), E> {
        self.tape.items.push(Item::Str(Cow::Borrowed(s)));
        Ok(())
    }
    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        self.tape.items.push(Item::Str(Cow::Owned(s.to_owned())));
        Ok(())
    }
    fn visit_string<E>(self, s: String) -> Result<(), E> {
        self.tape.items.push(Item::Str(Cow::Owned(s)));
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.tape.items.push(Item::Null);
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let at = self.tape.items.len();
        self.tape.items.push(Item::Array { len: 0, end: 0 });
        let mut len = 0u32;
        while seq.next_element_seed(Writer { tape: self.tape })?.is_some() {
            len = len.checked_add(1).ok_or_else(give_up)?;
        }
        let end = u32::try_from(self.tape.items.len()).map_err(|_| give_up())?;
        set(self.tape, at, Item::Array { len, end });
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let at = self.tape.items.len();
        self.tape.items.push(Item::Object { len: 0, end: 0 });
        let mut names: Vec<usize> = Vec::new();
        while map.next_key_seed(Name { tape: self.tape })?.is_some() {
            let name = self.tape.items.len().saturating_sub(1);
            // A repeated name: the full reader refuses the document (`duplicate_field`). Names
            // compare pairwise, so an object of more than MAX_NAMES is left to the full reader.
            let items = &self.tape.items;
            if names.len() >= MAX_NAMES || names.iter().any(|&n| same_text(items.get(n), items.get(name))) {
                return Err(give_up());
            }
            names.push(name);
            map.next_value_seed(Writer { tape: self.tape })?;
        }
        let len = u32::try_from(names.len()).map_err(|_| give_up())?;
        let end = u32::try_from(self.tape.items.len()).map_err(|_| give_up())?;
        set(self.tape, at, Item::Object { len, end });
        Ok(())
    }
}

/// The most members an object on a tape has (see `visit_map`): a row's columns are far fewer.
const MAX_NAMES: usize = 64;

fn same_text(a: Option<&Item<'_>>, b: Option<&Item<'_>>) -> bool {
    matches!((a, b), (Some(Item::Str(a)), Some(Item::Str(b))) if a == b)
}

/// Writes a container's item once its contents are on the tape.
fn set<'s>(tape: &mut Tape<'s>, at: usize, item: Item<'s>) {
    if let Some(slot) = tape.items.get_mut(at) {
        *slot = item;
    }
}

/// Writes a member name onto the tape.
struct Name<'t, 's> {
    tape: &'t mut Tape<'s>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Name<'_, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(Writer { tape: self.tape })
    }
}
