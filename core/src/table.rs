//! Table artifacts validated by JSON Schema (T2–T5).
//!
//! A [`TableValidator`] is compiled once from a schema and reused for any number of rows.
//! Violations of a row are reported at `/elements/<i>/value<instance path>` with the code
//! `schema_<keyword>` (`schema_required`, `schema_type`, `schema_max_length`, …; see
//! [`keyword_code`]).
//!
//! Decisions where the API documents are silent (each has a conformance case):
//! - Drafts: 2020-12 (default), 2019-09 and 7, chosen by `$schema`; any other `$schema` is
//!   `invalid_schema` at `/$schema` (unless the caller supplied that meta-schema as a document).
//! - The root must have `"type": "object"` (an array of types is not enough); otherwise
//!   `schema_not_object` at the schema's root. A schema that is invalid or does not describe
//!   objects is not used to validate rows (one cause, one violation), but the keys are checked.
//! - `format` is an annotation, as 2020-12 and 2019-09 specify (draft 7 asserts it).
//! - Patterns (`pattern`, `patternProperties`) run on the linear-time `regex` engine only: a
//!   match costs time proportional to the pattern's compiled size times the value's length, on
//!   every surface, whatever the schema and the value. Look-around (`(?=…)`, `(?!…)`, `(?<=…)`,
//!   `(?<!…)`) and back-references (`\1`) need a backtracking engine whose work cannot be bounded
//!   (a step limit does not cover look-around: `^(?:a(?=a*b))*c` is quadratic under one), so a
//!   schema using them is `invalid_schema` at the pattern, as RE2-based validators (Go,
//!   protovalidate) refuse them. A pattern is at most
//!   [`MAX_PATTERN_BYTES`](crate::table_bounds::MAX_PATTERN_BYTES) long and at most
//!   [`PATTERN_SIZE_LIMIT`] bytes once compiled (`invalid_schema`, saying which limit).
//! - `$ref` chains that never descend into the value are bounded, and cycles of them refused
//!   ([`crate::table_bounds`]), so no schema can overflow a stack.
//! - `$ref` never reaches the network or the file system: a reference is resolved inside the
//!   document or among the documents the caller supplies in memory, else `unresolvable_ref` at
//!   the `$ref`.
//! - Element fields other than `key` and `value`, and content fields other than `schema` and
//!   `elements`, are ignored (artifacts are responses: a newer server may add fields).
//! - Keys compare exactly (case-sensitive); `value` is required.

use std::collections::{HashMap, HashSet};

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, PatternOptions, Retrieve, Uri, ValidationError, Validator};
use serde_json::Value;

use crate::json::{as_object, check_text, mismatch};
use crate::pointer::Pointer;
use crate::report::{quote, Code, Param, Params, Report, Sink, Violation};

mod tape;

/// Size limit of one compiled `pattern` (bytes).
pub const PATTERN_SIZE_LIMIT: usize = 1 << 20;
/// Size limit of the lazy DFA cache of one `pattern` (bytes).
pub const PATTERN_DFA_SIZE_LIMIT: usize = 1 << 20;

/// The `$schema` URIs that select a draft.
const DRAFTS: [(&str, Draft); 6] = [
    ("https://json-schema.org/draft/2020-12/schema", Draft::Draft202012),
    ("https://json-schema.org/draft/2019-09/schema", Draft::Draft201909),
    ("http://json-schema.org/draft-07/schema", Draft::Draft7),
    ("http://json-schema.org/draft/2020-12/schema", Draft::Draft202012),
    ("http://json-schema.org/draft/2019-09/schema", Draft::Draft201909),
    ("https://json-schema.org/draft-07/schema", Draft::Draft7),
];

/// Options of [`TableValidator::with_options`].
#[derive(Debug, Clone)]
pub struct TableOptions {
    /// Documents `$ref` may reach, by absolute URI (no fragment), served from memory.
    pub documents: HashMap<String, Value>,
    /// Require `"type": "object"` at the root (T3); `false` compiles any JSON Schema.
    pub require_object_root: bool,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions { documents: HashMap::new(), require_object_root: true }
    }
}

/// Serves `$ref`s from the caller's in-memory documents and refuses everything else.
struct MemoryRetriever(HashMap<String, Value>);

