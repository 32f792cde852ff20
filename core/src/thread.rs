//! Threads and messages (H1–H4 of `docs/rules.md`): thread create and rename bodies, and the
//! metadata a thread's messages carry (domain hints, tier used, tools invoked, episode ids, and
//! the run and work item a streamed answer came from).
//!
//! Decisions where the NOME reference is silent (each has a conformance case):
//! - **Titles** (H1): a string; blank is `empty_text`; at most [`MAX_TITLE_CHARS`] (200) Unicode
//!   scalar values once leading and trailing whitespace is trimmed (`too_long`); no control
//!   characters anywhere, line breaks and tabs included (`control_character`): a title is one line
//!   in every list it appears in.
//! - **Create** (H2) takes `{ title? }` (the server names an untitled thread); **rename** takes
//!   `{ title }`. Other fields are `unknown_field`.
//! - **Message metadata** (H3) is written by the server, so fields this library does not know are
//!   ignored (a newer server may add some); the known ones are checked: `domainHints` an array
//!   of non-blank, distinct strings (`duplicate_value` at the repeat); `tierUsed` a non-blank
//!   string (tiers are the server's to name); `toolsInvoked` an array of non-blank tool names
//!   (a tool may appear more than once: it ran more than once); `episodeIds` an array of
//!   non-blank, distinct ids (`duplicate_id`).
//! - **Posting a message** (the chat request, decided): `{ text, domainHints?, agentId?, online? }`:
//!   `text` a non-blank string, `domainHints` as H3, `agentId` a non-blank string (which agent
//!   answers), `online` a boolean (whether the posting device is online, P2); other fields are
//!   `unknown_field` (a request, so strict).
//! - **Run ids** (H4): `runId` and `workItemId` are non-blank strings and come together, as on
//!   every streamed event (R3): one without the other is `required` at the missing one.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::json::{as_object, check_fields, check_text, is_blank, mismatch, read_text_list};
use crate::pointer::Pointer;
use crate::report::{Code, Params, Sink, Violation};

/// H1: the longest title, in Unicode scalar values after trimming.
pub const MAX_TITLE_CHARS: usize = 200;

/// H1: checks a thread title.
fn check_title(sink: &mut Sink, path: &Pointer, v: &Value) {
    let Value::String(s) = v else {
        mismatch(sink, path, "a string", v);
        return;
    };
    if is_blank(s) {
        sink.push(path, Code::EmptyText, "a thread title must not be blank");
        return;
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        sink.push(
            path,
            Code::ControlCharacter,
            format!("a thread title is one line without control characters; found {}", c.escape_unicode()),
        );
    }
    let n = s.trim().chars().count();
    if n > MAX_TITLE_CHARS {
        sink.push_with(
            path,
            Code::TooLong,
            format!("a thread title has at most {MAX_TITLE_CHARS} characters, not {n}"),
            Params::new().int("length", n).int("max", MAX_TITLE_CHARS),
        );
    }
}

/// H2: checks a thread create body `{ title? }`.
pub fn check_create(v: &Value) -> Vec<Violation> {
    check_body(v, false)
}

/// H2: checks a thread rename body `{ title }`.
pub fn check_rename(v: &Value) -> Vec<Violation> {
    check_body(v, true)
}

fn check_body(v: &Value, title_required: bool) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    if let Some(obj) = as_object(&mut sink, &root, v, "an object") {
        check_fields(&mut sink, &root, obj, &["title"]);
        match obj.get("title") {
            Some(t) => check_title(&mut sink, &root.key("title"), t),
            None if title_required => sink.push(&root.key("title"), Code::Required, "a rename needs `title`"),
            None => {}
        }
    }
    sink.out
}

/// H3/H4: the metadata of a message, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct MessageMetadata {
    /// Domain hints, in order.
    #[serde(default)]
    pub domain_hints: Vec<String>,
    /// The tier that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub tier_used: Option<String>,
    /// The tools invoked, in order.
    #[serde(default)]
    pub tools_invoked: Vec<String>,
    /// The episodes to replay.
    #[serde(default)]
    pub episode_ids: Vec<String>,
    /// The run that produced the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub run_id: Option<String>,
    /// The work item within the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub work_item_id: Option<String>,
}

fn read_text(sink: &mut Sink, obj: &Map<String, Value>, path: &Pointer, key: &str) -> Option<String> {
    let v = obj.get(key)?;
    check_text(sink, &path.key(key), v, key);
    v.as_str().filter(|s| !is_blank(s)).map(str::to_owned)
}

