//! The launch request (`POST /api/v0/agents`, L1–L10) and the follow-up request
//! (`POST /api/v0/agents/{id}/followup`, L11).
//!
//! Decisions where the API documents are silent (each has a conformance case):
//! - The agent's kind follows the *presence* of the `workflowId` key, as L2 counts `prompt.text`
//!   as given whenever its key is present: `"workflowId": null` is a workflow request whose id is
//!   a `type_mismatch`.
//! - A `prompt` that is not an object is one `type_mismatch`; L2 does not also fire (one cause,
//!   one violation).
//! - L7 applies with or without `workflowId`: `{prompt, workflowInputs}` without `workflowId`
//!   reports both `prompt_with_workflow_inputs` at `/prompt` (L7) and `requires_workflow` at
//!   `/workflowInputs` (L6); the inputs are not checked further. Only a known prompt workflow
//!   replaces L7 (by L9).
//! - A `prompt` reported as `prompt_with_workflow_inputs` or `prompt_not_accepted` is not checked
//!   further (like `not_allowed_with_workflow`).
//! - `prompt.text`, whenever present, must be a non-blank string, whatever the agent's kind.
//! - An invalid `workflowId` never yields `workflow_mismatch`; a definition with an id is then
//!   not applied (its kind cannot be trusted to be this request's).
//! - A declared slot that is declared twice and omitted is `missing_slot` (omitting any declared
//!   key is invalid); set by name it is `ambiguous_slot`.
//! - `projectId` must be a UUID string; `null` is a `type_mismatch`.

use std::collections::{HashMap, HashSet};

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::capabilities::check_capabilities;
use crate::context::{Context, Slot};
use crate::image::check_images;
use crate::json::{self, as_object, check_text, check_uuid, is_uuid, mismatch, unknown_field};
use crate::pointer::Pointer;
use crate::report::{quote, Code, Report, Sink, Violation};

pub mod fast;

/// The fields of a launch body (L1).
pub const LAUNCH_FIELDS: [&str; 6] = ["prompt", "workflowId", "fileIds", "workflowInputs", "capabilities", "projectId"];
const PROMPT_FIELDS: [&str; 2] = ["text", "images"];

/// What kind of agent a launch request starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind<'a> {
    /// No `workflowId`.
    Simple,
    /// A workflow whose definition declares file-input slots.
    SlotWorkflow(&'a [Slot]),
    /// A workflow whose definition declares none.
    PromptWorkflow,
    /// A workflow whose definition is not known.
    UnknownWorkflow,
}

