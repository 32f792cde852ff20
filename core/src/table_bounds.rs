//! Bounds a table schema must keep before it is compiled (T5): the work and the stack a
//! validator needs must not grow without bound with what a hostile schema asks for.
//!
//! - **Nesting through references.** A validator follows a `$ref` by recursing into the schema
//!   it names, and each subschema it applies is one more level of recursion. A chain of
//!   references that never descends into the value (`a` refers to `b`, `b` to `c`, …: 50,000
//!   of them fit in 2 MB) would recurse once per link and overflow the native stack; a cycle of
//!   them would never end. So each schema is measured: the deepest chain of subschemas a value
//!   of at most [`crate::json::MAX_DEPTH`] levels can make the validator apply, following
//!   references. A chain longer than [`MAX_SCHEMA_DEPTH`] is `invalid_schema`, and so is a cycle
//!   of references that comes back without descending into the value; the violation is at the
//!   first `$ref` of the chain. Recursive schemas for trees (`children` → `items` → `$ref` to
//!   the node) stay valid: each level they recurse consumes a level of the value.
//! - **Pattern length.** A `pattern` or a `patternProperties` name longer than
//!   [`MAX_PATTERN_BYTES`] is `invalid_schema` at it, before any compiling (a 10 MB pattern
//!   cost gigabytes to compile).
//!
//! References are resolved as the validator resolves them for the cases that can chain: `#`,
//! `#/json/pointer`, `#anchor` (`$anchor`, `$dynamicAnchor`) and `$id`-named resources of the
//! same document. A reference this analysis cannot resolve ends its chain (the validator
//! reports those as `unresolvable_ref`).

use std::collections::HashMap;

use serde_json::Value;

use crate::pointer::Pointer;
use crate::report::{quote, Code, Violation};

/// The deepest chain of subschemas (references followed) that validating one value may apply.
pub const MAX_SCHEMA_DEPTH: usize = 256;
/// The longest `pattern` (and `patternProperties` name), in bytes.
pub const MAX_PATTERN_BYTES: usize = 16 * 1024;

/// Keywords whose subschemas apply to the same value (their recursion does not descend).
const IN_PLACE_LISTS: [&str; 3] = ["allOf", "anyOf", "oneOf"];
const IN_PLACE_ONE: [&str; 4] = ["not", "if", "then", "else"];
const IN_PLACE_MAPS: [&str; 2] = ["dependentSchemas", "dependencies"];
const REFS: [&str; 3] = ["$ref", "$dynamicRef", "$recursiveRef"];
/// Keywords whose subschemas apply to the value's members or items (one level deeper).
const DESCEND_ONE: [&str; 7] = [
    "additionalProperties",
    "additionalItems",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "items",
];
const DESCEND_MAPS: [&str; 2] = ["properties", "patternProperties"];
const DESCEND_LISTS: [&str; 2] = ["prefixItems", "items"];
/// Values that are data, not schemas: nothing inside them is a keyword.
const DATA: [&str; 5] = ["enum", "const", "examples", "default", "$comment"];

/// The violations of these bounds (none for a schema that keeps them), paths at `at` + the
/// place inside the schema.
pub(crate) fn check(schema: &Value, at: &Pointer) -> Vec<Violation> {
    let base = schema.get("$id").and_then(Value::as_str).unwrap_or_default();
    let mut index = Index { base, ids: HashMap::new(), anchors: HashMap::new(), refs: HashMap::new() };
    index.collect(schema, at);
    let mut out = Vec::new();
    check_patterns(schema, at, &mut out);
    let mut walk = Walk { root: schema, index: &index, memo: HashMap::new(), stack: Vec::new() };
    let depth = u8::try_from(crate::json::MAX_DEPTH).unwrap_or(u8::MAX);
    if let Err(why) = walk.measure(schema, depth) {
        // The first reference of the chain that was being followed.
        let first = walk.stack.iter().find_map(|(node, _)| index.refs.get(node));
        let (path, target) = match first {
            Some((path, target)) => (path.clone(), target.as_str()),
            None => (at.clone(), ""),
        };
        let message = match why {
            Refused::TooDeep => format!(
                "the reference {} starts a chain of subschemas too deep to validate (more than {MAX_SCHEMA_DEPTH} for a value of {} levels): it could overflow the stack",
                quote(target),
                crate::json::MAX_DEPTH
            ),
            Refused::Cycle => format!(
                "the reference {} leads back to itself without descending into the value, so validation would never end",
                quote(target)
            ),
        };
        out.push(Violation::new(&path, Code::InvalidSchema, message));
    }
    out
}

