//! Ops: Runs, streaming and the event log (R1–R5).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Bytes, Checked, Op};
use crate::refusal::{Document, Refusal};
use crate::report::{Code, Params, Violation};
use crate::run::{can_transition, RunState, RunStatus};
use crate::sse::{SseDecoder, SseItem};

/// `sse_decode`: decodes an event stream given in chunks (R3), split as the arguments say; a
/// stream over its line or event limit is refused `invalid_stream`.
pub struct SseDecode;

/// How [`SseDecodeArgs`] feeds the decoder.
#[derive(Debug, Clone, Copy, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Split {
    /// `whole`: all chunks at once; `bytes`: a byte at a time.
    Named(SplitName),
    /// The chunks joined, then cut in two at this byte offset.
    At(u64),
}

/// A named [`Split`].
#[derive(Debug, Clone, Copy, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SplitName {
    /// All chunks joined, pushed once.
    Whole,
    /// A byte at a time.
    Bytes,
}

/// The arguments of [`SseDecode`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SseDecodeArgs {
    /// The stream's bytes, chunk by chunk.
    pub chunks: Vec<Bytes>,
    /// How to feed them (chunk by chunk when absent).
    #[serde(default)]
    pub split: Option<Split>,
    /// The longest line the decoder takes, in bytes (1 to 256 MiB; default 1 MiB).
    #[serde(default, rename = "maxLineBytes")]
    pub max_line_bytes: Option<u64>,
}

/// The answer of [`SseDecode`].
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SseDecoded {
    /// The events and comments, in order.
    pub items: Vec<SseItem>,
    /// The last event id seen (empty for none).
    pub last_event_id: String,
    /// The reconnection delay the stream set, in milliseconds.
    pub retry: Option<u64>,
}

impl Op for SseDecode {
    type Args = SseDecodeArgs;
    type Answer = SseDecoded;
    fn run(a: SseDecodeArgs) -> Result<SseDecoded, Refusal> {
        let chunks: Vec<Vec<u8>> = a.chunks.into_iter().map(|b| b.0).collect();
        let whole: Vec<u8> = chunks.concat();
        let pieces: Vec<&[u8]> = match a.split {
            None => chunks.iter().map(Vec::as_slice).collect(),
            Some(Split::Named(SplitName::Whole)) => vec![whole.as_slice()],
            Some(Split::Named(SplitName::Bytes)) => whole.chunks(1).collect(),
            Some(Split::At(n)) => {
                let at = usize::try_from(n).unwrap_or(usize::MAX).min(whole.len());
                let (x, y) = whole.split_at(at);
                vec![x, y]
            }
        };
        let mut d = match a.max_line_bytes {
            Some(n) => SseDecoder::with_limits(crate::sse::SseLimits::with_max_line_bytes(n)?),
            None => SseDecoder::new(),
        };
        let mut items = Vec::new();
        for p in pieces {
            d.push_into(p, &mut items)?;
        }
        d.finish();
        Ok(SseDecoded { items, last_event_id: d.last_event_id().to_owned(), retry: d.retry() })
    }
}

/// `run_transition`: may a run's status change from `from` to `to` (R1)?
pub struct RunTransition;

/// The arguments of [`RunTransition`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RunTransitionArgs {
    /// The status before.
    #[cfg_attr(feature = "schema", schemars(with = "RunStatus"))]
    pub from: String,
    /// The status after.
    #[cfg_attr(feature = "schema", schemars(with = "RunStatus"))]
    pub to: String,
}

impl Op for RunTransition {
    type Args = RunTransitionArgs;
    type Answer = Checked;
    fn run(a: RunTransitionArgs) -> Result<Checked, Refusal> {
        let parse = |s: &str| {
            RunStatus::parse(s).ok_or_else(|| Refusal::invalid_arguments(format!("unknown run status `{s}`")))
        };
        let (from, to) = (parse(&a.from)?, parse(&a.to)?);
        if can_transition(from, to) {
            return Ok(Checked { ok: true, violation: None });
        }
        let v = Violation::new(
            &crate::pointer::Pointer::root(),
            Code::InvalidTransition,
            format!("a run cannot go from `{}` to `{}`", a.from, a.to),
        )
        .with(Params::new().text("from", &a.from).text("to", &a.to));
        Ok(Checked { ok: false, violation: Some(v) })
    }
}

/// `replay`: folds a run's event log into its state (R5); an invalid log is refused
/// `bad_request` with its violations.
pub struct Replay;

/// The arguments of [`Replay`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReplayArgs {
    /// The log: an array of events (`{type, runId, workItemId, seq, receipt, …}`).
    pub log: Value,
}

impl Op for Replay {
    type Args = ReplayArgs;
    type Answer = RunState;
    fn run(a: ReplayArgs) -> Result<RunState, Refusal> {
        crate::run::replay(&a.log).map_err(|r| Document::RunLog.refuse_report(r))
    }
}
