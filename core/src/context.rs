//! The context object: facts a check needs that the library cannot fetch (`docs/rules.md`,
//! "Context").
//!
//! ```json
//! { "workflow": { "id": "<uuid>", "slots": [ { "name": "Drawing Set", "multiple": true, "required": true } ] },
//!   "entitlements": ["codeSearch", "webSearch"],
//!   "limits": { "maxImages": 4, "maxImageBytes": 20971520, "maxListLimit": 100 },
//!   "marketplace": { "allow": ["acme/*"], "deny": ["acme/legacy"], "prerequisites": { "acme/search": ["codeSearch"] } } }
//! ```
//!
//! Decisions where the API documents are silent:
//! - `workflow.id` is optional; a definition without an id applies to whatever `workflowId` the
//!   request names (no `workflow_mismatch` is possible).
//! - `workflow.slots` is optional; without it the workflow's kind is unknown and only the checks
//!   that need no definition run. `slots: []` is a prompt workflow.
//! - A slot's `multiple` defaults to `false` and `required` to `true` (the stricter reading).
//! - Slot names must be non-blank strings; the same name twice is allowed (that is the
//!   `ambiguous_slot` case of L8).
//! - `entitlements` is a list of strings; names the library does not know are kept (a newer
//!   server may entitle newer capabilities).
//! - Each limit is an integer from 1 up to its default (`out_of_range` otherwise): limits only
//!   tighten.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{self, as_object, check_fields, check_uuid, mismatch, read_text_list};
use crate::pointer::Pointer;
use crate::report::{quote, Code, Params, Report, Sink, Violation};

/// M2/M3: the tenant's marketplace guardrails, from the context's `marketplace`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Guardrails {
    /// Patterns of packages that may be installed; `None`: all not denied.
    pub allow: Option<Vec<String>>,
    /// Patterns of packages that may not be installed.
    pub deny: Vec<String>,
    /// The entitlements each package needs.
    pub prerequisites: BTreeMap<String, Vec<String>>,
}

/// Limits of the platform; callers may only tighten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// I1: images per prompt (default 4).
    pub max_images: u64,
    /// I5: decoded bytes per image (default 20 MiB = 20,971,520).
    pub max_image_bytes: u64,
    /// Q1: `limit` of a list query (default 100).
    pub max_list_limit: u64,
    /// The longest document a check reads, in bytes (default 160 MiB: a launch with four
    /// 20 MiB images is about 112 MB of base64, and one image too many, 140 MB, still gets the
    /// precise `too_many_images`). Longer is one `document_too_large` before any parsing. Nesting is limited to [`crate::json::MAX_DEPTH`] (128) levels, not configurable.
    pub max_document_bytes: u64,
}

impl Limits {
    /// The platform's defaults.
    pub const DEFAULT: Limits = Limits {
        max_images: 4,
        max_image_bytes: 20 * 1024 * 1024,
        max_list_limit: 100,
        max_document_bytes: 160 * 1024 * 1024,
    };

    /// The default page size of a list query when `limit` is not given (Q1).
    pub const DEFAULT_LIST_LIMIT: u64 = 20;
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// One file-input slot of a workflow definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// The slot's name: the key in `workflowInputs`.
    pub name: String,
    /// `true`: takes an array of file ids; `false`: one file id.
    pub multiple: bool,
    /// `false`: an explicit `null` leaves the slot unset.
    pub required: bool,
}

/// What the caller knows of the workflow a request names.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WorkflowDef {
    /// The workflow's id, when known; compared case-insensitively with `workflowId`.
    pub id: Option<String>,
    /// Its file-input slots; `None` when unknown, empty for a prompt workflow.
    pub slots: Option<Vec<Slot>>,
}

/// The context of a check. Every field is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Context {
    /// The definition of the workflow a launch request names.
    pub workflow: Option<WorkflowDef>,
    /// The organisation's entitlements (C4); `None` skips the entitlement check.
    pub entitlements: Option<Vec<String>>,
    /// The limits in force.
    pub limits: Limits,
    /// The tenant's marketplace guardrails and package prerequisites (M2, M3).
    pub marketplace: Option<Guardrails>,
}

impl Context {
    /// Parses and validates a context given as JSON text. Problems are violations with paths
    /// into the context; they are a caller error, never mixed into a request's report.
    ///
    /// ```
    /// let ctx = agentrules::Context::from_json(r#"{"limits": {"maxImages": 2}}"#).unwrap();
    /// assert_eq!(ctx.limits.max_images, 2);
    /// let bad = agentrules::Context::from_json(r#"{"limits": {"maxImages": 9}}"#).unwrap_err();
    /// assert_eq!(bad.violations[0].path, "/limits/maxImages");
    /// ```
    pub fn from_json(text: &str) -> Result<Context, Report> {
        json::collect_text(text, read_context)
    }