/// Checks a launch body against L1–L10, I1–I6 and C1–C4.
///
/// ```
/// use agentrules::{launch::check_launch, Context, Code};
/// let body = serde_json::json!({ "prompt": { "text": "  " }, "fileIds": ["nope"] });
/// let v = check_launch(&body, &Context::default());
/// let got: Vec<(&str, Code)> = v.iter().map(|v| (v.path.as_str(), v.code)).collect();
/// assert_eq!(got, [("/prompt/text", Code::EmptyText), ("/fileIds/0", Code::InvalidUuid)]);
/// ```
pub fn check_launch(v: &Value, ctx: &Context) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Some(obj) = as_object(&mut sink, &root, v, "a JSON object") else {
        return sink.out;
    };
    let has_workflow = obj.contains_key("workflowId");
    let has_inputs = obj.contains_key("workflowInputs");
    let prompt = obj.get("prompt");
    let text_given = matches!(prompt, Some(Value::Object(p)) if p.contains_key("text"));
    let prompt_wrong_type = matches!(prompt, Some(p) if !p.is_object());

    // Which definition applies, and whether it names another workflow.
    let (kind, mismatch_with) = kind_of(obj.get("workflowId").map(|w| w.as_str()), ctx);

    // L2, at the document itself, before its fields.
    if !has_workflow && !text_given && !prompt_wrong_type {
        sink.push(
            &root,
            Code::MissingPromptOrWorkflow,
            "give prompt.text for a simple agent or workflowId for a workflow agent",
        );
    }

    for (key, value) in obj {
        let path = root.key(key);
        match key.as_str() {
            "prompt" => match prompt_rule(kind, has_inputs) {
                PromptRule::WithInputs => prompt_with_inputs(&mut sink, &path),
                PromptRule::NotAccepted => sink.push(
                    &path,
                    Code::PromptNotAccepted,
                    "this workflow takes files through workflowInputs, not a prompt",
                ),
                PromptRule::Check { text_required } => check_prompt(&mut sink, &path, value, text_required, ctx),
            },
            "workflowId" => {
                check_uuid(&mut sink, &path, value);
                if let Some(did) = mismatch_with {
                    sink.push(
                        &path,
                        Code::WorkflowMismatch,
                        format!("the workflow definition given is for workflow {}", quote(did)),
                    );
                }
            }
            "fileIds" | "capabilities" if has_workflow => sink.push(
                &path,
                Code::NotAllowedWithWorkflow,
                format!("{key} is for simple agents only; workflow agents inherit the workflow's"),
            ),
            "fileIds" => check_id_list(&mut sink, &path, value),
            "capabilities" => check_capabilities(&mut sink, &path, value, ctx),
            "workflowInputs" => match kind {
                Kind::Simple => sink.push(&path, Code::RequiresWorkflow, "workflowInputs requires workflowId"),
                Kind::PromptWorkflow => sink.push(
                    &path,
                    Code::InputsNotAccepted,
                    "this workflow is driven by prompt.text and declares no input slots",
                ),
                Kind::SlotWorkflow(slots) => check_slots(&mut sink, &path, value, slots),
                Kind::UnknownWorkflow => check_inputs_shape(&mut sink, &path, value),
            },
            "projectId" => {
                check_uuid(&mut sink, &path, value);
            }
            _ => unknown_field(&mut sink, &path, key, &LAUNCH_FIELDS),
        }
    }

    // Fields the kind requires but the body lacks.
    match kind {
        Kind::SlotWorkflow(_) if !has_inputs => sink.push(
            &root.key("workflowInputs"),
            Code::Required,
            "this workflow takes its files through workflowInputs",
        ),
        Kind::PromptWorkflow if prompt.is_none() => {
            sink.push(&root.key("prompt").key("text"), Code::Required, "this workflow is driven by prompt.text")
        }
        _ => {}
    }
    sink.out
}

/// Checks a follow-up body against L11 and I1–I6.
///
/// ```
/// use agentrules::{launch::check_follow_up, Context, Code};
/// let v = check_follow_up(&serde_json::json!({ "prompt": {} }), &Context::default());
/// assert_eq!((v[0].path.as_str(), v[0].code), ("/prompt/text", Code::Required));
/// ```
pub fn check_follow_up(v: &Value, ctx: &Context) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Some(obj) = as_object(&mut sink, &root, v, "a JSON object") else {
        return sink.out;
    };
    for (key, value) in obj {
        let path = root.key(key);
        match key.as_str() {
            "prompt" => check_prompt(&mut sink, &path, value, true, ctx),
            _ => unknown_field(&mut sink, &path, key, &["prompt"]),
        }
    }
    if !obj.contains_key("prompt") {
        sink.push(&root.key("prompt"), Code::Required, "a follow-up needs a prompt with text");
    }
    sink.out
}

/// Which kind of agent a launch body asks for, from its `workflowId` (`None`: no such key;
/// `Some(None)`: a key whose value is not a string) and the context's definition, and the id
/// of the definition when it names another workflow (L8's `workflow_mismatch`).
fn kind_of<'c>(workflow_id: Option<Option<&str>>, ctx: &'c Context) -> (Kind<'c>, Option<&'c str>) {
    let Some(id) = workflow_id else {
        return (Kind::Simple, None);
    };
    let request_id = id.filter(|s| is_uuid(s));
    let Some(def) = ctx.workflow.as_ref() else {
        return (Kind::UnknownWorkflow, None);
    };
    let mut mismatch_with = None;
    let applies = match (&def.id, request_id) {
        (None, _) => true,
        (Some(did), Some(rid)) if did.eq_ignore_ascii_case(rid) => true,
        (Some(did), Some(_)) => {
            mismatch_with = Some(did.as_str());
            false
        }
        (Some(_), None) => false,
    };
    let kind = match (applies, def.slots.as_deref()) {
        (true, Some([])) => Kind::PromptWorkflow,
        (true, Some(slots)) => Kind::SlotWorkflow(slots),
        _ => Kind::UnknownWorkflow,
    };
    (kind, mismatch_with)
}

