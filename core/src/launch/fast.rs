//! The fast path of the launch and follow-up checks, for a body given as JSON bytes.
//!
//! Most bodies a form sends are valid, and for them the full check's cost is mostly not its rules
//! but the document it builds: a [`serde_json::Value`] (a map and a string allocation per field)
//! and a JSON Pointer per field visited. [`proves_valid`] reads the bytes instead into a small
//! typed struct of borrowed strings and asks the rules' own predicates ([`is_uuid`],
//! [`is_blank`], the image rules' [`check_data`](crate::image), the kind of agent and what its
//! kind allows) whether the body has no violation at all.
//!
//! It can only *prove validity*: its answer is `true` (the full check would report nothing) or
//! `false` (not proved: the full check decides, on the same bytes). It never builds a violation,
//! so it cannot give a report of its own, and every body it does not read (a number, `null`, an
//! array where an object belongs, an unknown or repeated field, a value of the wrong type, a
//! document of more than [`MAX_VALUES`] values) falls back to the full check. [`crate::check_bytes`]
//! uses it for the `launch` and `followup` kinds, so every surface that checks bytes gets it;
//! [`crate::check_bytes_full`] is the same check without it.
//!
//! Being a second walk of the input, it is guarded by a differential test (`core/tests/fast_path.rs`):
//! the conformance corpus and random mutations of it under several contexts must give identical
//! reports through [`crate::check_bytes`] and [`crate::check_bytes_full`].
//!
//! The bytes are read by a small reader of the JSON these bodies are, not by serde's derive
//! (a few hundred bytes of the browser package instead of kilobytes). Reading decisions, each a
//! way a typed read could accept what the full check refuses:
//! - Objects only: serde's derived structs also read a JSON array as a struct's fields in
//!   order; here an object is `{`…`}` and nothing else.
//! - `null` is not absence: a field is read as its type alone, so `"prompt": null` is not
//!   proved (the full check reports `type_mismatch`).
//! - A repeated name is not proved (the full parse refuses it), in `workflowInputs` too, which
//!   is read as a list of pairs; numbers are not read at all; the text must be UTF-8, strings
//!   without control characters, escapes decoded by serde_json as the full parse decodes them.

use std::borrow::Cow;

use super::{kind_of, prompt_rule, Kind, PromptRule};
use crate::capabilities::entitled;
use crate::context::{Context, Slot};
use crate::image::{check_data, MediaType};
use crate::json::{is_blank, is_uuid, MAX_VALUES};
use crate::pointer::Pointer;
use crate::report::Sink;

/// Whether the full check of `bytes` as `kind` under `ctx` would report no violation, proved
/// without building a document (see the module's documentation). `false` proves nothing; only
/// the `launch` and `followup` kinds are ever proved. The document limit
/// (`limits.maxDocumentBytes`) is the caller's to apply first, as [`crate::check_bytes`] does.
///
/// ```
/// use agentrules::{launch::fast::proves_valid, Context, Kind};
/// let ctx = Context::default();
/// assert!(proves_valid(Kind::Launch, br#"{"prompt": {"text": "Summarise"}}"#, &ctx));
/// assert!(!proves_valid(Kind::Launch, br#"{"prompt": {"text": " "}}"#, &ctx)); // blank: not proved
/// assert!(!proves_valid(Kind::Launch, br#"{"prompt": null}"#, &ctx));
/// ```
pub fn proves_valid(kind: crate::Kind, bytes: &[u8], ctx: &Context) -> bool {
    match kind {
        crate::Kind::Launch => read(bytes, read_launch).is_some_and(|b| launch_ok(&b, ctx)),
        crate::Kind::FollowUp => read(bytes, read_follow_up)
            .is_some_and(|b| prompt_values(&b.prompt) <= MAX_VALUES && prompt_ok(&b.prompt, true, ctx)),
        _ => false,
    }
}

fn launch_ok(b: &Launch<'_>, ctx: &Context) -> bool {
    let has_workflow = b.workflow_id.is_some();
    let has_inputs = b.workflow_inputs.is_some();
    let (kind, mismatch_with) = kind_of(b.workflow_id.as_ref().map(|w| Some(w.as_str())), ctx);
    let text_given = b.prompt.as_ref().is_some_and(|p| p.text.is_some());
    // L2 (a prompt read here is an object), L4/L5, L8's mismatch, the fields a kind requires.
    let shape_ok = (has_workflow || text_given)
        && mismatch_with.is_none()
        && !(has_workflow && (b.file_ids.is_some() || b.capabilities.is_some()))
        && match kind {
            Kind::SlotWorkflow(_) => has_inputs,
            Kind::PromptWorkflow => b.prompt.is_some(),
            Kind::Simple | Kind::UnknownWorkflow => true,
        };
    shape_ok
        && launch_values(b) <= MAX_VALUES
        && b.prompt.as_ref().is_none_or(|p| match prompt_rule(kind, has_inputs) {
            PromptRule::Check { text_required } => prompt_ok(p, text_required, ctx),
            PromptRule::WithInputs | PromptRule::NotAccepted => false,
        })
        && b.workflow_id.as_ref().is_none_or(|id| is_uuid(id.as_str()))
        && b.file_ids.as_deref().is_none_or(ids_ok)
        && b.capabilities.as_ref().is_none_or(|c| capabilities_ok(c, ctx))
        && b.workflow_inputs.as_ref().is_none_or(|inputs| inputs_ok(inputs, kind))
        && b.project_id.as_ref().is_none_or(|id| is_uuid(id.as_str()))
}

