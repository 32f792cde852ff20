//! Large image `data` texts checked once: a document in which they stand in as short tokens,
//! checked with their verdicts.
//!
//! A form that holds a 15 MiB image is checked on every keystroke; writing, copying, parsing and
//! scanning the 20 MB of base64 each time is almost all of the cost. A binding may instead
//! compute a [`StandIn`] of each large `data` text once (its [`DataFacts`], all that the image
//! rules read from it, and its length as JSON), keep it (keyed by the text), and send the
//! document with the `i`-th such text replaced by the token [`token`]`(i)`;
//! [`check_standing_in`] then answers the report of the *original* document:
//!
//! - the document limit (`limits.maxDocumentBytes`) applies to the original's length, computed
//!   from each stand-in's JSON length;
//! - every token must be at a place where only the image rules read the text
//!   (`/prompt/images/<i>/data` of a launch or follow-up body, `/data` of an `image`), each
//!   token once and no other string may start with [`PREFIX`]; otherwise the answer is `None`;
//! - a token starts with `data:`, so where the image rules read it they report exactly one
//!   `data_url_not_allowed`, which is replaced, in place, by the violations the stand-in's facts
//!   give with that image's declared media type (the same function decides for the text itself).
//!
//! `None` means "no answer for the original": check the original document instead (a parse
//! error of the tokens' document, whose offsets would not be the original's, a report near
//! the violation limit, a kind without images, a token out of place).

use serde_json::Value;

use crate::context::Context;
use crate::image::{check_data_facts, declared_media_type, DataFacts};
use crate::pointer::Pointer;
use crate::report::{Code, Report, Sink, MAX_VIOLATIONS};
use crate::{json, Kind};

/// The text every token starts with: a `data:` URL, so that the image rules refuse it with
/// one `data_url_not_allowed` whatever the media type.
pub const PREFIX: &str = "data:,agentrules-stand-in-";

/// The token that stands in for the `i`-th large text of a document.
///
/// ```
/// assert_eq!(agentrules::stand_in::token(2), "data:,agentrules-stand-in-2");
/// ```
pub fn token(i: usize) -> String {
    format!("{PREFIX}{i}")
}

/// What the rules need of one large image `data` text: its [`DataFacts`] and its length as a
/// JSON string (quotes and escapes included), for the document limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandIn {
    facts: DataFacts,
    json_len: u64,
}

impl StandIn {
    /// The stand-in of a text given as its JSON string literal (the bytes of `"…"` as the
    /// document holds them); `None` when the bytes are not one JSON string (a lone surrogate
    /// escape: the document itself is then `invalid_json`, which only its own check reports).
    ///
    /// ```
    /// use agentrules::stand_in::StandIn;
    /// let s = StandIn::of_json(br#""iVBORw0KGgo=""#).unwrap();
    /// assert_eq!(StandIn::decode(&s.encode()), Some(s));
    /// assert!(StandIn::of_json(br#""\ud800""#).is_none());
    /// ```
    pub fn of_json(literal: &[u8]) -> Option<StandIn> {
        let json_len = u64::try_from(literal.len()).ok()?;
        // Read by the full parse itself (its limits: the literal is a document of one string).
        match json::parse_bytes(literal).ok()? {
            Value::String(text) => Some(StandIn { facts: DataFacts::of(&text), json_len }),
            _ => None,
        }
    }

    /// The stand-in as short text, for a binding to keep and hand back ([`StandIn::decode`]);
    /// its form is the core's own and may change between versions.
    pub fn encode(&self) -> String {
        format!("{};{}", self.json_len, self.facts.encode())
    }

    /// A stand-in from [`StandIn::encode`]'s text; `None` for any other text.
    pub fn decode(s: &str) -> Option<StandIn> {
        let (len, facts) = s.split_once(';')?;
        Some(StandIn { json_len: len.parse().ok()?, facts: DataFacts::decode(facts)? })
    }
}