impl Retrieve for MemoryRetriever {
    fn retrieve(&self, uri: &Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let key = uri.as_str().split('#').next().unwrap_or_default();
        self.0
            .get(key)
            .cloned()
            .ok_or_else(|| format!("`{key}` is not available: agentrules never fetches schemas").into())
    }
}

/// A JSON Schema compiled once, for validating table rows.
///
/// ```
/// use agentrules::table::TableValidator;
/// let schema = serde_json::json!({"type": "object", "required": ["issue"], "properties": {"issue": {"type": "string"}}});
/// let v = TableValidator::new(&schema).unwrap();
/// assert!(v.is_valid(&serde_json::json!({"issue": "Missing fire rating"})));
/// let errs = v.validate_value(&serde_json::json!({"issue": 3}));
/// assert_eq!((errs[0].path.as_str(), errs[0].code.as_str()), ("/issue", "schema_type"));
/// ```
pub struct TableValidator {
    validator: Validator,
    // What compiled it, so a binding can compile the same schema for its own values
    // ([`TableValidator::compile_for`]).
    schema: Value,
    documents: HashMap<String, Value>,
    draft: Draft,
    // The same schema for rows read onto a tape ([`TableValidator::proves_elements_valid`]),
    // compiled on first use.
    on_tape: std::sync::OnceLock<Option<Validator<tape::TapeJson>>>,
}

impl std::fmt::Debug for TableValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableValidator").finish_non_exhaustive()
    }
}

impl TableValidator {
    /// Compiles a table schema (T3). Problems are violations at paths inside the schema.
    pub fn new(schema: &Value) -> Result<TableValidator, Report> {
        TableValidator::with_options(schema, &TableOptions::default())
    }

    /// Compiles a schema with options.
    pub fn with_options(schema: &Value, options: &TableOptions) -> Result<TableValidator, Report> {
        compile(schema, &Pointer::root(), options).map_err(Report::new)
    }

    /// Whether `value` is valid.
    pub fn is_valid(&self, value: &Value) -> bool {
        self.validator.is_valid(value)
    }

    /// The same schema compiled with the same options (drafts, patterns, in-memory documents)
    /// for another representation of the rows: a binding validates its language's own objects
    /// in place with it (the Python package uses `jsonschema`'s `Pyo3` backend), and falls back
    /// to this validator for the violations. `None` if that representation cannot compile it.
    pub fn compile_for<F: jsonschema::json::Json>(&self) -> Option<Validator<F>> {
        builder_for::<F>(&self.documents, self.draft).build(&self.schema).ok()
    }

    /// The violations of one value, at its instance paths.
    pub fn validate_value(&self, value: &Value) -> Vec<Violation> {
        let mut sink = Sink::default();
        self.push_errors(&mut sink, &Pointer::root(), value);
        crate::report::cap(&mut sink.out);
        sink.out
    }

    /// Whether the JSON `bytes` are elements that [`TableValidator::validate_elements_value`]
    /// of their parsed value answers without a violation, proven without reading them into
    /// `serde_json::Value`: the rows are read onto one flat tape, and validated there (see the
    /// `tape` module). `false` is "not proven", never "invalid": the caller then runs the full
    /// check on the same bytes, which also gives the violations. So a table of valid rows from
    /// a binding costs a tape; one with a violation costs the tape and the full check.
    ///
    /// ```
    /// use agentrules::table::TableValidator;
    /// let schema = serde_json::json!({"type": "object", "properties": {"n": {"type": "integer"}}});
    /// let v = TableValidator::new(&schema).unwrap();
    /// assert!(v.proves_elements_valid(br#"[{"key": "a", "value": {"n": 1}}]"#));
    /// // Not proven: a violation (the full check says which) ...
    /// assert!(!v.proves_elements_valid(br#"[{"key": "a", "value": {"n": "1"}}]"#));
    /// // ... or anything the full reader refuses, such as a name given twice.
    /// assert!(!v.proves_elements_valid(br#"[{"key": "a", "value": {"n": 1, "n": 2}}]"#));
    /// ```
    pub fn proves_elements_valid(&self, bytes: &[u8]) -> bool {
        let Some(validator) = self.on_tape.get_or_init(|| self.compile_for::<tape::TapeJson>()) else {
            return false;
        };
        let Some(tape) = tape::read(bytes) else {
            return false;
        };
        let Some(elements) = tape::TapeNode::root(&tape).and_then(|root| root.elements()) else {
            return false;
        };
        let mut keys = Vec::new();
        for element in elements {
            let Some(members) = element.members() else {
                return false;
            };
            let (mut key, mut value) = (None, None);
            for (name, v) in members {
                match name {
                    "key" => key = v.text(),
                    "value" => value = Some(v),
                    _ => {}
                }
            }
            match (key, value) {
                (Some(k), Some(v)) if validator.is_valid(v) => keys.push(k),
                _ => return false,
            }
        }
        keys_pass(keys)
    }

