//! The fast path (`launch::fast`) and the image stand-ins (`stand_in`) against the full check:
//! the same report for the corpus's documents and for random mutations of them, under several
//! contexts. Either is a second walk of the input, so any difference is a bug in it.
//! - `check_bytes` (fast path, then the full check when not proved) and `check_bytes_full`
//!   must answer identical reports (paths, codes, messages, params, order);
//! - `check_standing_in` on a document whose image `data` texts are tokens must answer the
//!   report of the original document, or `None`.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::string_slice,
    reason = "test code (proptest strategies and helpers outside `#[test]`): a failure panics, which fails the test"
)]

#[path = "../../tests/support/corpus.rs"]
#[expect(dead_code, reason = "this suite uses a part of the shared corpus helpers")]
mod corpus;
#[path = "../../tests/support/pointers.rs"]
mod pointers;

use agentrules::launch::fast::proves_valid;
use agentrules::stand_in::{check_standing_in, token, StandIn};
use agentrules::{check_bytes, check_bytes_full, Context, Kind, Report};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{json, Value};

const WF: &str = "019def34-0000-7000-8000-000000000010";
const ID1: &str = "019aaa00-5c1e-7a3b-9f10-2b6c8d4e0a01";
const ID2: &str = "019aaa01-5c1e-7a3b-9f10-2b6c8d4e0a02";
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const GIF: &str = "R0lGODlhAQABAAAAACw=";

