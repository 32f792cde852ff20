//! Server-Sent Events decoding (R2): the WHATWG event-stream parsing and interpretation rules,
//! incremental over byte chunks.
//!
//! - A UTF-8 BOM at the very start of the stream is dropped (once).
//! - Lines end in CRLF, LF or CR; a CR ending one chunk and an LF starting the next are one line
//!   end. Invalid UTF-8 in a line becomes U+FFFD, as a decoder with replacement does (line ends
//!   are ASCII, so decoding line by line equals decoding the stream).
//! - `:` lines are comments; `field: value` loses one leading space; `data` lines join with
//!   `\n`; `event` sets the type (default `message`); `id` sets the last event id unless it
//!   contains NUL, and the id persists across events; `retry` takes ASCII digits only.
//! - A blank line dispatches, unless the data buffer is empty; an incomplete event at the end of
//!   the stream is dropped.
//!
//! Decisions where the spec and the API documents are silent: a `retry` value too large for 64
//! bits is ignored; memory is bounded: a line longer than [`SseLimits::max_line_bytes`] or an
//! event whose data grows past [`SseLimits::max_event_bytes`] is an [`SseError`] (the decoder
//! then refuses further input). The limits are checked on every complete line and on the part
//! of a line pending at the end of a chunk, so any split of the bytes gives the same error at
//! the same place: a line over both limits is `LineTooLong`, whole or chunked.

use serde::Serialize;

/// Memory bounds of a decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SseLimits {
    /// The longest line (bytes, without its line end). Default 1 MiB.
    pub max_line_bytes: usize,
    /// The largest data buffer of one event (bytes). Default 16 MiB.
    pub max_event_bytes: usize,
}

impl Default for SseLimits {
    fn default() -> Self {
        SseLimits { max_line_bytes: 1 << 20, max_event_bytes: 16 << 20 }
    }
}

/// The longest line a caller may allow: 256 MiB (a line buffer of that size is already a
/// sixteenth of the 4 GiB a wasm instance can address).
pub const MAX_LINE_LIMIT: u64 = 256 << 20;

impl SseLimits {
    /// The default limits with the longest line set by the caller (every surface's
    /// `max_line_bytes` / `maxLineBytes`): from 1 to [`MAX_LINE_LIMIT`] bytes, an
    /// `invalid_arguments` refusal otherwise.
    ///
    /// ```
    /// use agentrules::sse::SseLimits;
    /// assert_eq!(SseLimits::with_max_line_bytes(16).unwrap().max_line_bytes, 16);
    /// assert!(SseLimits::with_max_line_bytes(0).is_err());
    /// ```
    pub fn with_max_line_bytes(max_line_bytes: u64) -> Result<SseLimits, crate::Refusal> {
        match usize::try_from(max_line_bytes) {
            Ok(n) if (1..=MAX_LINE_LIMIT).contains(&max_line_bytes) => {
                Ok(SseLimits { max_line_bytes: n, ..SseLimits::default() })
            }
            _ => Err(crate::Refusal::new(
                crate::RefusalKind::InvalidArguments,
                format!("the longest line of a stream must be an integer from 1 to {MAX_LINE_LIMIT} bytes (256 MiB)"),
            )),
        }
    }
}

/// A dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SseEvent {
    /// The event type (`message` when no `event` field was given).
    pub event: String,
    /// The data lines joined with `\n`.
    pub data: String,
    /// The last event id in force when the event was dispatched.
    pub id: String,
}

/// What the decoder yields, in stream order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(untagged)]
pub enum SseItem {
    /// A dispatched event.
    Event(SseEvent),
    /// A valid `retry` field: the reconnection time in milliseconds.
    Retry {
        /// Milliseconds.
        retry: u64,
    },
}

/// Why a decoder refused input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    /// A line longer than the limit.
    #[error("a line is longer than {limit} bytes")]
    LineTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// An event whose data grew past the limit.
    #[error("an event's data is larger than {limit} bytes")]
    EventTooLarge {
        /// The limit in force.
        limit: usize,
    },
}

/// The refusal every surface gives: `invalid_stream` with the error's message.
impl From<SseError> for crate::Refusal {
    fn from(e: SseError) -> Self {
        crate::Refusal::new(crate::RefusalKind::InvalidStream, e.to_string())
    }
}