/// `check_prompt` without a violation: text non-blank (and given when required), images valid.
fn prompt_ok(p: &Prompt<'_>, text_required: bool, ctx: &Context) -> bool {
    let text_ok = match &p.text {
        Some(t) => !is_blank(t.as_str()),
        None => !text_required,
    };
    text_ok
        && p.images.as_deref().is_none_or(|images| {
            u64::try_from(images.len()).is_ok_and(|n| n <= ctx.limits.max_images)
                && images.iter().all(|img| {
                    // The image rules themselves, their violations (if any) counted, not kept.
                    MediaType::parse(img.media_type.as_str()).is_some_and(|m| {
                        let mut scratch = Sink::default();
                        check_data(&mut scratch, &Pointer::root(), img.data.as_str(), Some(m), &ctx.limits);
                        scratch.out.is_empty()
                    })
                })
        })
}

/// File ids: UUIDs, none twice (compared without case).
fn ids_ok(ids: &[Str<'_>]) -> bool {
    if !ids.iter().all(|id| is_uuid(id.as_str())) {
        return false;
    }
    // UUIDs are ASCII, compared without case; pairwise (no hash set: the browser package's
    // size), so a longer list than MAX_PAIRWISE is left to the full check.
    ids.len() <= MAX_PAIRWISE && all_distinct(ids, |a, b| a.as_str().eq_ignore_ascii_case(b.as_str()))
}

/// The longest list [`all_distinct`] compares pair by pair (at most 2,016 comparisons).
const MAX_PAIRWISE: usize = 64;

/// Whether no two items of `items` are `same`.
fn all_distinct<T>(items: &[T], same: impl Fn(&T, &T) -> bool) -> bool {
    items.iter().enumerate().all(|(i, a)| items.get(..i).unwrap_or_default().iter().all(|b| !same(a, b)))
}

fn capabilities_ok(c: &Capabilities<'_>, ctx: &Context) -> bool {
    let code = match &c.code_search {
        None | Some(CodeSearch::Switch(false)) => true,
        Some(CodeSearch::Switch(true)) => entitled(ctx, "codeSearch"),
        Some(CodeSearch::Options(j)) => j.as_ref().is_none_or(|j| !is_blank(j.as_str())) && entitled(ctx, "codeSearch"),
    };
    let web = match c.web_search {
        None | Some(false) => true,
        Some(true) => entitled(ctx, "webSearch"),
    };
    code && web
}

fn inputs_ok(inputs: &Inputs<'_>, kind: Kind<'_>) -> bool {
    if inputs.0.len() > MAX_PAIRWISE || !all_distinct(&inputs.0, |(a, _), (b, _)| a.as_str() == b.as_str()) {
        return false; // a repeated slot name (the full parse refuses it), or too many to compare
    }
    match kind {
        Kind::Simple | Kind::PromptWorkflow => false,
        Kind::UnknownWorkflow => inputs.0.iter().all(|(_, v)| match v {
            SlotValue::Unset => true,
            SlotValue::One(id) => is_uuid(id.as_str()),
            SlotValue::Many(ids) => ids.iter().all(|id| is_uuid(id.as_str())),
        }),
        Kind::SlotWorkflow(slots) => {
            let declared = |name: &str| {
                let mut found = slots.iter().filter(|s| s.name == name);
                match (found.next(), found.next()) {
                    (Some(s), None) => Some(s),
                    _ => None, // not declared, or declared twice (ambiguous)
                }
            };
            inputs.0.iter().all(|(k, v)| declared(k.as_str()).is_some_and(|s| slot_ok(s, v)))
                && slots.iter().all(|s| inputs.0.iter().any(|(k, _)| k.as_str() == s.name))
        }
    }
}

fn slot_ok(slot: &Slot, v: &SlotValue<'_>) -> bool {
    match (v, slot.multiple) {
        (SlotValue::Unset, _) => !slot.required,
        (SlotValue::One(id), false) => is_uuid(id.as_str()),
        (SlotValue::Many(ids), true) => !(ids.is_empty() && slot.required) && ids.iter().all(|id| is_uuid(id.as_str())),
        _ => false,
    }
}

/// How many JSON values the body holds (the root included), as the full parse counts them.
fn launch_values(b: &Launch<'_>) -> u64 {
    let n = |len: usize| u64::try_from(len).unwrap_or(u64::MAX);
    let mut count = 1u64;
    let mut add = |k: u64| count = count.saturating_add(k);
    if let Some(p) = &b.prompt {
        add(prompt_values(p));
    }
    if b.workflow_id.is_some() {
        add(1);
    }
    if let Some(ids) = &b.file_ids {
        add(n(ids.len()).saturating_add(1));
    }
    if let Some(inputs) = &b.workflow_inputs {
        add(1);
        for (_, v) in &inputs.0 {
            add(match v {
                SlotValue::Many(ids) => n(ids.len()).saturating_add(1),
                SlotValue::Unset | SlotValue::One(_) => 1,
            });
        }
    }
    if let Some(c) = &b.capabilities {
        add(1);
        add(match &c.code_search {
            None => 0,
            Some(CodeSearch::Switch(_)) | Some(CodeSearch::Options(None)) => 1,
            Some(CodeSearch::Options(Some(_))) => 2,
        });
        if c.web_search.is_some() {
            add(1);
        }
    }
    if b.project_id.is_some() {
        add(1);
    }
    count
}

fn prompt_values(p: &Prompt<'_>) -> u64 {
    let images =
        p.images.as_ref().map_or(0, |i| u64::try_from(i.len()).unwrap_or(u64::MAX).saturating_mul(3).saturating_add(1));
    1u64.saturating_add(u64::from(p.text.is_some())).saturating_add(images)
}

// ---- The typed read ----
//
// A small reader of exactly the JSON these bodies are (objects, arrays, strings, booleans,
// `null`; a number is not read) instead of serde's derive: its code is a few hundred bytes of
// the browser package where the derived structs' visitors and serde's error messages were
// kilobytes, and it needs no error: any text it does not read is `None`, the full check's.

/// A launch body (L1's fields).
#[derive(Default)]
struct Launch<'a> {
    prompt: Option<Prompt<'a>>,
    workflow_id: Option<Str<'a>>,
    file_ids: Option<Vec<Str<'a>>>,
    workflow_inputs: Option<Inputs<'a>>,
    capabilities: Option<Capabilities<'a>>,
    project_id: Option<Str<'a>>,
}