/// Checks `bytes`, a document of `kind` in which the `i`-th large image `data` text was replaced
/// by [`token`]`(i)` and `stand_ins[i]` is that text's stand-in, and answers the report of the
/// original document, or `None` when it cannot (see the module's documentation: then check
/// the original).
pub fn check_standing_in(kind: Kind, bytes: &[u8], ctx: &Context, stand_ins: &[StandIn]) -> Option<Report> {
    let at_data: &[&str] = match kind {
        Kind::Launch | Kind::FollowUp => &["prompt", "images", "", "data"],
        Kind::Image => &["data"],
        _ => return None,
    };
    // The original's length: the tokens' JSON out, the texts' in.
    let mut len = u64::try_from(bytes.len()).ok()?;
    for (i, s) in stand_ins.iter().enumerate() {
        let token_len = u64::try_from(token(i).len()).ok()?.checked_add(2)?;
        len = len.checked_sub(token_len)?.checked_add(s.json_len)?;
    }
    if len > ctx.limits.max_document_bytes {
        return Some(Report::new(vec![json::document_too_large(len, ctx.limits.max_document_bytes)]));
    }
    let doc = json::parse_limited(bytes, u64::MAX).ok()?;
    // Where each token is: once each, only where the image rules read a `data` text.
    let mut places: Vec<Option<Pointer>> = vec![None; stand_ins.len()];
    if !find_tokens(&doc, &mut Vec::new(), at_data, &mut places) {
        return None;
    }
    let mut found = Vec::with_capacity(places.len());
    for p in places {
        found.push(p?);
    }
    let places = found;
    let report = crate::check_parsed(kind, &doc, ctx);
    if report.violations.len() >= MAX_VIOLATIONS {
        return None;
    }
    let mut sink = Sink::default();
    for v in report.violations {
        let stood = places.iter().zip(stand_ins).find(|(p, _)| p.as_str() == v.path);
        match stood {
            Some((place, s)) if v.code == Code::DataUrlNotAllowed => {
                // The image object the text is the `data` of, and the media type it declares.
                let image = place.as_str().strip_suffix("/data").and_then(|p| doc.pointer(p));
                let media_type = image.and_then(Value::as_object).and_then(declared_media_type);
                check_data_facts(&mut sink, place, &s.facts, media_type, &ctx.limits);
            }
            _ => sink.out.push(v),
        }
    }
    Some(Report::new(sink.out))
}

/// One step of a path while [`find_tokens`] walks.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Records where each token of `v` is; `false` when a string that starts with [`PREFIX`] is
/// not a token of this document, is one a second time, or is not at `at_data` (`""` there
/// matches an array index).
fn find_tokens<'a>(v: &'a Value, path: &mut Vec<Step<'a>>, at_data: &[&str], places: &mut [Option<Pointer>]) -> bool {
    match v {
        Value::String(s) => {
            let Some(i) = s.strip_prefix(PREFIX) else { return true };
            let Some(slot) = i.parse::<usize>().ok().filter(|n| token(*n) == *s).and_then(|n| places.get_mut(n)) else {
                return false;
            };
            let fits = path.len() == at_data.len()
                && path.iter().zip(at_data).all(|(step, want)| match step {
                    Step::Key(k) => k == want,
                    Step::Index(_) => want.is_empty(),
                });
            if !fits || slot.is_some() {
                return false;
            }
            *slot = Some(path.iter().fold(Pointer::root(), |p, step| match step {
                Step::Key(k) => p.key(k),
                Step::Index(i) => p.index(*i),
            }));
            true
        }
        Value::Array(items) => items.iter().enumerate().all(|(i, item)| {
            path.push(Step::Index(i));
            let ok = find_tokens(item, path, at_data, places);
            path.pop();
            ok
        }),
        Value::Object(map) => map.iter().all(|(k, item)| {
            path.push(Step::Key(k));
            let ok = find_tokens(item, path, at_data, places);
            path.pop();
            ok
        }),
        _ => true,
    }
}