    /// Validates `elements` given as one JSON value (as a binding receives it): the array's
    /// violations, or the `invalid_arguments` refusal every surface gives for another value.
    pub fn validate_elements_value(&self, elements: &Value) -> Result<Vec<Violation>, crate::Refusal> {
        match elements {
            Value::Array(items) => Ok(self.validate_elements(items)),
            _ => Err(crate::Refusal::invalid_arguments("elements must be an array of {key, value} objects")),
        }
    }

    /// Validates the `elements` of a table: keys (T4) and values, at `/elements/<i>/...`.
    pub fn validate_elements(&self, elements: &[Value]) -> Vec<Violation> {
        let mut sink = Sink::default();
        check_elements(&mut sink, &Pointer::root().key("elements"), elements, Some(self));
        crate::report::cap(&mut sink.out);
        sink.out
    }

    fn push_errors(&self, sink: &mut Sink, at: &Pointer, value: &Value) {
        for e in self.validator.iter_errors(value) {
            if sink.is_full() {
                break;
            }
            let path = at.join_escaped(e.instance_path().as_str());
            sink.push_with(&path, keyword_code(e.kind()), error_message(&e), keyword_params(e.kind()));
        }
    }
}

/// The code of a failed keyword: `schema_<keyword in snake_case>`, one code per keyword the
/// validator can fail. The match names every error kind, so a validator upgrade that adds one
/// does not compile until it has a code. `Custom` comes only from custom keywords, and this
/// library registers none; it is reported as `invalid_schema` should it ever appear.
pub fn keyword_code(kind: &ValidationErrorKind) -> Code {
    use ValidationErrorKind as K;
    match kind {
        K::AdditionalItems { .. } => Code::SchemaAdditionalItems,
        K::AdditionalProperties { .. } => Code::SchemaAdditionalProperties,
        K::AnyOf { .. } => Code::SchemaAnyOf,
        K::BacktrackLimitExceeded { .. } | K::RegexEngineFailure { .. } | K::Pattern { .. } => Code::SchemaPattern,
        K::Constant { .. } => Code::SchemaConst,
        K::Contains => Code::SchemaContains,
        K::ContentEncoding { .. } | K::FromUtf8 { .. } => Code::SchemaContentEncoding,
        K::ContentMediaType { .. } => Code::SchemaContentMediaType,
        K::Custom { .. } => Code::InvalidSchema,
        K::Enum { .. } => Code::SchemaEnum,
        K::ExclusiveMaximum { .. } => Code::SchemaExclusiveMaximum,
        K::ExclusiveMinimum { .. } => Code::SchemaExclusiveMinimum,
        K::FalseSchema => Code::SchemaFalse,
        K::Format { .. } => Code::SchemaFormat,
        K::MaxItems { .. } => Code::SchemaMaxItems,
        K::Maximum { .. } => Code::SchemaMaximum,
        K::MaxLength { .. } => Code::SchemaMaxLength,
        K::MaxProperties { .. } => Code::SchemaMaxProperties,
        K::MinItems { .. } => Code::SchemaMinItems,
        K::Minimum { .. } => Code::SchemaMinimum,
        K::MinLength { .. } => Code::SchemaMinLength,
        K::MinProperties { .. } => Code::SchemaMinProperties,
        K::MultipleOf { .. } => Code::SchemaMultipleOf,
        K::Not { .. } => Code::SchemaNot,
        K::OneOfMultipleValid { .. } | K::OneOfNotValid { .. } => Code::SchemaOneOf,
        K::PropertyNames { .. } => Code::SchemaPropertyNames,
        K::Required { .. } => Code::SchemaRequired,
        K::Type { .. } => Code::SchemaType,
        K::UnevaluatedItems { .. } => Code::SchemaUnevaluatedItems,
        K::UnevaluatedProperties { .. } => Code::SchemaUnevaluatedProperties,
        K::UniqueItems => Code::SchemaUniqueItems,
        K::Referencing(_) => Code::UnresolvableRef,
    }
}