/// What becomes of a launch body's `prompt` (L7–L9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PromptRule {
    /// `prompt_with_workflow_inputs`, not checked further.
    WithInputs,
    /// `prompt_not_accepted` (a slot workflow), not checked further.
    NotAccepted,
    /// Checked as a prompt, its text required or not.
    Check { text_required: bool },
}

fn prompt_rule(kind: Kind<'_>, has_inputs: bool) -> PromptRule {
    match kind {
        Kind::SlotWorkflow(_) if has_inputs => PromptRule::WithInputs,
        Kind::SlotWorkflow(_) => PromptRule::NotAccepted,
        Kind::UnknownWorkflow | Kind::Simple if has_inputs => PromptRule::WithInputs,
        Kind::PromptWorkflow => PromptRule::Check { text_required: true },
        Kind::Simple | Kind::UnknownWorkflow => PromptRule::Check { text_required: false },
    }
}

fn prompt_with_inputs(sink: &mut Sink, path: &Pointer) {
    sink.push(
        path,
        Code::PromptWithWorkflowInputs,
        "a workflow that takes workflowInputs takes no prompt (images included)",
    );
}

/// `prompt`: an object with `text` and `images` only.
fn check_prompt(sink: &mut Sink, path: &Pointer, v: &Value, text_required: bool, ctx: &Context) {
    let Some(p) = as_object(sink, path, v, "an object { text, images }") else {
        return;
    };
    for (key, value) in p {
        let kp = path.key(key);
        match key.as_str() {
            "text" => check_text(sink, &kp, value, "prompt.text"),
            "images" => check_images(sink, &kp, value, &ctx.limits),
            _ => unknown_field(sink, &kp, key, &PROMPT_FIELDS),
        }
    }
    if text_required && !p.contains_key("text") {
        sink.push(&path.key("text"), Code::Required, "prompt.text is required");
    }
}

/// `fileIds`: UUIDs, no id twice (compared without case).
fn check_id_list(sink: &mut Sink, path: &Pointer, v: &Value) {
    let Value::Array(items) = v else {
        mismatch(sink, path, "an array of file ids", v);
        return;
    };
    let mut seen = HashSet::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        if let Some(id) = check_uuid(sink, &p, item) {
            if !seen.insert(id.to_ascii_lowercase()) {
                sink.push(&p, Code::DuplicateId, format!("file id {} is listed twice", quote(id)));
            }
        }
    }
}

/// `workflowInputs` of a slot workflow whose definition is known (L8).
fn check_slots(sink: &mut Sink, path: &Pointer, v: &Value, slots: &[Slot]) {
    let Some(inputs) = as_object(sink, path, v, "an object keyed by slot name") else {
        return;
    };
    let mut declared: HashMap<&str, (usize, &Slot)> = HashMap::with_capacity(slots.len());
    for slot in slots {
        let entry = declared.entry(slot.name.as_str()).or_insert((0, slot));
        entry.0 = entry.0.saturating_add(1);
    }
    for (key, value) in inputs {
        let p = path.key(key);
        match declared.get(key.as_str()) {
            None => sink.push(&p, Code::UnknownSlot, format!("the workflow declares no slot {}", quote(key))),
            Some((n, _)) if *n > 1 => sink.push(
                &p,
                Code::AmbiguousSlot,
                format!("the workflow declares slot {} {n} times, so it cannot be set by name", quote(key)),
            ),
            Some((_, slot)) => check_slot_value(sink, &p, value, slot),
        }
    }
    let mut reported = HashSet::new();
    for slot in slots {
        if !inputs.contains_key(&slot.name) && reported.insert(slot.name.as_str()) {
            sink.push(
                &path.key(&slot.name),
                Code::MissingSlot,
                format!("slot {} is missing; give every slot, null for an optional one left unset", quote(&slot.name)),
            );
        }
    }
}