/// Patterns longer than [`MAX_PATTERN_BYTES`], in document order.
fn check_patterns(v: &Value, here: &Pointer, out: &mut Vec<Violation>) {
    match v {
        Value::Object(m) => {
            let too_long =
                |len: usize| format!("the pattern is {len} bytes long; at most {MAX_PATTERN_BYTES} are allowed");
            if let Some(Value::String(p)) = m.get("pattern") {
                if p.len() > MAX_PATTERN_BYTES {
                    out.push(Violation::new(&here.key("pattern"), Code::InvalidSchema, too_long(p.len())));
                }
            }
            if let Some(Value::Object(pp)) = m.get("patternProperties") {
                for name in pp.keys().filter(|k| k.len() > MAX_PATTERN_BYTES) {
                    let path = here.key("patternProperties").key(name);
                    out.push(Violation::new(&path, Code::InvalidSchema, too_long(name.len())));
                }
            }
            for (k, c) in m.iter().filter(|(k, _)| !DATA.contains(&k.as_str())) {
                check_patterns(c, &here.key(k), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                check_patterns(c, &here.index(i), out);
            }
        }
        _ => {}
    }
}

/// The resources (`$id`) and anchors of a schema document.
struct Index<'a> {
    /// The document's own `$id`, against which relative references and ids are resolved.
    base: &'a str,
    ids: HashMap<String, &'a Value>,
    anchors: HashMap<&'a str, &'a Value>,
    /// Schemas with a reference: where the reference is, and what it names.
    refs: HashMap<*const Value, (Pointer, String)>,
}

impl<'a> Index<'a> {
    fn collect(&mut self, v: &'a Value, here: &Pointer) {
        match v {
            Value::Object(m) => {
                if let Some((key, Value::String(target))) = REFS.iter().find_map(|k| m.get(*k).map(|t| (*k, t))) {
                    self.refs.insert(std::ptr::from_ref(v), (here.key(key), target.clone()));
                }
                if let Some(Value::String(id)) = m.get("$id") {
                    let id = id.split('#').next().unwrap_or_default();
                    self.ids.insert(id.to_owned(), v);
                    self.ids.insert(join(self.base, id), v);
                }
                for key in ["$anchor", "$dynamicAnchor"] {
                    if let Some(Value::String(a)) = m.get(key) {
                        self.anchors.insert(a.as_str(), v);
                    }
                }
                for (k, c) in m {
                    if !DATA.contains(&k.as_str()) {
                        self.collect(c, &here.key(k));
                    }
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    self.collect(c, &here.index(i));
                }
            }
            _ => {}
        }
    }
}

/// Why a chain is refused.
#[derive(Clone, Copy)]
enum Refused {
    TooDeep,
    Cycle,
}

struct Walk<'a, 'i> {
    root: &'a Value,
    index: &'i Index<'a>,
    /// Deepest chains already measured: a schema, the value levels left, the depth.
    memo: HashMap<(*const Value, u8), usize>,
    /// The chain being measured.
    stack: Vec<(*const Value, u8)>,
}

