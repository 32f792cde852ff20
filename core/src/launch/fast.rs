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
//! Reading decisions, each a way a typed read could accept what the full check refuses:
//! - Objects only: serde's derived structs also read a JSON array as a struct's fields in
//!   order, so each struct is read through a wrapper (`Obj`) that accepts a map and nothing else.
//! - `null` is not absence: an optional field is read as its type alone (`given`), so `"prompt": null`
//!   is not proved (the full check reports `type_mismatch`).
//! - A repeated name fails the derived structs' read (`duplicate field`) and is looked for in
//!   `workflowInputs`, which is read as a list of pairs.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

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
        crate::Kind::Launch => read::<Launch<'_>>(bytes).is_some_and(|b| launch_ok(&b, ctx)),
        crate::Kind::FollowUp => read::<FollowUp<'_>>(bytes).is_some_and(|b| {
            let Obj(p) = &b.prompt;
            prompt_values(p) <= MAX_VALUES && prompt_ok(p, true, ctx)
        }),
        _ => false,
    }
}

/// The body read as an object of type `T`, or `None` for anything else (trailing text included).
fn read<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let Obj(body) = Obj::<T>::deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(body)
}

fn launch_ok(b: &Launch<'_>, ctx: &Context) -> bool {
    let has_workflow = b.workflow_id.is_some();
    let has_inputs = b.workflow_inputs.is_some();
    let (kind, mismatch_with) = kind_of(b.workflow_id.as_ref().map(|w| Some(w.as_str())), ctx);
    let text_given = b.prompt.as_ref().is_some_and(|Obj(p)| p.text.is_some());
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
        && b.prompt.as_ref().is_none_or(|Obj(p)| match prompt_rule(kind, has_inputs) {
            PromptRule::Check { text_required } => prompt_ok(p, text_required, ctx),
            PromptRule::WithInputs | PromptRule::NotAccepted => false,
        })
        && b.workflow_id.as_ref().is_none_or(|id| is_uuid(id.as_str()))
        && b.file_ids.as_deref().is_none_or(ids_ok)
        && b.capabilities.as_ref().is_none_or(|Obj(c)| capabilities_ok(c, ctx))
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
                && images.iter().all(|Obj(img)| {
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
    let mut seen = rustc_hash::FxHashSet::default();
    ids.iter().all(|id| {
        is_uuid(id.as_str())
            && <[u8; 36]>::try_from(id.as_str().as_bytes()).is_ok_and(|mut k| {
                k.make_ascii_lowercase();
                seen.insert(k)
            })
    })
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
    let mut keys = rustc_hash::FxHashSet::default();
    if !inputs.0.iter().all(|(k, _)| keys.insert(k.as_str())) {
        return false; // a repeated slot name: the full parse refuses it
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
                && slots.iter().all(|s| keys.contains(s.name.as_str()))
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
    if let Some(Obj(p)) = &b.prompt {
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
    if let Some(Obj(c)) = &b.capabilities {
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

/// A launch body (L1's fields).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Launch<'a> {
    #[serde(default, borrow, deserialize_with = "given")]
    prompt: Option<Obj<Prompt<'a>>>,
    #[serde(default, borrow, deserialize_with = "given")]
    workflow_id: Option<Str<'a>>,
    #[serde(default, borrow, deserialize_with = "given")]
    file_ids: Option<Vec<Str<'a>>>,
    #[serde(default, borrow, deserialize_with = "given")]
    workflow_inputs: Option<Inputs<'a>>,
    #[serde(default, borrow, deserialize_with = "given")]
    capabilities: Option<Obj<Capabilities<'a>>>,
    #[serde(default, borrow, deserialize_with = "given")]
    project_id: Option<Str<'a>>,
}

/// A follow-up body (L11).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowUp<'a> {
    #[serde(borrow)]
    prompt: Obj<Prompt<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Prompt<'a> {
    #[serde(default, borrow, deserialize_with = "given")]
    text: Option<Str<'a>>,
    #[serde(default, borrow, deserialize_with = "given")]
    images: Option<Vec<Obj<Image<'a>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Image<'a> {
    #[serde(borrow)]
    media_type: Str<'a>,
    #[serde(borrow)]
    data: Str<'a>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Capabilities<'a> {
    #[serde(default, borrow, deserialize_with = "given")]
    code_search: Option<CodeSearch<'a>>,
    #[serde(default, deserialize_with = "given")]
    web_search: Option<bool>,
}

/// `codeSearch`: a boolean, or `{ jurisdiction? }`.
enum CodeSearch<'a> {
    Switch(bool),
    Options(Option<Str<'a>>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Jurisdiction<'a> {
    #[serde(default, borrow, deserialize_with = "given")]
    jurisdiction: Option<Str<'a>>,
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

/// A JSON object read as `T`, and nothing else (see the module's documentation).
struct Obj<T>(T);

/// An optional field present in the body: its value must be a `T` (`null` is not absence).
fn given<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(V(PhantomData)).map(Obj)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for CodeSearch<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CodeSearch<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean or an object")
            }
            fn visit_bool<E>(self, b: bool) -> Result<CodeSearch<'de>, E> {
                Ok(CodeSearch::Switch(b))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CodeSearch<'de>, A::Error> {
                let j = Jurisdiction::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(CodeSearch::Options(j.jurisdiction))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Inputs<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Inputs<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Inputs<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(pair) = map.next_entry::<Str<'de>, SlotValue<'de>>()? {
                    out.push(pair);
                }
                Ok(Inputs(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for SlotValue<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SlotValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("null, a string or an array of strings")
            }
            fn visit_unit<E>(self) -> Result<SlotValue<'de>, E> {
                Ok(SlotValue::Unset)
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<SlotValue<'de>, E> {
                Ok(SlotValue::One(Str(Cow::Borrowed(s))))
            }
            fn visit_str<E>(self, s: &str) -> Result<SlotValue<'de>, E> {
                Ok(SlotValue::One(Str(Cow::Owned(s.to_owned()))))
            }
            fn visit_string<E>(self, s: String) -> Result<SlotValue<'de>, E> {
                Ok(SlotValue::One(Str(Cow::Owned(s))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SlotValue<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<Str<'de>>()? {
                    out.push(s);
                }
                Ok(SlotValue::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}