/// The params of a failed keyword: `keyword` (its name in the schema, e.g. `maxLength`), and
/// where the keyword has one, `limit` (the schema's bound), `field` (a missing required
/// property), `format` (the format name) or `expected` (the JSON types `type` allows).
pub fn keyword_params(kind: &ValidationErrorKind) -> Params {
    use ValidationErrorKind as K;
    // An unresolvable reference and a custom keyword (reported as `unresolvable_ref` and
    // `invalid_schema`) are no keyword of the schema failing: their codes have no params.
    if matches!(kind, K::Referencing(_) | K::Custom { .. }) {
        return Params::new();
    }
    let p = Params::new().text("keyword", kind.keyword());
    let number = |v: &Value| match v.as_i64() {
        Some(n) => Param::Integer(n),
        None => Param::Number(v.as_f64().unwrap_or_default()),
    };
    match kind {
        K::Minimum { limit } | K::Maximum { limit } | K::ExclusiveMinimum { limit } | K::ExclusiveMaximum { limit } => {
            p.with("limit", number(limit))
        }
        K::MultipleOf { multiple_of } => p.with("limit", number(&Value::from(*multiple_of))),
        K::MinLength { limit } | K::MaxLength { limit } | K::MinItems { limit } | K::MaxItems { limit } => {
            p.int("limit", *limit)
        }
        K::MinProperties { limit } | K::MaxProperties { limit } => p.int("limit", *limit),
        K::Required { property } => p.text("field", property.as_str().unwrap_or_default()),
        K::Format { format } => p.text("format", format),
        K::Type { kind } => {
            use jsonschema::error::TypeKind;
            let types: Vec<&str> = match kind {
                TypeKind::Single(t) => vec![t.as_str()],
                TypeKind::Multiple(set) => set.iter().map(|t| t.as_str()).collect(),
            };
            p.list("expected", types)
        }
        _ => p,
    }
}

/// A validator's message with the instance masked (user data never lands in a message),
/// starting lowercase and cut to a readable length.
fn error_message(e: &ValidationError<'_>) -> String {
    tidy(&e.masked().to_string())
}

/// The message of a schema the validator could not compile. A pattern the engine refuses is
/// said in plain words: look-around and back-references, which it does not run, or a pattern
/// too large once compiled (the engine's own text is only "is not a regex").
fn build_error_message(e: &ValidationError<'_>) -> String {
    let pattern = match e.kind() {
        ValidationErrorKind::Format { format } if format == "regex" => e.instance().as_str(),
        _ => None,
    };
    match pattern {
        Some(p) if uses_backtracking(p) => "the pattern uses look-around or a back-reference; agentrules runs patterns on a linear-time engine only, where the cost of a match is bounded, and such patterns cannot be".to_string(),
        Some(p) if regex::RegexBuilder::new(p).size_limit(PATTERN_SIZE_LIMIT).build().is_err_and(|e| matches!(e, regex::Error::CompiledTooBig(_))) => format!(
            "the pattern is too large once compiled (more than {} KiB): use fewer or smaller repetitions",
            PATTERN_SIZE_LIMIT / 1024
        ),
        Some(_) => "the pattern is not a regular expression".to_string(),
        None => tidy(&e.to_string()),
    }
}