fn read_metadata(sink: &mut Sink, v: &Value) -> MessageMetadata {
    let root = Pointer::root();
    let mut md = MessageMetadata::default();
    let Some(obj) = as_object(sink, &root, v, "an object") else {
        return md;
    };
    if let Some(h) = obj.get("domainHints") {
        md.domain_hints =
            read_text_list(sink, &root.key("domainHints"), h, "a domain hint", Some(Code::DuplicateValue))
                .unwrap_or_default();
    }
    md.tier_used = read_text(sink, obj, &root, "tierUsed");
    if let Some(t) = obj.get("toolsInvoked") {
        md.tools_invoked = read_text_list(sink, &root.key("toolsInvoked"), t, "a tool name", None).unwrap_or_default();
    }
    if let Some(e) = obj.get("episodeIds") {
        md.episode_ids = read_text_list(sink, &root.key("episodeIds"), e, "an episode id", Some(Code::DuplicateId))
            .unwrap_or_default();
    }
    md.run_id = read_text(sink, obj, &root, "runId");
    md.work_item_id = read_text(sink, obj, &root, "workItemId");
    match (obj.contains_key("runId"), obj.contains_key("workItemId")) {
        (true, false) => {
            sink.push(&root.key("workItemId"), Code::Required, "a message with `runId` needs `workItemId`")
        }
        (false, true) => sink.push(&root.key("runId"), Code::Required, "a message with `workItemId` needs `runId`"),
        _ => {}
    }
    md
}

/// H3/H4: checks message metadata (`check message-metadata`).
pub fn check_metadata(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    read_metadata(&mut sink, v);
    sink.out
}

impl MessageMetadata {
    /// Parses message metadata, or the report of what is wrong with it.
    ///
    /// ```
    /// let v = serde_json::json!({"domainHints": ["legal"], "tierUsed": "deep", "runId": "r1", "workItemId": "w1"});
    /// let md = agentrules::thread::MessageMetadata::from_value(&v).unwrap();
    /// assert_eq!(md.tier_used.as_deref(), Some("deep"));
    /// ```
    pub fn from_value(v: &Value) -> Result<MessageMetadata, crate::Report> {
        crate::report::collect(|sink| read_metadata(sink, v))
    }
}

/// The request fields of a message post ([`check_message_post`]).
pub const MESSAGE_POST_FIELDS: [&str; 4] = ["text", "domainHints", "agentId", "online"];

/// Checks a message post `{ text, domainHints?, agentId?, online? }` (the chat request that starts
/// a run; decided, see the module docs).
///
/// ```
/// let v = serde_json::json!({"text": "hello", "domainHints": ["legal", "legal"]});
/// assert_eq!(agentrules::thread::check_message_post(&v)[0].code, agentrules::Code::DuplicateValue);
/// ```
pub fn check_message_post(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    if let Some(obj) = as_object(&mut sink, &root, v, "an object") {
        check_fields(&mut sink, &root, obj, &MESSAGE_POST_FIELDS);
        match obj.get("text") {
            Some(t) => check_text(&mut sink, &root.key("text"), t, "a message's text"),
            None => sink.push(&root.key("text"), Code::Required, "a message needs `text`"),
        }
        if let Some(h) = obj.get("domainHints") {
            read_text_list(&mut sink, &root.key("domainHints"), h, "a domain hint", Some(Code::DuplicateValue));
        }
        check_run_options(&mut sink, obj);
    }
    sink.out
}

/// `agentId` (a non-blank string) and `online` (a boolean), as a message post and a run request
/// take them.
pub(crate) fn check_run_options(sink: &mut Sink, obj: &Map<String, Value>) {
    let root = Pointer::root();
    if let Some(a) = obj.get("agentId") {
        check_text(sink, &root.key("agentId"), a, "an agent id");
    }
    if let Some(o) = obj.get("online") {
        if !o.is_boolean() {
            mismatch(sink, &root.key("online"), "a boolean", o);
        }
    }
}

#[cfg(test)]
mod post_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_message_post_is_strict_and_checks_each_field() {
        assert!(check_message_post(&json!({"text": "hi", "domainHints": ["a"], "agentId": "x", "online": false}))
            .is_empty());
        let codes = |v: Value| check_message_post(&v).into_iter().map(|v| (v.path, v.code)).collect::<Vec<_>>();
        assert_eq!(codes(json!({})), vec![("/text".to_string(), Code::Required)]);
        assert_eq!(codes(json!({"text": " "})), vec![("/text".to_string(), Code::EmptyText)]);
        assert_eq!(
            codes(json!({"text": "a", "online": "yes", "agentId": "", "x": 1})),
            vec![
                ("/x".to_string(), Code::UnknownField),
                ("/agentId".to_string(), Code::EmptyText),
                ("/online".to_string(), Code::TypeMismatch)
            ]
        );
        assert_eq!(codes(json!([])), vec![(String::new(), Code::TypeMismatch)]);
    }
}