fn check_slot_value(sink: &mut Sink, path: &Pointer, v: &Value, slot: &Slot) {
    match (v, slot.multiple) {
        (Value::Null, _) => {
            if slot.required {
                sink.push(
                    path,
                    Code::SlotRequired,
                    format!("slot {} is required; null leaves only optional slots unset", quote(&slot.name)),
                );
            }
        }
        (Value::String(_), false) => {
            check_uuid(sink, path, v);
        }
        (Value::Array(items), true) => {
            if items.is_empty() && slot.required {
                sink.push(
                    path,
                    Code::SlotRequired,
                    format!("slot {} is required and needs at least one file", quote(&slot.name)),
                );
            }
            for (i, item) in items.iter().enumerate() {
                check_uuid(sink, &path.index(i), item);
            }
        }
        (other, false) => mismatch(sink, path, "one file id (a UUID string)", other),
        (other, true) => mismatch(sink, path, "an array of file ids", other),
    }
}

/// `workflowInputs` when the workflow's definition is unknown: only the value shapes.
fn check_inputs_shape(sink: &mut Sink, path: &Pointer, v: &Value) {
    let Some(inputs) = as_object(sink, path, v, "an object keyed by slot name") else {
        return;
    };
    for (key, value) in inputs {
        let p = path.key(key);
        match value {
            Value::Null => {}
            Value::String(_) => {
                check_uuid(sink, &p, value);
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_uuid(sink, &p.index(i), item);
                }
            }
            other => mismatch(sink, &p, "a file id, an array of file ids or null", other),
        }
    }
}

// ---- Typed request values (serde + JSON Schema) ----

/// An inline image of a prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["image/jpeg", "image/png", "image/webp", "image/gif"])))]
    pub media_type: String,
    /// Raw base64 of the image bytes (not a data URL); at most 20 MiB once decoded.
    #[cfg_attr(feature = "schema", schemars(extend("contentEncoding" = "base64")))]
    pub data: String,
}

/// The `prompt` of a launch request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Prompt {
    /// Text instruction; required for simple agents and prompt-driven workflows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("pattern" = "\\S")))]
    pub text: Option<String>,
    /// Up to 4 inline images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("maxItems" = 4)))]
    pub images: Option<Vec<Image>>,
}

/// `codeSearch`: `true`/`false`, or an object with a default jurisdiction (which enables it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum CodeSearch {
    /// On or off.
    Enabled(bool),
    /// On, biased to a jurisdiction.
    Options(CodeSearchOptions),
}

/// The object form of `codeSearch`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CodeSearchOptions {
    /// Default jurisdiction for regulatory search, e.g. `California`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("pattern" = "\\S")))]
    pub jurisdiction: Option<String>,
}

/// Optional capabilities of a simple agent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Capabilities {
    /// Regulatory code search (`find_relevant_codes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_search: Option<CodeSearch>,
    /// Public web search (`web_search`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_search: Option<bool>,
}

/// The value of one `workflowInputs` slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum SlotValue {
    /// `null`: an optional slot left unset.
    Unset,
    /// A slot with `multiple=false`: one file id.
    One(#[cfg_attr(feature = "schema", schemars(extend("format" = "uuid")))] String),
    /// A slot with `multiple=true`: file ids.
    Many(Vec<String>),
}

/// The body of `POST /api/v0/agents`.
///
/// Deserialising checks types only; [`LaunchRequest::parse`] runs every rule first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
// The schema's description is for every language's users: the Rust paragraph stays here.
#[cfg_attr(feature = "schema", schemars(description = "The body of `POST /api/v0/agents`."))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LaunchRequest {
    /// Text (and images) for simple agents and prompt-driven workflows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<Prompt>,
    /// The workflow to run; omit for a simple agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("format" = "uuid")))]
    pub workflow_id: Option<String>,
    /// Files and folders a simple agent can read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("uniqueItems" = true)))]
    pub file_ids: Option<Vec<String>>,
    /// Named file inputs of a slot workflow, keyed by slot name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_inputs: Option<std::collections::BTreeMap<String, SlotValue>>,
    /// Extra tools for a simple agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
    /// The project to scope the agent to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("format" = "uuid")))]
    pub project_id: Option<String>,
}