    /// Parses and validates a context given as a JSON value.
    pub fn from_value(v: &Value) -> Result<Context, Report> {
        crate::report::collect(|sink| read_context(sink, v))
    }
}

/// Checks a context document (`check context`).
pub fn check_context(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    read_context(&mut sink, v);
    sink.out
}

// The members each object of the context may have: what the reader accepts, and what the JSON
// Schema of the document ([`context_schema`]) lists (a test holds the two together).
const CONTEXT_FIELDS: [&str; 4] = ["workflow", "entitlements", "limits", "marketplace"];
const WORKFLOW_FIELDS: [&str; 2] = ["id", "slots"];
const SLOT_FIELDS: [&str; 3] = ["name", "multiple", "required"];
const LIMITS_FIELDS: [&str; 4] = ["maxImages", "maxImageBytes", "maxListLimit", "maxDocumentBytes"];
const MARKETPLACE_FIELDS: [&str; 3] = ["allow", "deny", "prerequisites"];

/// The JSON Schema (draft 2020-12) of the context document as [`Context::from_value`] reads
/// it: the type of each member and its bounds. The reader checks more than the schema says
/// (package patterns, that a limit only tightens are in both; a blank slot name is the
/// reader's alone), so the schema is for editors and typed bindings; the reader decides.
#[cfg(feature = "schema")]
pub fn context_schema() -> Value {
    crate::launch::schema_of::<document::ContextDocument>()
}

/// The context document's wire shape, for its JSON Schema only (the reader above is
/// hand-written: it reports every problem with its path, where serde would stop at the first).
#[cfg(feature = "schema")]
#[expect(dead_code, reason = "types for the JSON Schema: never built")]
mod document {
    use std::collections::BTreeMap;

    use schemars::JsonSchema;

    /// Facts a check needs that the library cannot fetch; every member is optional.
    #[derive(JsonSchema)]
    #[schemars(rename = "Context", deny_unknown_fields)]
    pub(super) struct ContextDocument {
        /// What the caller knows of the workflow a launch request names (L5–L9).
        workflow: Option<Workflow>,
        /// The organisation's entitlements (C4); without it the entitlement checks are skipped.
        entitlements: Option<Vec<String>>,
        /// Limits in force; each may only tighten the platform's default.
        limits: Option<Limits>,
        /// The tenant's marketplace guardrails and package prerequisites (M2, M3).
        marketplace: Option<Marketplace>,
    }

    /// A workflow definition.
    #[derive(JsonSchema)]
    #[schemars(deny_unknown_fields)]
    struct Workflow {
        /// The workflow's id, compared case-insensitively with the request's `workflowId`;
        /// without it the definition applies to whatever workflow the request names.
        #[schemars(extend("format" = "uuid"))]
        id: Option<String>,
        /// Its file-input slots; empty for a prompt workflow; without it the kind is unknown.
        slots: Option<Vec<Slot>>,
    }

    /// One file-input slot.
    #[derive(JsonSchema)]
    #[schemars(deny_unknown_fields)]
    struct Slot {
        /// The slot's name: the key in `workflowInputs`.
        #[schemars(extend("pattern" = "\\S"))]
        name: String,
        /// `true`: takes an array of file ids; `false` (the default): one file id.
        multiple: Option<bool>,
        /// `true` (the default): the slot must be given; `false`: `null` leaves it unset.
        required: Option<bool>,
    }

    /// Limits; each an integer from 1 up to the platform's default.
    #[derive(JsonSchema)]
    #[schemars(rename_all = "camelCase", deny_unknown_fields)]
    struct Limits {
        /// I1: images per prompt (default 4).
        #[schemars(range(min = 1, max = 4))]
        max_images: Option<u64>,
        /// I5: decoded bytes per image (default 20,971,520).
        #[schemars(range(min = 1, max = 20_971_520))]
        max_image_bytes: Option<u64>,
        /// Q1: `limit` of a list query (default 100).
        #[schemars(range(min = 1, max = 100))]
        max_list_limit: Option<u64>,
        /// The longest document a check reads, in bytes (default 167,772,160).
        #[schemars(range(min = 1, max = 167_772_160))]
        max_document_bytes: Option<u64>,
    }

    /// M2/M3: which packages may be installed, and what each needs.
    #[derive(JsonSchema)]
    #[schemars(deny_unknown_fields)]
    struct Marketplace {
        /// Patterns of packages that may be installed (`*`, `scope/*` or a package id);
        /// without it every package not denied.
        allow: Option<Vec<String>>,
        /// Patterns of packages that may not be installed.
        deny: Option<Vec<String>>,
        /// The entitlements each package (by id) needs.
        prerequisites: Option<BTreeMap<String, Vec<String>>>,
    }
}