/// Whether an ECMA-262 pattern uses look-around (`(?=`, `(?!`, `(?<=`, `(?<!`) or a
/// back-reference (`\1`…`\9`, `\k<name>`) outside a character class.
fn uses_backtracking(pattern: &str) -> bool {
    let b = pattern.as_bytes();
    let mut i = 0usize;
    let mut in_class = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => {
                let next = b.get(i.saturating_add(1)).copied();
                if !in_class && matches!(next, Some(b'1'..=b'9') | Some(b'k')) {
                    return true;
                }
                i = i.saturating_add(1);
            }
            b'[' => in_class = true,
            b']' => in_class = false,
            b'(' if !in_class => {
                let rest = b.get(i.saturating_add(1)..).unwrap_or_default();
                if rest.starts_with(b"?=")
                    || rest.starts_with(b"?!")
                    || rest.starts_with(b"?<=")
                    || rest.starts_with(b"?<!")
                {
                    return true;
                }
            }
            _ => {}
        }
        i = i.saturating_add(1);
    }
    false
}

fn tidy(text: &str) -> String {
    let mut out: String = text.trim().trim_end_matches('.').chars().take(200).collect();
    if let Some(first) = out.chars().next() {
        if first.is_uppercase() && !out.starts_with("JSON") {
            let lower: String = first.to_lowercase().collect();
            out.replace_range(..first.len_utf8(), &lower);
        }
    }
    if out.is_empty() {
        out.push_str("the schema is invalid");
    }
    out
}

fn draft_of(schema: &Value, options: &TableOptions, sink: &mut Sink, at: &Pointer) -> Option<Draft> {
    let Some(uri) = schema.get("$schema") else { return Some(Draft::Draft202012) };
    let p = at.key("$schema");
    let Value::String(uri) = uri else {
        mismatch(sink, &p, "a meta-schema URI", uri);
        return None;
    };
    let bare = uri.trim_end_matches('#');
    if let Some((_, d)) = DRAFTS.iter().find(|(u, _)| *u == bare) {
        return Some(*d);
    }
    if options.documents.contains_key(bare) {
        // A caller-supplied meta-schema: the validator resolves it from memory.
        return Some(Draft::Unknown);
    }
    sink.push(
        &p,
        Code::InvalidSchema,
        format!("{} is not a supported draft; use 2020-12 (the default), 2019-09 or 7", quote(uri)),
    );
    None
}

/// The builder every table validator is compiled with, for any instance representation.
fn builder_for<'i, F: jsonschema::json::Json>(
    documents: &HashMap<String, Value>,
    draft: Draft,
) -> jsonschema::ValidationOptions<'i, std::sync::Arc<dyn Retrieve>, F> {
    let builder =
        jsonschema::options_for::<F>().with_retriever(MemoryRetriever(documents.clone())).with_pattern_options(
            PatternOptions::regex().size_limit(PATTERN_SIZE_LIMIT).dfa_size_limit(PATTERN_DFA_SIZE_LIMIT),
        );
    if draft == Draft::Unknown {
        builder
    } else {
        builder.with_draft(draft)
    }
}

/// Compiles `schema`, reporting at `at` + the path inside the schema.
fn compile(schema: &Value, at: &Pointer, options: &TableOptions) -> Result<TableValidator, Vec<Violation>> {
    let mut sink = Sink::default();
    match schema {
        Value::Object(_) | Value::Bool(_) => {}
        other => {
            sink.push(
                at,
                Code::InvalidSchema,
                format!("a JSON Schema is an object or a boolean, not {}", crate::json::type_name(other)),
            );
            return Err(sink.out);
        }
    }
    let draft = draft_of(schema, options, &mut sink, at);
    if options.require_object_root && schema.get("type").and_then(Value::as_str) != Some("object") {
        sink.push(
            at,
            Code::SchemaNotObject,
            "a table schema must describe objects: its root needs \"type\": \"object\"",
        );
    }
    let Some(draft) = draft else { return Err(sink.out) };
    // Bounds on the work and stack validation needs, before anything is compiled
    // (the meta-schema included).
    let bounds = crate::table_bounds::check(schema, at);
    if !bounds.is_empty() {
        sink.extend(bounds);
        return Err(sink.out);
    }
    // Every meta-schema violation, not only the first, for the bundled drafts.
    if draft != Draft::Unknown {
        if let Ok(meta) = jsonschema::meta::validator_for(schema) {
            for e in meta.iter_errors(schema) {
                let path = at.join_escaped(e.instance_path().as_str());
                sink.push(&path, Code::InvalidSchema, tidy(&e.to_string()));
            }
        }
        if sink.out.iter().any(|v| v.code == Code::InvalidSchema) {
            return Err(sink.out);
        }
    }
    let builder = builder_for::<jsonschema::json::SerdeJson>(&options.documents, draft);
    match builder.build(schema) {
        Ok(validator) if sink.out.is_empty() => Ok(TableValidator {
            validator,
            schema: schema.clone(),
            documents: options.documents.clone(),
            draft,
            on_tape: std::sync::OnceLock::new(),
        }),
        Ok(_) => Err(sink.out),
        Err(e) => {
            if let ValidationErrorKind::Referencing(err) = e.kind() {
                let refs = unresolvable_refs(schema, options);
                if refs.is_empty() {
                    sink.push(at, Code::UnresolvableRef, tidy(&err.to_string()));
                }
                for (ptr, r) in refs {
                    let why = if r.starts_with('#') {
                        "names nothing in this schema"
                    } else {
                        "is outside this schema, and agentrules never fetches schemas"
                    };
                    sink.push(&at.join_escaped(&ptr), Code::UnresolvableRef, format!("{} {why}", quote(&r)));
                }
            } else {
                sink.push(&at.join_escaped(e.instance_path().as_str()), Code::InvalidSchema, build_error_message(&e));
            }
            Err(sink.out)
        }
    }
}