/// An incremental event-stream decoder: push byte chunks as they arrive (any split, inside a
/// CRLF or a multi-byte character, yields the same items).
///
/// ```
/// use agentrules::sse::{SseDecoder, SseItem};
/// let mut d = SseDecoder::new();
/// let mut items = d.push(b"event: run.started\r\ndata: {\"a\"").unwrap();
/// items.extend(d.push(b":1}\r").unwrap());
/// items.extend(d.push(b"\n\r\n").unwrap());
/// let SseItem::Event(e) = &items[0] else { panic!() };
/// assert_eq!((e.event.as_str(), e.data.as_str()), ("run.started", "{\"a\":1}"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct SseDecoder {
    limits: SseLimits,
    line: Vec<u8>,
    after_cr: bool,
    started: bool,
    data: String,
    event_type: String,
    last_id: String,
    retry: Option<u64>,
    failed: Option<SseError>,
}

impl SseDecoder {
    /// A decoder with the default limits.
    pub fn new() -> Self {
        SseDecoder::default()
    }

    /// A decoder with these limits.
    pub fn with_limits(limits: SseLimits) -> Self {
        SseDecoder { limits, ..SseDecoder::default() }
    }

    /// Decodes a chunk; returns the items it completes.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<SseItem>, SseError> {
        let mut out = Vec::new();
        self.push_into(chunk, &mut out)?;
        Ok(out)
    }

    /// Decodes a chunk, appending the items it completes to `out`.
    pub fn push_into(&mut self, chunk: &[u8], out: &mut Vec<SseItem>) -> Result<(), SseError> {
        self.push_with(chunk, out)
    }

    /// Decodes a chunk, handing each completed item to `sink` as borrowed text: no allocation
    /// per event (the decoder's buffers are reused), for bindings that build their own
    /// language's objects.
    ///
    /// ```
    /// use agentrules::sse::{SseDecoder, SseSink};
    /// struct Count(usize);
    /// impl SseSink for Count {
    ///     fn event(&mut self, event: &str, data: &str, _id: &str) { assert_eq!((event, data), ("message", "hi")); self.0 += 1; }
    ///     fn retry(&mut self, _ms: u64) {}
    /// }
    /// let mut n = Count(0);
    /// SseDecoder::new().push_with(b"data: hi\n\ndata: hi\n\n", &mut n).unwrap();
    /// assert_eq!(n.0, 2);
    /// ```
    pub fn push_with<S: SseSink + ?Sized>(&mut self, chunk: &[u8], out: &mut S) -> Result<(), SseError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let mut rest = chunk;
        if self.after_cr && !rest.is_empty() {
            self.after_cr = false;
            if let Some(tail) = rest.strip_prefix(b"\n") {
                rest = tail;
            }
        }
        // The chunk is validated as UTF-8 once; lines inside its valid prefix are then read as
        // text without being validated again (line ends are ASCII, so a line of a valid prefix
        // is valid on its own).
        let text = valid_prefix(rest);
        let mut at = 0usize;
        if memchr::memchr(b'\r', rest).is_none() {
            // The usual stream ends lines with LF only: one pass over the chunk finds them all
            // (a search per line cost more than the line's work for short lines).
            for end in memchr::memchr_iter(b'\n', rest) {
                let start = at;
                at = end.saturating_add(1);
                self.take_line(rest, text, start, end, out)?;
            }
        } else {
            while let Some(i) = memchr::memchr2(b'\r', b'\n', rest.get(at..).unwrap_or_default()) {
                let start = at;
                let end = at.saturating_add(i);
                at = end.saturating_add(1);
                self.take_line(rest, text, start, end, out)?;
                if rest.get(end) == Some(&b'\r') {
                    if at >= rest.len() {
                        self.after_cr = true;
                    } else if rest.get(at) == Some(&b'\n') {
                        at = at.saturating_add(1);
                    }
                }
            }
        }
        let rest = rest.get(at..).unwrap_or_default();
        if self.line.len().saturating_add(rest.len()) > self.limits.max_line_bytes {
            return Err(self.fail(SseError::LineTooLong { limit: self.limits.max_line_bytes }));
        }
        self.line.extend_from_slice(rest);
        Ok(())
    }

    /// The line `rest[start..end]` (with any pending start of it from earlier chunks); `text` is
    /// the chunk's valid UTF-8 prefix.
    fn take_line<S: SseSink + ?Sized>(
        &mut self,
        rest: &[u8],
        text: &str,
        start: usize,
        end: usize,
        out: &mut S,
    ) -> Result<(), SseError> {
        let head = rest.get(start..end).unwrap_or_default();
        // The same limit as for a line still pending at the end of a chunk, so that the split
        // of the bytes never changes the outcome.
        if self.line.len().saturating_add(head.len()) > self.limits.max_line_bytes {
            return Err(self.fail(SseError::LineTooLong { limit: self.limits.max_line_bytes }));
        }
        if self.line.is_empty() {
            match text.get(start..end) {
                Some(line) => self.line_done(line, out),
                None => self.line_done(&String::from_utf8_lossy(head), out),
            }
        } else {
            let mut line = std::mem::take(&mut self.line);
            line.extend_from_slice(head);
            let r = self.line_done(&String::from_utf8_lossy(&line), out);
            line.clear();
            self.line = line;
            r
        }
    }

    /// Ends the stream: a pending line and an incomplete event are dropped, as the spec says.
    pub fn finish(&mut self) {
        self.line.clear();
        self.data.clear();
        self.event_type.clear();
        self.after_cr = false;
    }

    /// The last event id in force.
    pub fn last_event_id(&self) -> &str {
        &self.last_id
    }

    /// The last valid `retry` value read, in milliseconds.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    fn fail(&mut self, e: SseError) -> SseError {
        self.failed = Some(e);
        e
    }

    fn line_done<S: SseSink + ?Sized>(&mut self, line: &str, out: &mut S) -> Result<(), SseError> {
        let line = if self.started {
            line
        } else {
            self.started = true;
            line.strip_prefix('\u{FEFF}').unwrap_or(line)
        };
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        if line.starts_with(':') {
            return Ok(());
        }
        // Field names are short: a plain scan finds the colon sooner than a vector search.
        let (field, value) = match line.bytes().position(|b| b == b':') {
            Some(i) => {
                let value = line.get(i.saturating_add(1)..).unwrap_or_default();
                (line.get(..i).unwrap_or_default(), value.strip_prefix(' ').unwrap_or(value))
            }
            None => (line, ""),
        };
        match field {
            "event" => {
                self.event_type.clear();
                self.event_type.push_str(value);
            }
            "data" => {
                if self.data.len().saturating_add(value.len()).saturating_add(1) > self.limits.max_event_bytes {
                    return Err(self.fail(SseError::EventTooLarge { limit: self.limits.max_event_bytes }));
                }
                if self.data.is_empty() {
                    // One allocation for the usual one-line event when the previous event's
                    // buffer was taken (a no-op when a borrowing sink left its capacity).
                    self.data.reserve_exact(value.len().saturating_add(1));
                }
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if memchr::memchr(0, value.as_bytes()).is_none() => {
                self.last_id.clear();
                self.last_id.push_str(value);
            }
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // Digits that do not fit 64 bits are ignored.
                if let Ok(ms) = value.parse::<u64>() {
                    self.retry = Some(ms);
                    out.retry(ms);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn dispatch<S: SseSink + ?Sized>(&mut self, out: &mut S) {
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        self.data.pop();
        out.event_buffers(&mut self.event_type, &mut self.data, &self.last_id);
        // A borrowing sink leaves the buffers their capacity for the next event.
        self.data.clear();
        self.event_type.clear();
    }
}

/// Where [`SseDecoder::push_with`] hands the items it completes, in stream order.
pub trait SseSink {
    /// A dispatched event: its type (`message` by default), data and the last event id.
    fn event(&mut self, event: &str, data: &str, id: &str);
    /// A valid `retry` field, in milliseconds.
    fn retry(&mut self, ms: u64);
    /// A dispatched event given as the decoder's own buffers (type, empty for `message`, and
    /// data): a sink that keeps owned strings takes them instead of copying. The default
    /// borrows them and calls [`SseSink::event`].
    fn event_buffers(&mut self, event: &mut String, data: &mut String, id: &str) {
        self.event(if event.is_empty() { "message" } else { event.as_str() }, data, id);
    }
}

impl SseSink for Vec<SseItem> {
    fn event(&mut self, event: &str, data: &str, id: &str) {
        self.push(SseItem::Event(SseEvent { event: event.to_owned(), data: data.to_owned(), id: id.to_owned() }));
    }
    fn event_buffers(&mut self, event: &mut String, data: &mut String, id: &str) {
        let event = if event.is_empty() { "message".to_owned() } else { std::mem::take(event) };
        self.push(SseItem::Event(SseEvent { event, data: std::mem::take(data), id: id.to_owned() }));
    }
    fn retry(&mut self, ms: u64) {
        self.push(SseItem::Retry { retry: ms });
    }
}

/// The longest prefix of `bytes` that is valid UTF-8.
fn valid_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(bytes.get(..e.valid_up_to()).unwrap_or_default()).unwrap_or_default(),
    }
}

/// Decodes a whole stream given as chunks (then [`SseDecoder::finish`]).
pub fn decode_chunks<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    limits: SseLimits,
) -> Result<Vec<SseItem>, SseError> {
    let mut d = SseDecoder::with_limits(limits);
    let mut out = Vec::new();
    for c in chunks {
        d.push_into(c, &mut out)?;
    }
    d.finish();
    Ok(out)
}