fn read_context(sink: &mut Sink, v: &Value) -> Context {
    let root = Pointer::root();
    let mut ctx = Context::default();
    let Some(obj) = as_object(sink, &root, v, "an object") else {
        return ctx;
    };
    check_fields(sink, &root, obj, &CONTEXT_FIELDS);
    if let Some(w) = obj.get("workflow") {
        ctx.workflow = read_workflow(sink, &root.key("workflow"), w);
    }
    if let Some(e) = obj.get("entitlements") {
        ctx.entitlements = read_entitlements(sink, &root.key("entitlements"), e);
    }
    if let Some(l) = obj.get("limits") {
        ctx.limits = read_limits(sink, &root.key("limits"), l);
    }
    if let Some(m) = obj.get("marketplace") {
        ctx.marketplace = read_guardrails(sink, &root.key("marketplace"), m);
    }
    ctx
}

/// Reads the context's `marketplace` member.
fn read_guardrails(sink: &mut Sink, path: &Pointer, v: &Value) -> Option<Guardrails> {
    let obj = as_object(sink, path, v, "an object")?;
    check_fields(sink, path, obj, &MARKETPLACE_FIELDS);
    let patterns = |sink: &mut Sink, key: &str| -> Option<Vec<String>> {
        let p = path.key(key);
        let v = obj.get(key)?;
        let Value::Array(items) = v else {
            mismatch(sink, &p, "an array of package patterns", v);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) if is_pattern(s) => out.push(s.clone()),
                Value::String(s) => sink.push(
                    &p.index(i),
                    Code::InvalidPackageId,
                    format!("{} is not a package pattern (`*`, `scope/*` or a package id)", quote(s)),
                ),
                other => mismatch(sink, &p.index(i), "a string", other),
            }
        }
        Some(out)
    };
    let allow = patterns(sink, "allow");
    let deny = patterns(sink, "deny").unwrap_or_default();
    let mut prerequisites = BTreeMap::new();
    if let Some(pr) = obj.get("prerequisites") {
        let pp = path.key("prerequisites");
        if let Some(map) = as_object(sink, &pp, pr, "an object of package id to entitlements") {
            for (id, ents) in map {
                let p = pp.key(id);
                if !is_package_id(id) {
                    sink.push(&p, Code::InvalidPackageId, format!("{} is not a package id", quote(id)));
                }
                if let Some(names) = read_text_list(sink, &p, ents, "an entitlement", None) {
                    prerequisites.insert(id.clone(), names);
                }
            }
        }
    }
    Some(Guardrails { allow, deny, prerequisites })
}

fn is_segment(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=64).contains(&b.len())
        && b.first().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-'))
}

/// M1: `name` or `scope/name` (each part 1–64 characters of lowercase ASCII letters, digits, `.`,
/// `_`, `-`, starting with a letter or digit). The context's guardrails are written in it; the
/// install check ([`crate::marketplace`]) applies it to `packageId`.
pub fn is_package_id(s: &str) -> bool {
    match s.split_once('/') {
        Some((scope, name)) => is_segment(scope) && is_segment(name),
        None => is_segment(s),
    }
}

fn is_pattern(s: &str) -> bool {
    s == "*" || s.strip_suffix("/*").is_some_and(is_segment) || is_package_id(s)
}

fn read_workflow(sink: &mut Sink, path: &Pointer, v: &Value) -> Option<WorkflowDef> {
    let obj = as_object(sink, path, v, "an object")?;
    check_fields(sink, path, obj, &WORKFLOW_FIELDS);
    let mut def = WorkflowDef::default();
    if let Some(id) = obj.get("id") {
        def.id = check_uuid(sink, &path.key("id"), id).map(str::to_owned);
    }
    if let Some(slots) = obj.get("slots") {
        let sp = path.key("slots");
        match slots {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    if let Some(slot) = read_slot(sink, &sp.index(i), item) {
                        out.push(slot);
                    }
                }
                def.slots = Some(out);
            }
            other => mismatch(sink, &sp, "an array of slots", other),
        }
    }
    Some(def)
}

fn read_slot(sink: &mut Sink, path: &Pointer, v: &Value) -> Option<Slot> {
    let obj = as_object(sink, path, v, "an object")?;
    check_fields(sink, path, obj, &SLOT_FIELDS);
    let name = match obj.get("name") {
        None => {
            sink.push(&path.key("name"), Code::Required, "a slot needs a name");
            None
        }
        Some(n) => {
            json::check_text(sink, &path.key("name"), n, "a slot name");
            n.as_str().map(str::to_owned)
        }
    };
    let mut flag = |key: &str, default: bool| match obj.get(key) {
        None => default,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            mismatch(sink, &path.key(key), "a boolean", other);
            default
        }
    };
    let multiple = flag("multiple", false);
    let required = flag("required", true);
    name.map(|name| Slot { name, multiple, required })
}