/// A follow-up body (L11).
struct FollowUp<'a> {
    prompt: Prompt<'a>,
}

#[derive(Default)]
struct Prompt<'a> {
    text: Option<Str<'a>>,
    images: Option<Vec<Image<'a>>>,
}

struct Image<'a> {
    media_type: Str<'a>,
    data: Str<'a>,
}

#[derive(Default)]
struct Capabilities<'a> {
    code_search: Option<CodeSearch<'a>>,
    web_search: Option<bool>,
}

/// `codeSearch`: a boolean, or `{ jurisdiction? }`.
enum CodeSearch<'a> {
    Switch(bool),
    Options(Option<Str<'a>>),
}

/// `workflowInputs` in document order, repeated names kept (to be found).
struct Inputs<'a>(Vec<(Str<'a>, SlotValue<'a>)>);

/// One `workflowInputs` value: `null`, one id, or ids.
enum SlotValue<'a> {
    Unset,
    One(Str<'a>),
    Many(Vec<Str<'a>>),
}

/// A JSON string, borrowed from the bytes when it has no escapes.
struct Str<'a>(Cow<'a, str>);

impl Str<'_> {
    fn as_str(&self) -> &str {
        &self.0
    }
}

/// The body read as a `T` by `read_body`, and nothing after it but whitespace.
fn read<'a, T>(bytes: &'a [u8], read_body: impl FnOnce(&mut Reader<'a>) -> Option<T>) -> Option<T> {
    // UTF-8 once, for the whole text: every string is then a slice of valid text.
    let text = std::str::from_utf8(bytes).ok()?;
    let mut r = Reader { text, at: 0 };
    let body = read_body(&mut r)?;
    r.skip_whitespace();
    (r.at == text.len()).then_some(body)
}