/// The contexts every document is checked under: none, entitlements (none and some), tight
/// limits, and each kind of workflow definition (slots, a repeated slot, prompt-driven, another
/// workflow's, without slots).
fn contexts() -> Vec<Context> {
    let texts = [
        "{}".to_string(),
        r#"{"entitlements": []}"#.to_string(),
        r#"{"entitlements": ["codeSearch"], "limits": {"maxImages": 1, "maxImageBytes": 40, "maxDocumentBytes": 400}}"#
            .to_string(),
        format!(
            r#"{{"workflow": {{"id": "{WF}", "slots": [{{"name": "A", "multiple": true}}, {{"name": "B", "required": false}}]}}}}"#
        ),
        format!(
            r#"{{"workflow": {{"id": "{WF}", "slots": [{{"name": "A", "multiple": true}}, {{"name": "A"}}, {{"name": "B", "required": false}}]}}}}"#
        ),
        r#"{"workflow": {"slots": []}, "entitlements": ["webSearch"]}"#.to_string(),
        format!(r#"{{"workflow": {{"id": "{ID1}", "slots": []}}}}"#),
        format!(r#"{{"workflow": {{"id": "{WF}"}}}}"#),
    ];
    texts.iter().map(|t| Context::from_json(t).unwrap()).collect()
}

/// The corpus's documents of every kind (each checked as a launch and as a follow-up), and the
/// corpus's contexts beside ours.
fn corpus_documents() -> (Vec<String>, Vec<Context>) {
    let mut docs = Vec::new();
    let mut ctxs = Vec::new();
    for case in corpus::load() {
        if case.value.get("input").is_some() || case.value.get("raw").is_some() {
            docs.push(case.input_text());
        }
        if let Some(c) = case.context_text() {
            if let Ok(ctx) = Context::from_json(&c) {
                ctxs.push(ctx);
            }
        }
    }
    ctxs.dedup();
    (docs, ctxs)
}

fn same(kind: Kind, text: &[u8], ctx: &Context) -> Result<(), String> {
    let fast = check_bytes(kind, text, ctx);
    let full = check_bytes_full(kind, text, ctx);
    if fast == full {
        Ok(())
    } else {
        Err(format!(
            "{kind:?} of {} under {ctx:?}:\n fast path: {}\n full:      {}",
            String::from_utf8_lossy(text),
            fast.to_json(),
            full.to_json()
        ))
    }
}

#[test]
fn the_corpus_gives_identical_reports_through_the_fast_path() {
    let (docs, mut ctxs) = corpus_documents();
    ctxs.extend(contexts());
    let mut proved = 0usize;
    for doc in &docs {
        for kind in [Kind::Launch, Kind::FollowUp] {
            for ctx in &ctxs {
                same(kind, doc.as_bytes(), ctx).unwrap();
                proved += usize::from(proves_valid(kind, doc.as_bytes(), ctx));
            }
        }
    }
    // The fast path is used, not only harmless: it proves the corpus's valid bodies.
    assert!(proved > 500, "the fast path proved only {proved} corpus checks valid");
}

/// Every valid launch and follow-up case of the corpus, under its own context, is proved valid
/// by the fast path (a fast path that falls back on what it should prove is slow, not wrong;
/// this keeps it from quietly becoming so).
#[test]
fn the_corpus_valid_bodies_are_proved() {
    for case in corpus::load() {
        let kind = match case.kind() {
            Some("launch") => Kind::Launch,
            Some("followup") => Kind::FollowUp,
            _ => continue,
        };
        if !case.expected_pairs().is_empty() || case.value.get("raw").is_some() {
            continue;
        }
        let ctx = case.context_text().map(|c| Context::from_json(&c).unwrap()).unwrap_or_default();
        assert!(proves_valid(kind, case.input_text().as_bytes(), &ctx), "not proved: {}", case.label());
    }
}

/// How many of [`seeds`] come first and are valid (under the default context).
const VALID_SEEDS: usize = 5;

/// The bodies mutations start from: valid ones of each shape, and the corpus's launch and
/// follow-up inputs.
fn seeds() -> Vec<Value> {
    let mut out = vec![
        json!({"prompt": {"text": "Check the stair", "images": [{"media_type": "image/png", "data": PNG}]}, "fileIds": [ID1, ID2],
               "capabilities": {"codeSearch": {"jurisdiction": "California"}, "webSearch": true}, "projectId": ID2}),
        json!({"workflowId": WF, "workflowInputs": {"A": [ID1], "B": null}}),
        json!({"workflowId": WF, "prompt": {"text": "go", "images": [{"media_type": "image/gif", "data": GIF}]}}),
        json!({"workflowId": ID1, "workflowInputs": {"A": ID1, "x": [ID2, ID1], "y": null}}),
        json!({"prompt": {"text": "a\nb \"quoted\" \u{e9}"}, "capabilities": {"codeSearch": true, "webSearch": false}}),
    ];
    for case in corpus::load() {
        if matches!(case.kind(), Some("launch" | "followup")) {
            if let Some(v) = case.value.get("input") {
                out.push(v.clone());
            }
        }
    }
    out
}

/// Values a mutation puts somewhere: ones the rules accept in some place, and ones they refuse.
fn replacement() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(""),
        json!(" \u{3000}"),
        json!("go"),
        json!(ID1),
        json!(ID1.to_uppercase()),
        json!(ID2),
        json!(WF),
        json!("019aaa00-5c1e-7a3b-9f10-2b6c8d4e0a0"),
        json!(PNG),
        json!(GIF),
        json!("data:image/png;base64,AAAA"),
        json!("iVBORw0KGgo"),
        json!("image/png"),
        json!("image/gif"),
        json!("image/bmp"),
        json!([]),
        json!([ID1]),
        json!([ID1, ID1.to_uppercase()]),
        json!([null]),
        json!({}),
        json!({"text": "hi"}),
        json!({"text": "hi", "images": []}),
        json!({"media_type": "image/png", "data": PNG}),
        json!({"jurisdiction": "X"}),
        json!({"jurisdiction": null}),
        json!({"A": [ID1], "B": null}),
        json!({"A": [], "B": ID2}),
        json!(["text", "images"]),
    ])
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value at the `n`-th pointer.
    Set(usize, Value),
    /// Remove the member at the `n`-th pointer (when its parent is an object).
    Remove(usize),
    /// Add a member `key` to the object at the `n`-th pointer.
    Add(usize, String, Value),
    /// Replace the object at the `n`-th pointer by the array of its values, in order (what
    /// serde's derived structs also read as the struct).
    Values(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let key = prop::sample::select(vec![
        "prompt",
        "text",
        "images",
        "workflowId",
        "fileIds",
        "workflowInputs",
        "capabilities",
        "projectId",
        "codeSearch",
        "webSearch",
        "jurisdiction",
        "media_type",
        "data",
        "A",
        "B",
        "x",
        "Text",
    ])
    .prop_map(String::from);
    prop_oneof![
        4 => (any::<usize>(), replacement()).prop_map(|(n, v)| Mutation::Set(n, v)),
        2 => any::<usize>().prop_map(Mutation::Remove),
        2 => (any::<usize>(), key, replacement()).prop_map(|(n, k, v)| Mutation::Add(n, k, v)),
        2 => any::<usize>().prop_map(Mutation::Values),
    ]
}