impl<'a> Walk<'a, '_> {
    /// The deepest chain of subschemas from `v` for a value of `levels` levels, or why it is
    /// refused. The recursion is as deep as the chain, so it stops at [`MAX_SCHEMA_DEPTH`].
    fn measure(&mut self, v: &'a Value, levels: u8) -> Result<usize, Refused> {
        let key = (std::ptr::from_ref(v), levels);
        if let Some(d) = self.memo.get(&key) {
            return Ok(*d);
        }
        if self.stack.contains(&key) {
            return Err(Refused::Cycle);
        }
        if self.stack.len() >= MAX_SCHEMA_DEPTH {
            return Err(Refused::TooDeep);
        }
        self.stack.push(key);
        let depth = self.measure_children(v, levels)?;
        self.stack.pop();
        if self.stack.len().saturating_add(depth) > MAX_SCHEMA_DEPTH {
            self.stack.push(key);
            return Err(Refused::TooDeep);
        }
        self.memo.insert(key, depth);
        Ok(depth)
    }

    fn measure_children(&mut self, v: &'a Value, levels: u8) -> Result<usize, Refused> {
        let Value::Object(m) = v else { return Ok(0) };
        let mut in_place: Vec<&'a Value> = Vec::new();
        let mut deeper: Vec<&'a Value> = Vec::new();
        for key in REFS {
            if let Some(target) = m.get(key).and_then(Value::as_str).and_then(|r| self.resolve(r)) {
                in_place.push(target);
            }
        }
        for key in IN_PLACE_LISTS {
            if let Some(Value::Array(items)) = m.get(key) {
                in_place.extend(items);
            }
        }
        in_place.extend(IN_PLACE_ONE.iter().filter_map(|k| m.get(*k)));
        for key in IN_PLACE_MAPS {
            if let Some(Value::Object(map)) = m.get(key) {
                in_place.extend(map.values().filter(|c| c.is_object()));
            }
        }
        deeper.extend(DESCEND_ONE.iter().filter_map(|k| m.get(*k)).filter(|c| c.is_object()));
        for key in DESCEND_MAPS {
            if let Some(Value::Object(map)) = m.get(key) {
                deeper.extend(map.values());
            }
        }
        for key in DESCEND_LISTS {
            if let Some(Value::Array(items)) = m.get(key) {
                deeper.extend(items);
            }
        }
        let mut deepest = 0usize;
        for c in in_place {
            deepest = deepest.max(self.measure(c, levels)?.saturating_add(1));
        }
        if let Some(below) = levels.checked_sub(1) {
            for c in deeper {
                deepest = deepest.max(self.measure(c, below)?.saturating_add(1));
            }
        }
        Ok(deepest)
    }

    /// The schema a reference names inside this document, if this analysis can tell.
    fn resolve(&self, reference: &str) -> Option<&'a Value> {
        let (base, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let resource = if base.is_empty() {
            self.root
        } else {
            let absolute = join(self.index.base, base);
            self.index.ids.get(base).or_else(|| self.index.ids.get(&absolute)).copied()?
        };
        if fragment.is_empty() {
            Some(resource)
        } else if fragment.starts_with('/') {
            let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
            resource.pointer(&decoded)
        } else {
            self.index.anchors.get(fragment).copied()
        }
    }
}

/// `reference` resolved against the URI `base` (RFC 3986, for the forms schemas use): an
/// absolute URI as it is, a path relative to `base`'s directory, an absolute path at its
/// authority.
fn join(base: &str, reference: &str) -> String {
    if reference.contains("://") || base.is_empty() {
        return reference.to_owned();
    }
    let base = base.split('#').next().unwrap_or_default();
    if let Some(path) = reference.strip_prefix('/') {
        let authority_end = base.find("://").map_or(0, |i| i.saturating_add(3));
        let host_end =
            base.get(authority_end..).and_then(|r| r.find('/')).map_or(base.len(), |i| i.saturating_add(authority_end));
        return format!("{}/{path}", base.get(..host_end).unwrap_or_default());
    }
    match base.rfind('/') {
        Some(i) => format!("{}{reference}", base.get(..=i).unwrap_or_default()),
        None => reference.to_owned(),
    }
}