fn read_launch<'a>(r: &mut Reader<'a>) -> Option<Launch<'a>> {
    let mut b = Launch::default();
    r.object(|r, key| match key.as_ref() {
        "prompt" => once(&mut b.prompt, read_prompt(r)?),
        "workflowId" => once(&mut b.workflow_id, r.string()?),
        "fileIds" => once(&mut b.file_ids, r.strings()?),
        "workflowInputs" => {
            let mut inputs = Vec::new();
            r.object(|r, key| {
                let v = match r.peek()? {
                    b'n' => r.literal("null").map(|()| SlotValue::Unset)?,
                    b'"' => SlotValue::One(r.string()?),
                    _ => SlotValue::Many(r.strings()?),
                };
                inputs.push((Str(key), v));
                Some(())
            })?;
            once(&mut b.workflow_inputs, Inputs(inputs))
        }
        "capabilities" => {
            let mut c = Capabilities::default();
            r.object(|r, key| match key.as_ref() {
                "codeSearch" => {
                    let v = if r.peek()? == b'{' {
                        let mut j = None;
                        r.object(|r, key| match key.as_ref() {
                            "jurisdiction" => once(&mut j, r.string()?),
                            _ => None,
                        })?;
                        CodeSearch::Options(j)
                    } else {
                        CodeSearch::Switch(r.boolean()?)
                    };
                    once(&mut c.code_search, v)
                }
                "webSearch" => once(&mut c.web_search, r.boolean()?),
                _ => None,
            })?;
            once(&mut b.capabilities, c)
        }
        "projectId" => once(&mut b.project_id, r.string()?),
        _ => None,
    })?;
    Some(b)
}

fn read_follow_up<'a>(r: &mut Reader<'a>) -> Option<FollowUp<'a>> {
    let mut prompt = None;
    r.object(|r, key| match key.as_ref() {
        "prompt" => once(&mut prompt, read_prompt(r)?),
        _ => None,
    })?;
    Some(FollowUp { prompt: prompt? })
}

fn read_prompt<'a>(r: &mut Reader<'a>) -> Option<Prompt<'a>> {
    let mut p = Prompt::default();
    r.object(|r, key| match key.as_ref() {
        "text" => once(&mut p.text, r.string()?),
        "images" => {
            let mut images = Vec::new();
            r.array(|r| {
                let (mut media_type, mut data) = (None, None);
                r.object(|r, key| match key.as_ref() {
                    "media_type" => once(&mut media_type, r.string()?),
                    "data" => once(&mut data, r.string()?),
                    _ => None,
                })?;
                images.push(Image { media_type: media_type?, data: data? });
                Some(())
            })?;
            once(&mut p.images, images)
        }
        _ => None,
    })?;
    Some(p)
}

/// Sets a field read once; `None` for a field given twice (the full parse refuses it).
fn once<T>(slot: &mut Option<T>, v: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(v);
    Some(())
}

/// A cursor over valid UTF-8 JSON text (RFC 8259's grammar, the parts these bodies use).
struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn skip_whitespace(&mut self) {
        let rest = self.text.as_bytes().get(self.at..).unwrap_or_default();
        let n = rest.iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')).count();
        self.at = self.at.saturating_add(n);
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.at = self.at.saturating_add(1))
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        self.skip_whitespace();
        let rest = self.text.get(self.at..)?;
        rest.starts_with(word).then(|| self.at = self.at.saturating_add(word.len()))
    }

    fn boolean(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' => self.literal("true").map(|()| true),
            _ => self.literal("false").map(|()| false),
        }
    }

    /// A string: borrowed when it has no escape, else decoded by the full parse (a lone
    /// surrogate escape is refused there as here).
    fn string(&mut self) -> Option<Str<'a>> {
        self.eat(b'"')?;
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut escaped = false;
        let mut i = start;
        loop {
            match *bytes.get(i)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    i = i.saturating_add(1);
                }
                0..=0x1f => return None,
                _ => {}
            }
            i = i.saturating_add(1);
        }
        self.at = i.saturating_add(1);
        if escaped {
            // With its quotes, one JSON string, decoded by the full parse itself.
            let literal = self.text.as_bytes().get(start.saturating_sub(1)..self.at)?;
            match crate::json::parse_bytes(literal).ok()? {
                serde_json::Value::String(s) => Some(Str(Cow::Owned(s))),
                _ => None,
            }
        } else {
            self.text.get(start..i).map(|s| Str(Cow::Borrowed(s)))
        }
    }

    /// An array of strings.
    fn strings(&mut self) -> Option<Vec<Str<'a>>> {
        let mut out = Vec::new();
        self.array(|r| {
            out.push(r.string()?);
            Some(())
        })?;
        Some(out)
    }

    /// An array, each item read by `item`.
    fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            item(self)?;
            match self.peek()? {
                b',' => self.at = self.at.saturating_add(1),
                b']' => break,
                _ => return None,
            }
        }
        self.at = self.at.saturating_add(1);
        Some(())
    }

    /// An object, each member's value read by `member` given its name.
    fn object(&mut self, mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let Str(key) = self.string()?;
            self.eat(b':')?;
            member(self, key)?;
            match self.peek()? {
                b',' => self.at = self.at.saturating_add(1),
                b'}' => break,
                _ => return None,
            }
        }
        self.at = self.at.saturating_add(1);
        Some(())
    }
}