/// `$ref`s (with their pointers, pointing at the `$ref` member) that name neither a place in this
/// document nor a supplied document.
fn unresolvable_refs(schema: &Value, options: &TableOptions) -> Vec<(String, String)> {
    let mut ids = HashSet::new();
    collect_ids(schema, &mut ids);
    let mut out = Vec::new();
    walk_refs(schema, schema, "", &ids, options, &mut out);
    out
}

fn collect_ids<'a>(v: &'a Value, ids: &mut HashSet<&'a str>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(id)) = m.get("$id") {
                ids.insert(id.split('#').next().unwrap_or_default());
            }
            m.values().for_each(|c| collect_ids(c, ids));
        }
        Value::Array(a) => a.iter().for_each(|c| collect_ids(c, ids)),
        _ => {}
    }
}

fn walk_refs(
    root: &Value,
    v: &Value,
    here: &str,
    ids: &HashSet<&str>,
    options: &TableOptions,
    out: &mut Vec<(String, String)>,
) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                let resolvable = match r.split_once('#') {
                    Some(("", frag)) => fragment_resolves(root, frag),
                    Some(_) | None if !r.starts_with('#') => {
                        let base = r.split('#').next().unwrap_or_default();
                        ids.iter().any(|id| id.ends_with(base)) || options.documents.contains_key(base)
                    }
                    _ => true,
                };
                if !resolvable {
                    out.push((format!("{here}/$ref"), r.clone()));
                }
            }
            for (k, c) in m {
                walk_refs(root, c, &format!("{here}/{}", crate::pointer::escape(k)), ids, options, out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                walk_refs(root, c, &format!("{here}/{i}"), ids, options, out);
            }
        }
        _ => {}
    }
}

fn fragment_resolves(root: &Value, frag: &str) -> bool {
    if frag.is_empty() {
        return true;
    }
    if !frag.starts_with('/') {
        // A plain-name fragment (`#foo`) names an `$anchor`; leave those to the validator.
        return true;
    }
    let decoded = percent_encoding::percent_decode_str(frag).decode_utf8_lossy();
    root.pointer(&decoded).is_some()
}