fn apply(doc: &mut Value, m: &Mutation) {
    let mut ptrs = Vec::new();
    pointers::pointers(doc, String::new(), &mut ptrs);
    let at = |n: usize| ptrs[n % ptrs.len()].clone();
    match m {
        Mutation::Set(n, v) => {
            if let Some(slot) = doc.pointer_mut(&at(*n)) {
                *slot = v.clone();
            }
        }
        Mutation::Remove(n) => {
            let p = at(*n);
            if let Some((parent, key)) = p.rsplit_once('/') {
                let key = key.replace("~1", "/").replace("~0", "~");
                if let Some(Value::Object(o)) = doc.pointer_mut(parent) {
                    o.shift_remove(&key);
                }
            }
        }
        Mutation::Add(n, k, v) => {
            if let Some(Value::Object(o)) = doc.pointer_mut(&at(*n)) {
                o.insert(k.clone(), v.clone());
            }
        }
        Mutation::Values(n) => {
            if let Some(slot @ Value::Object(_)) = doc.pointer_mut(&at(*n)) {
                let values: Vec<Value> = slot.as_object().unwrap().values().cloned().collect();
                *slot = Value::Array(values);
            }
        }
    }
}

/// The document as text in one of several spellings: compact; with each string's first
/// letter escaped (`\u0061`: strings the fast path cannot borrow); with a member repeated
/// (text only: a `Value` cannot hold it); pretty.
fn spell(doc: &Value, how: u8) -> String {
    let compact = doc.to_string();
    match how % 4 {
        0 => compact,
        1 => compact.replacen("\"a", "\"\\u0061", 3).replacen("\"t", "\"\\u0074", 2),
        2 => match compact.find("{\"") {
            // `{"k": v, ...}` → `{"k": v, "k": v, ...}` for the first member whose value is a scalar.
            Some(_) => repeat_first_member(&compact),
            None => compact,
        },
        _ => serde_json::to_string_pretty(doc).unwrap(),
    }
}

fn repeat_first_member(text: &str) -> String {
    let Ok(Value::Object(m)) = serde_json::from_str::<Value>(text) else { return text.to_string() };
    let Some((k, v)) = m.iter().next() else { return text.to_string() };
    let member = format!("{}:{}", Value::String(k.clone()), v);
    text.replacen('{', &format!("{{{member},"), 1)
}