/// The `prompt` of a follow-up: text is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FollowUpPrompt {
    /// The follow-up instruction.
    #[cfg_attr(feature = "schema", schemars(extend("pattern" = "\\S")))]
    pub text: String,
    /// Up to 4 inline images, as in a launch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("maxItems" = 4)))]
    pub images: Option<Vec<Image>>,
}

/// The body of `POST /api/v0/agents/{id}/followup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FollowUpRequest {
    /// The new instruction.
    pub prompt: FollowUpPrompt,
}

impl LaunchRequest {
    /// Checks a launch body (JSON text) and, when it is valid, returns it typed.
    ///
    /// ```
    /// let req = agentrules::LaunchRequest::parse(r#"{"prompt": {"text": "Summarise"}}"#, &Default::default()).unwrap();
    /// assert_eq!(req.prompt.unwrap().text.as_deref(), Some("Summarise"));
    /// ```
    pub fn parse(text: &str, ctx: &Context) -> Result<LaunchRequest, Report> {
        typed(text, |v| check_launch(v, ctx))
    }
}

impl FollowUpRequest {
    /// Checks a follow-up body (JSON text) and, when it is valid, returns it typed.
    pub fn parse(text: &str, ctx: &Context) -> Result<FollowUpRequest, Report> {
        typed(text, |v| check_follow_up(v, ctx))
    }
}

fn typed<T: serde::de::DeserializeOwned>(text: &str, check: impl Fn(&Value) -> Vec<Violation>) -> Result<T, Report> {
    let v = json::parse(text).map_err(|v| Report::new(vec![v]))?;
    let violations = check(&v);
    if !violations.is_empty() {
        return Err(Report::new(violations));
    }
    // Every rule passed, so the typed shape fits; an error here would be a library bug, reported
    // rather than panicked on.
    serde_json::from_value(v).map_err(|e| {
        Report::new(vec![Violation::new(
            &Pointer::root(),
            Code::TypeMismatch,
            format!("the body does not fit the request type: {e}"),
        )
        .with(crate::json::type_params("an object", "object"))])
    })
}

/// The JSON Schema (draft 2020-12) of the launch body, generated from [`LaunchRequest`].
/// The schema states the shapes; the cross-field rules (L2–L9) live in [`check_launch`].
#[cfg(feature = "schema")]
pub fn launch_schema() -> Value {
    schema_of::<LaunchRequest>()
}

/// The JSON Schema (draft 2020-12) of the follow-up body, generated from [`FollowUpRequest`].
#[cfg(feature = "schema")]
pub fn follow_up_schema() -> Value {
    schema_of::<FollowUpRequest>()
}

/// Optional fields may be omitted but are never `null` (L10: `null` is a `type_mismatch`), so
/// the `null` that schemars adds to every `Option` property is taken out again.
#[cfg(feature = "schema")]
pub(crate) fn schema_of<T: JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema = serde_json::to_value(generator.into_root_schema_for::<T>()).unwrap_or(Value::Null);
    drop_null_from_properties(&mut schema);
    crate::schema::plain_descriptions(&mut schema);
    schema
}

#[cfg(feature = "schema")]
fn drop_null_from_properties(v: &mut Value) {
    let Value::Object(obj) = v else { return };
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for prop in props.values_mut() {
            let Value::Object(p) = prop else { continue };
            if let Some(Value::Array(types)) = p.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    p.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(any)) = p.get_mut("anyOf") {
                any.retain(|s| s.get("type").and_then(Value::as_str) != Some("null"));
                if let [only] = any.as_slice() {
                    let only = only.clone();
                    p.remove("anyOf");
                    if let Value::Object(o) = only {
                        p.extend(o);
                    }
                }
            }
        }
    }
    for child in obj.values_mut() {
        match child {
            Value::Object(_) => drop_null_from_properties(child),
            Value::Array(items) => items.iter_mut().for_each(drop_null_from_properties),
            _ => {}
        }
    }
}