/// T4: element keys, and values when a validator is given. Pointers are built only when there
/// is something to report: a valid row costs a key lookup, a set insert and `is_valid`.
fn check_elements(sink: &mut Sink, path: &Pointer, elements: &[Value], validator: Option<&TableValidator>) {
    let mut seen: rustc_hash::FxHashSet<&str> =
        rustc_hash::FxHashSet::with_capacity_and_hasher(elements.len(), Default::default());
    for (i, el) in elements.iter().enumerate() {
        if sink.is_full() {
            break;
        }
        let Value::Object(obj) = el else {
            mismatch(sink, &path.index(i), "an element { key, value }", el);
            continue;
        };
        // Elements are small: a scan beats two hashed look-ups.
        let (mut key, mut value) = (None, None);
        for (k, v) in obj {
            match k.as_str() {
                "key" => key = Some(v),
                "value" => value = Some(v),
                _ => {}
            }
        }
        match key {
            Some(Value::String(k)) if !crate::json::is_blank(k) => {
                if !seen.insert(k.as_str()) {
                    let kp = path.index(i).key("key");
                    sink.push(&kp, Code::DuplicateKey, format!("key {} is used by an earlier element", quote(k)));
                }
            }
            Some(k) => check_text(sink, &path.index(i).key("key"), k, "an element key"),
            None => sink.push(&path.index(i).key("key"), Code::Required, "an element needs a key"),
        }
        match (value, validator) {
            (None, _) => sink.push(&path.index(i).key("value"), Code::Required, "an element needs a value"),
            (Some(v), Some(validator)) if !validator.validator.is_valid(v) => {
                validator.push_errors(sink, &path.index(i).key("value"), v);
            }
            _ => {}
        }
    }
}

/// Whether element keys pass T4 (each a non-blank string, none used twice): with every value
/// valid, elements whose keys pass have no violation. For a binding's fast path; the
/// violations themselves come from [`TableValidator::validate_elements`].
pub fn keys_pass<'a>(keys: impl IntoIterator<Item = &'a str>) -> bool {
    let mut keys = keys.into_iter();
    let mut seen: rustc_hash::FxHashSet<&str> =
        rustc_hash::FxHashSet::with_capacity_and_hasher(keys.size_hint().0, Default::default());
    keys.all(|k| !crate::json::is_blank(k) && seen.insert(k))
}

/// Checks `TABLE` content `{ schema, elements }` (T2–T5).
pub fn check_table(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Some(obj) = as_object(&mut sink, &root, v, "table content { schema, elements }") else {
        return sink.out;
    };
    let validator = match obj.get("schema") {
        None => {
            sink.push(&root.key("schema"), Code::Required, "table content needs a schema");
            None
        }
        Some(schema) => match compile(schema, &root.key("schema"), &TableOptions::default()) {
            Ok(v) => Some(v),
            Err(vs) => {
                sink.extend(vs);
                None
            }
        },
    };
    match obj.get("elements") {
        None => sink.push(&root.key("elements"), Code::Required, "table content needs elements"),
        Some(Value::Array(elements)) => check_elements(&mut sink, &root.key("elements"), elements, validator.as_ref()),
        Some(other) => mismatch(&mut sink, &root.key("elements"), "an array of elements", other),
    }
    sink.out
}

/// Checks a table schema on its own (`check table-schema`): paths are inside the schema.
pub fn check_table_schema(v: &Value) -> Vec<Violation> {
    match compile(v, &Pointer::root(), &TableOptions::default()) {
        Ok(_) => Vec::new(),
        Err(vs) => vs,
    }
}

/// Checks `TABLE_ELEMENT` content `{ key, value }` (T2) without a schema: the key only.
pub(crate) fn check_element(sink: &mut Sink, path: &Pointer, v: &Value) {
    let Some(obj) = as_object(sink, path, v, "an element { key, value }") else {
        return;
    };
    match obj.get("key") {
        None => sink.push(&path.key("key"), Code::Required, "an element needs a key"),
        Some(k) => check_text(sink, &path.key("key"), k, "an element key"),
    }
    if !obj.contains_key("value") {
        sink.push(&path.key("value"), Code::Required, "an element needs a value");
    }
}

/// Compiles a schema at `at` for the artifact checks.
pub(crate) fn check_schema_at(sink: &mut Sink, at: &Pointer, schema: &Value, require_object: bool) {
    let options = TableOptions { require_object_root: require_object, ..TableOptions::default() };
    if let Err(vs) = compile(schema, at, &options) {
        sink.extend(vs);
    }
}

/// Checks table content at `at` (inside an artifact).
pub(crate) fn check_table_at(sink: &mut Sink, at: &Pointer, v: &Value) {
    sink.extend(check_table(v).into_iter().map(|mut violation| {
        violation.path = format!("{at}{}", violation.path);
        violation
    }));
}