/// Every single mutation of the valid bodies: each value replaced by each replacement, each
/// member removed, each object made the array of its values, in two spellings: identical
/// reports (the systematic half; the proptest below combines mutations at random).
#[test]
fn every_single_mutation_of_the_valid_bodies_gives_identical_reports() {
    let values: Vec<Value> = {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let mut out: Vec<Value> = Vec::new();
        // The replacement list itself (a `select`), read out by sampling until every value is seen.
        let strategy = replacement();
        for _ in 0..4000 {
            let v = strategy.new_tree(&mut runner).unwrap().current();
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    };
    let ctxs = contexts();
    let mut checked = 0usize;
    for seed in &seeds()[..VALID_SEEDS] {
        let mut ptrs = Vec::new();
        pointers::pointers(seed, String::new(), &mut ptrs);
        let mut muts: Vec<Mutation> = Vec::new();
        for n in 0..ptrs.len() {
            muts.extend(values.iter().map(|v| Mutation::Set(n, v.clone())));
            muts.push(Mutation::Remove(n));
            muts.push(Mutation::Values(n));
        }
        for m in &muts {
            let mut doc = seed.clone();
            apply(&mut doc, m);
            for how in [0, 1] {
                let text = spell(&doc, how);
                for ctx in &ctxs {
                    for kind in [Kind::Launch, Kind::FollowUp] {
                        same(kind, text.as_bytes(), ctx).unwrap();
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} checks");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random mutations of valid bodies (and of the corpus's), in several spellings, as a launch
    /// and as a follow-up under every context: identical reports.
    #[test]
    fn mutations_give_identical_reports(
        seed in any::<prop::sample::Index>(),
        valid_seed in any::<bool>(),
        muts in prop::collection::vec(mutation(), 0..4),
        how in any::<u8>(),
    ) {
        let seeds = seeds();
        // Half the time one of the valid bodies: a mutation of a valid body is where a fast path
        // that proves too much shows.
        let mut doc = seeds[seed.index(if valid_seed { VALID_SEEDS } else { seeds.len() })].clone();
        for m in &muts {
            apply(&mut doc, m);
        }
        let text = spell(&doc, how);
        for ctx in contexts() {
            for kind in [Kind::Launch, Kind::FollowUp] {
                if let Err(e) = same(kind, text.as_bytes(), &ctx) {
                    prop_assert!(false, "{}", e);
                }
            }
        }
    }

    /// The same mutations with every image `data` text replaced by its stand-in: the report of
    /// the original, whenever `check_standing_in` answers, and it answers for every body whose
    /// tokens sit where images' data is.
    #[test]
    fn stand_ins_give_the_original_report(
        seed in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 0..4),
    ) {
        let seeds = seeds();
        let mut doc = seeds[seed.index(seeds.len())].clone();
        for m in &muts {
            apply(&mut doc, m);
        }
        let original = doc.to_string();
        let (stood, stand_ins) = stand_in_images(&doc);
        for ctx in contexts() {
            for kind in [Kind::Launch, Kind::FollowUp] {
                let want = check_bytes(kind, original.as_bytes(), &ctx);
                let got = check_standing_in(kind, stood.to_string().as_bytes(), &ctx, &stand_ins);
                if let Some(got) = &got {
                    prop_assert_eq!(got, &want, "{} under {:?}", original, ctx);
                }
                // Tokens only at /prompt/images/<i>/data: always an answer, unless near the
                // violation limit (a corpus body of 1,001 file ids).
                let near_limit = want.violations.len() >= agentrules::report::MAX_VIOLATIONS;
                prop_assert!(got.is_some() || near_limit, "no answer for {}", stood);
            }
        }
    }
}

/// `doc` with each string at `/prompt/images/<i>/data` replaced by its token, and the stand-ins.
fn stand_in_images(doc: &Value) -> (Value, Vec<StandIn>) {
    let mut doc = doc.clone();
    let mut stand_ins = Vec::new();
    if let Some(Value::Array(images)) = doc.pointer_mut("/prompt/images") {
        for image in images {
            if let Some(data @ Value::String(_)) = image.get_mut("data") {
                stand_ins.push(StandIn::of_json(data.to_string().as_bytes()).unwrap());
                *data = Value::String(token(stand_ins.len() - 1));
            }
        }
    }
    (doc, stand_ins)
}

/// Large images (valid, too large, of the wrong type, not base64) through stand-ins, and every
/// way a token can be out of place: the original report, or no answer.
#[test]
fn stand_ins_of_large_images() {
    let big_png = {
        let mut raw = vec![0u8; 3 * 1024 * 1024];
        raw[..8].copy_from_slice(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &raw)
    };
    let not_base64 = format!("{}!", &big_png[..big_png.len() - 4]);
    let bodies = [
        json!({"prompt": {"text": "x", "images": [{"media_type": "image/png", "data": big_png}]}}),
        json!({"prompt": {"text": "x", "images": [{"media_type": "image/jpeg", "data": big_png}, {"data": big_png, "media_type": "image/webp", "z": 1}]}}),
        json!({"prompt": {"text": " ", "images": [{"media_type": "image/bmp", "data": not_base64}, {"media_type": 3, "data": "data:x"}]}, "fileIds": ["x"]}),
        json!({"workflowId": WF, "workflowInputs": {"A": [ID1]}, "prompt": {"images": [{"media_type": "image/png", "data": big_png}]}}),
    ];
    for body in &bodies {
        let (stood, stand_ins) = stand_in_images(body);
        for ctx in contexts() {
            for kind in [Kind::Launch, Kind::FollowUp] {
                let want = check_bytes(kind, body.to_string().as_bytes(), &ctx);
                let got = check_standing_in(kind, stood.to_string().as_bytes(), &ctx, &stand_ins);
                assert_eq!(got.as_ref(), Some(&want), "{kind:?} under {ctx:?}");
            }
        }
        // An `image` document: its `data` at the root.
        if let Some(img) = body.pointer("/prompt/images/0") {
            let (stood, stand_ins) = stand_in_images(&json!({"prompt": {"images": [img]}}));
            let stood_img = stood.pointer("/prompt/images/0").unwrap();
            let got = check_standing_in(Kind::Image, stood_img.to_string().as_bytes(), &Context::default(), &stand_ins);
            assert_eq!(got, Some(check_bytes(Kind::Image, img.to_string().as_bytes(), &Context::default())));
        }
    }
    // The document limit applies to the original's length.
    let ctx = Context::from_json(r#"{"limits": {"maxDocumentBytes": 1000000}}"#).unwrap();
    let (stood, stand_ins) = stand_in_images(&bodies[0]);
    let got = check_standing_in(Kind::Launch, stood.to_string().as_bytes(), &ctx, &stand_ins);
    assert_eq!(got, Some(check_bytes(Kind::Launch, bodies[0].to_string().as_bytes(), &ctx)));
    assert_eq!(got.unwrap().violations[0].code, agentrules::Code::DocumentTooLarge);

    // Out of place, repeated, unknown or forged tokens: no answer.
    let s = || vec![StandIn::of_json(format!("\"{PNG}\"").as_bytes()).unwrap()];
    let no_answer = [
        json!({"prompt": {"text": token(0)}}),
        json!({"workflowId": WF, "workflowInputs": {"data": token(0)}}),
        json!({"prompt": {"images": [{"media_type": "image/png", "data": token(0)}, {"media_type": "image/png", "data": token(0)}]}}),
        json!({"prompt": {"images": [{"media_type": "image/png", "data": token(1)}]}}),
        json!({"prompt": {"images": [{"media_type": "image/png", "data": format!("{}x", token(0))}]}}),
        json!({"prompt": {"images": {"0": {"media_type": "image/png", "data": token(0)}}}}),
        json!({"prompt": {"images": [{"media_type": "image/png", "data": [token(0)]}]}}),
        json!({"prompt": {"text": "x"}}),
    ];
    for body in &no_answer {
        assert_eq!(
            check_standing_in(Kind::Launch, body.to_string().as_bytes(), &Context::default(), &s()),
            None,
            "{body}"
        );
    }
    assert_eq!(check_standing_in(Kind::ListQuery, b"{}", &Context::default(), &[]), None);
    // Text that is not one JSON string has no stand-in.
    assert!(StandIn::of_json(br#""\ud800""#).is_none());
    assert!(StandIn::of_json(br#""a" 1"#).is_none());
}

/// A report for a body stood in at a parse error is refused (its offsets are the tokens').
#[test]
fn stand_ins_never_answer_for_text_that_is_not_json() {
    let got = check_standing_in(Kind::Launch, br#"{"prompt": }"#, &Context::default(), &[]);
    assert_eq!(got, None::<Report>);
}

/// The benchmark's typical body (core/benches/data) is proved valid: the figure it gives is the
/// fast path's.
#[test]
fn the_benchmark_body_is_proved() {
    let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/data/launch-typical.json")).unwrap();
    assert!(proves_valid(Kind::Launch, &text, &Context::default()));
    assert!(check_bytes(Kind::Launch, &text, &Context::default()).ok);
}