fn read_entitlements(sink: &mut Sink, path: &Pointer, v: &Value) -> Option<Vec<String>> {
    let Value::Array(items) = v else {
        mismatch(sink, path, "an array of strings", v);
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => out.push(s.clone()),
            other => mismatch(sink, &path.index(i), "a string", other),
        }
    }
    Some(out)
}

fn read_limits(sink: &mut Sink, path: &Pointer, v: &Value) -> Limits {
    let mut limits = Limits::DEFAULT;
    let Some(obj) = as_object(sink, path, v, "an object") else {
        return limits;
    };
    check_fields(sink, path, obj, &LIMITS_FIELDS);
    let d = Limits::DEFAULT;
    for (key, slot, max) in [
        ("maxImages", &mut limits.max_images, d.max_images),
        ("maxImageBytes", &mut limits.max_image_bytes, d.max_image_bytes),
        ("maxListLimit", &mut limits.max_list_limit, d.max_list_limit),
        ("maxDocumentBytes", &mut limits.max_document_bytes, d.max_document_bytes),
    ] {
        if let Some(value) = obj.get(key) {
            if let Some(n) = read_bounded_int(sink, &path.key(key), value, 1, max) {
                *slot = n;
            }
        }
    }
    limits
}

/// Reads an integer in `min..=max`: `type_mismatch` for a non-integer, `out_of_range` outside.
/// Integral floats such as `5.0` count as integers (JSON does not tell them apart).
pub(crate) fn read_bounded_int(sink: &mut Sink, path: &Pointer, v: &Value, min: u64, max: u64) -> Option<u64> {
    let Some(n) = as_integer(v) else {
        mismatch(sink, path, "an integer", v);
        return None;
    };
    if n < i128::from(min) || n > i128::from(max) {
        let mut params = Params::new().int("min", min);
        if i64::try_from(max).is_ok() {
            params = params.int("max", max);
        }
        sink.push_with(path, Code::OutOfRange, format!("{n} is out of range: expected {min} to {max}"), params);
        return None;
    }
    u64::try_from(n).ok()
}

/// The integer a JSON number holds, if it holds one (`5.0` and `1e30` do; `5.5` does not).
pub(crate) fn as_integer(v: &Value) -> Option<i128> {
    let Value::Number(n) = v else { return None };
    if let Some(i) = n.as_i64() {
        return Some(i128::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Some(i128::from(u));
    }
    let f = n.as_f64()?;
    if f.is_finite() && f.fract() == 0.0 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a whole number: the cast saturates beyond i128, which is out of every range here anyway"
        )]
        return Some(f as i128);
    }
    None
}

#[cfg(all(test, feature = "schema"))]
mod tests {
    use super::*;

    #[expect(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        reason = "a test helper: a failure panics, which fails the test"
    )]
    fn properties<'a>(schema: &'a Value, def: Option<&str>) -> Vec<&'a str> {
        let node = match def {
            None => schema,
            Some(name) => &schema["$defs"][name],
        };
        let mut names: Vec<&str> = node["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    fn sorted(fields: &[&'static str]) -> Vec<&'static str> {
        let mut v = fields.to_vec();
        v.sort_unstable();
        v
    }

    #[test]
    fn the_schema_lists_what_the_reader_accepts() {
        let schema = context_schema();
        assert_eq!(properties(&schema, None), sorted(&CONTEXT_FIELDS));
        assert_eq!(properties(&schema, Some("Workflow")), sorted(&WORKFLOW_FIELDS));
        assert_eq!(properties(&schema, Some("Slot")), sorted(&SLOT_FIELDS));
        assert_eq!(properties(&schema, Some("Limits")), sorted(&LIMITS_FIELDS));
        assert_eq!(properties(&schema, Some("Marketplace")), sorted(&MARKETPLACE_FIELDS));
        for node in [&schema, &schema["$defs"]["Workflow"], &schema["$defs"]["Slot"], &schema["$defs"]["Limits"]] {
            assert_eq!(node["additionalProperties"], Value::Bool(false), "{node}");
        }
        // Each limit's maximum is the platform's default: a limit only tightens.
        let limits = &schema["$defs"]["Limits"]["properties"];
        let d = Limits::DEFAULT;
        for (key, max) in [
            ("maxImages", d.max_images),
            ("maxImageBytes", d.max_image_bytes),
            ("maxListLimit", d.max_list_limit),
            ("maxDocumentBytes", d.max_document_bytes),
        ] {
            assert_eq!(limits[key]["maximum"], Value::from(max), "{key}");
            assert_eq!(limits[key]["minimum"], Value::from(1), "{key}");
        }
        let text = schema.to_string();
        assert!(!text.contains("\"null\""), "optional members are omitted, never null: {text}");
        assert!(!text.contains("[`"), "no Rust doc links: {text}");
    }
}
