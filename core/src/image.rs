//! Images of a prompt (I1–I7): media types, base64 checked without decoding the image, the size
//! computed from the text's length and padding, and the file signature sniffed from the first
//! bytes only.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::Limits;
use crate::json::{as_object, check_fields, mismatch};
use crate::pointer::Pointer;
use crate::report::{quote, Code, Params, Sink, Violation};

/// The image media types the platform accepts (I3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MediaType {
    /// `image/jpeg`, signature `FF D8 FF`.
    #[serde(rename = "image/jpeg")]
    Jpeg,
    /// `image/png`, signature `89 50 4E 47 0D 0A 1A 0A`.
    #[serde(rename = "image/png")]
    Png,
    /// `image/webp`, signature `RIFF????WEBP`.
    #[serde(rename = "image/webp")]
    Webp,
    /// `image/gif`, signature `GIF87a` or `GIF89a`.
    #[serde(rename = "image/gif")]
    Gif,
}

impl MediaType {
    /// Every accepted media type.
    pub const ALL: [MediaType; 4] = [MediaType::Jpeg, MediaType::Png, MediaType::Webp, MediaType::Gif];

    /// Parses a media type exactly as written (`image/png`; decided: case-sensitive, no
    /// parameters, as browsers report `File.type`).
    pub fn parse(s: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The media type's text.
    pub const fn as_str(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Gif => "image/gif",
        }
    }

    /// Whether `head` (the first bytes of the decoded image) starts with this type's signature.
    pub fn matches(self, head: &[u8]) -> bool {
        match self {
            MediaType::Jpeg => head.starts_with(&[0xFF, 0xD8, 0xFF]),
            MediaType::Png => head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
            MediaType::Gif => head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
            MediaType::Webp => head.len() >= 12 && head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP"),
        }
    }

    /// The media type whose signature `head` starts with, if any.
    pub fn sniff(head: &[u8]) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|m| m.matches(head))
    }
}

/// How many leading bytes are enough to tell every signature apart (I7).
pub const HEAD_LEN: usize = 16;

/// Why a text is not acceptable base64 (I4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base64Error {
    /// A byte outside `A–Z a–z 0–9 + /` and trailing `=` (whitespace and line breaks included).
    InvalidByte {
        /// Byte offset of the first bad byte.
        offset: usize,
    },
    /// A length that is not a multiple of 4, or `=` padding in the wrong place or amount.
    BadPadding,
}

/// Checks that `data` is standard-alphabet base64 with correct `=` padding, without decoding or
/// allocating. Returns the decoded length.
///
/// ```
/// use agentrules::image::base64_decoded_len;
/// assert_eq!(base64_decoded_len("iVBORw0KGgo="), Ok(8));
/// assert!(base64_decoded_len("iVBORw0KGgo").is_err()); // padding missing
/// assert!(base64_decoded_len("iVBO Rw0KGgo=").is_err()); // whitespace
/// ```
pub fn base64_decoded_len(data: &str) -> Result<u64, Base64Error> {
    let b = data.as_bytes();
    if b.len() % 4 != 0 {
        return Err(first_bad_byte(b).unwrap_or(Base64Error::BadPadding));
    }
    let pad = b.iter().rev().take(2).take_while(|c| **c == b'=').count();
    let body = b.get(..b.len().saturating_sub(pad)).unwrap_or_default();
    if let Some(e) = first_bad_byte(body) {
        return Err(e);
    }
    let len = b.len() as u64;
    Ok((len / 4).saturating_mul(3).saturating_sub(pad as u64))
}

fn first_bad_byte(b: &[u8]) -> Option<Base64Error> {
    // Natively, a SIMD check (base64-simd, the instruction set chosen at run time) proves the
    // common case, every byte in the alphabet, at about twice the portable scan's speed. Its
    // `Ok` implies exactly that (the text has no padding here, so `=` is refused too); on any
    // error the portable scan below finds the offending byte, so the outcome is the scan's.
    #[cfg(not(target_arch = "wasm32"))]
    if base64_simd::STANDARD_NO_PAD.check(b).is_ok() {
        return None;
    }
    // Whole blocks are tested branch-free so the compiler can vectorise the scan (a 20 MiB
    // image is 28 MB of text); only a failing block is searched for the offending byte.
    const BLOCK: usize = 256;
    let mut blocks = b.chunks_exact(BLOCK);
    let mut start = 0usize;
    for block in &mut blocks {
        if block.iter().fold(0u8, |bad, c| bad | u8::from(!is_alphabet(*c))) != 0 {
            return bad_byte_in(block, start);
        }
        start = start.saturating_add(BLOCK);
    }
    bad_byte_in(blocks.remainder(), start)
}

/// The base64 alphabet in three range tests (fewer vector operations per byte than five): a
/// letter of either case (`c | 0x20` folds `A-Z` onto `a-z` and nothing else onto it), `/` or a
/// digit (`0x2F..=0x39` are exactly `/0123456789`), or `+`.
#[inline(always)]
fn is_alphabet(c: u8) -> bool {
    ((c | 0x20).wrapping_sub(b'a') < 26) | (c.wrapping_sub(b'/') < 11) | (c == b'+')
}

fn bad_byte_in(b: &[u8], start: usize) -> Option<Base64Error> {
    let pos = b.iter().position(|c| !is_alphabet(*c))?;
    // `=` before the end (or a third `=`) is a padding error, anything else a bad byte.
    if b.get(pos) == Some(&b'=') {
        Some(Base64Error::BadPadding)
    } else {
        Some(Base64Error::InvalidByte { offset: start.saturating_add(pos) })
    }
}

/// Decodes at most the first [`HEAD_LEN`] bytes of already-validated base64.
pub fn decode_head(data: &str) -> Vec<u8> {
    // 24 characters decode to 18 bytes: enough for every signature, whatever the padding.
    let cut = data.len().min(24);
    let chunk = data.get(..cut).unwrap_or_default();
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let mut out = engine.decode(chunk).unwrap_or_default();
    out.truncate(HEAD_LEN);
    out
}

/// Checks `prompt.images` (I1–I6) at `path` (usually `/prompt/images`).
pub(crate) fn check_images(sink: &mut Sink, path: &Pointer, v: &Value, limits: &Limits) {
    let Value::Array(items) = v else {
        mismatch(sink, path, "an array of images", v);
        return;
    };
    if items.len() as u64 > limits.max_images {
        sink.push_with(
            path,
            Code::TooManyImages,
            format!("{} images given; at most {} are allowed", items.len(), limits.max_images),
            Params::new().int("count", items.len()).int("max", limits.max_images),
        );
    }
    for (i, item) in items.iter().enumerate() {
        check_image(sink, &path.index(i), item, limits);
    }
}

/// Checks one image object `{ media_type, data }` (I2–I6).
pub(crate) fn check_image(sink: &mut Sink, path: &Pointer, v: &Value, limits: &Limits) {
    let Some(obj) = as_object(sink, path, v, "an image object { media_type, data }") else {
        return;
    };
    check_fields(sink, path, obj, &["media_type", "data"]);
    let media_type = declared_media_type(obj);
    match obj.get("media_type") {
        None => sink.push(&path.key("media_type"), Code::Required, "an image needs a media_type"),
        Some(Value::String(s)) if media_type.is_none() => {
            sink.push_with(&path.key("media_type"), Code::UnsupportedMediaType, unsupported(s), supported());
        }
        Some(Value::String(_)) => {}
        Some(other) => mismatch(sink, &path.key("media_type"), "a string", other),
    }
    match obj.get("data") {
        None => sink.push(&path.key("data"), Code::Required, "an image needs data"),
        Some(Value::String(s)) => check_data(sink, &path.key("data"), s, media_type, limits),
        Some(other) => mismatch(sink, &path.key("data"), "a base64 string", other),
    }
}

/// The media type an image object declares, when it is one of [`MediaType::ALL`]: what its
/// `data` is checked against (I6).
pub(crate) fn declared_media_type(obj: &serde_json::Map<String, Value>) -> Option<MediaType> {
    match obj.get("media_type") {
        Some(Value::String(s)) => MediaType::parse(s),
        _ => None,
    }
}

/// The params of `unsupported_media_type`: the media types an image may have.
fn supported() -> Params {
    Params::new().list("allowed", MediaType::ALL.map(MediaType::as_str))
}

fn unsupported(s: &str) -> String {
    format!("media type {} is not supported; use image/jpeg, image/png, image/webp or image/gif", quote(s))
}

/// What the image rules read from an image's `data` text (I4–I6): whether it is a `data:` URL,
/// else its base64 verdict, and then the first decoded bytes. The image rules decide from these
/// alone, so a verdict computed once stands for the text (see [`crate::stand_in`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFacts {
    /// `data:` URL (any case): nothing else is read.
    data_url: bool,
    /// The decoded length, or why the text is not base64 (when it is not a data URL).
    decoded: Result<u64, Base64Error>,
    /// The first [`HEAD_LEN`] decoded bytes (when the text is base64).
    head: Vec<u8>,
}

impl DataFacts {
    /// Reads the facts of `data` (the whole text is scanned once, as the check scans it).
    #[inline(never)] // one copy of the scan for the check and the stand-ins (the browser package's size)
    pub fn of(data: &str) -> DataFacts {
        if data.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("data:")) {
            return DataFacts { data_url: true, decoded: Ok(0), head: Vec::new() };
        }
        let decoded = base64_decoded_len(data);
        let head = if decoded.is_ok() { decode_head(data) } else { Vec::new() };
        DataFacts { data_url: false, decoded, head }
    }
}

impl DataFacts {
    /// The facts as short text ([`crate::stand_in::StandIn::encode`]).
    pub(crate) fn encode(&self) -> String {
        if self.data_url {
            return String::from("u");
        }
        match self.decoded {
            Err(Base64Error::InvalidByte { offset }) => format!("b{offset}"),
            Err(Base64Error::BadPadding) => String::from("p"),
            Ok(len) => {
                let mut s = format!("{len},");
                for b in &self.head {
                    s.push_str(&format!("{b:02x}"));
                }
                s
            }
        }
    }

    /// The facts from [`DataFacts::encode`]'s text.
    pub(crate) fn decode(s: &str) -> Option<DataFacts> {
        let none = |decoded| DataFacts { data_url: false, decoded, head: Vec::new() };
        match s {
            "u" => Some(DataFacts { data_url: true, decoded: Ok(0), head: Vec::new() }),
            "p" => Some(none(Err(Base64Error::BadPadding))),
            _ => match s.strip_prefix('b') {
                Some(offset) => Some(none(Err(Base64Error::InvalidByte { offset: offset.parse().ok()? }))),
                None => {
                    let (len, head) = s.split_once(',')?;
                    let head = decode_hex(head).filter(|h| h.len() <= HEAD_LEN)?;
                    Some(DataFacts { data_url: false, decoded: Ok(len.parse().ok()?), head })
                }
            },
        }
    }
}

/// Checks an image's `data` text (I4–I6) at `path`, given its declared media type (when valid).
pub(crate) fn check_data(sink: &mut Sink, path: &Pointer, data: &str, media_type: Option<MediaType>, limits: &Limits) {
    check_data_facts(sink, path, &DataFacts::of(data), media_type, limits);
}

/// [`check_data`] from the text's [`DataFacts`].
pub(crate) fn check_data_facts(
    sink: &mut Sink,
    path: &Pointer,
    facts: &DataFacts,
    media_type: Option<MediaType>,
    limits: &Limits,
) {
    if facts.data_url {
        sink.push(path, Code::DataUrlNotAllowed, "data must be raw base64, not a data: URL");
        return;
    }
    let len = match facts.decoded {
        Ok(len) => len,
        Err(Base64Error::InvalidByte { offset }) => {
            sink.push(
                path,
                Code::InvalidBase64,
                format!("data is not base64: unexpected character at offset {offset} (only A–Z, a–z, 0–9, + and / with = padding)"),
            );
            return;
        }
        Err(Base64Error::BadPadding) => {
            sink.push(path, Code::InvalidBase64, "data is not base64: its length or = padding is wrong");
            return;
        }
    };
    check_size(sink, path, len, limits);
    if let Some(m) = media_type {
        check_signature(sink, path, m, &facts.head);
    }
}

fn check_size(sink: &mut Sink, path: &Pointer, len: u64, limits: &Limits) {
    if len > limits.max_image_bytes {
        sink.push_with(
            path,
            Code::ImageTooLarge,
            format!(
                "the image is {} once decoded; at most {} are allowed",
                crate::report::readable_bytes(len),
                crate::report::readable_bytes(limits.max_image_bytes)
            ),
            Params::new().int("bytes", len).int("maxBytes", limits.max_image_bytes),
        );
    }
}

fn check_signature(sink: &mut Sink, path: &Pointer, m: MediaType, head: &[u8]) {
    if !m.matches(head) {
        let sniffed = MediaType::sniff(head);
        let found = match sniffed {
            Some(actual) => format!("the bytes are {}", actual.as_str()),
            None => "the bytes match no supported image type".to_string(),
        };
        let mut params = Params::new().text("declared", m.as_str());
        if let Some(actual) = sniffed {
            params = params.text("found", actual.as_str());
        }
        sink.push_with(path, Code::MediaTypeMismatch, format!("declared {} but {found}", m.as_str()), params);
    }
}

/// I7: checks raw image bytes before they are encoded, from the declared media type, the byte
/// length and the first bytes (at least [`HEAD_LEN`] when the file has them). Paths are those of
/// an image object: `/media_type` and `/data`.
///
/// ```
/// use agentrules::{image::check_image_bytes, Limits, Code};
/// let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];
/// assert!(check_image_bytes("image/png", 1024, &png, &Limits::DEFAULT).is_empty());
/// let v = check_image_bytes("image/jpeg", 21 * 1024 * 1024, &png, &Limits::DEFAULT);
/// let codes: Vec<Code> = v.iter().map(|v| v.code).collect();
/// assert_eq!(codes, [Code::ImageTooLarge, Code::MediaTypeMismatch]);
/// ```
pub fn check_image_bytes(media_type: &str, byte_length: u64, head: &[u8], limits: &Limits) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let m = MediaType::parse(media_type);
    if m.is_none() {
        sink.push_with(&root.key("media_type"), Code::UnsupportedMediaType, unsupported(media_type), supported());
    }
    let data = root.key("data");
    check_size(&mut sink, &data, byte_length, limits);
    if let Some(m) = m {
        let head = head.get(..HEAD_LEN.min(head.len())).unwrap_or_default();
        check_signature(&mut sink, &data, m, head);
    }
    sink.out
}

/// `check image-bytes`: `{ "media_type": "image/png", "byteLength": 1234, "head": "<hex>" }`,
/// the JSON form of [`check_image_bytes`] used by the conformance corpus and the CLI.
pub(crate) fn check_image_bytes_doc(v: &Value, limits: &Limits) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Some(obj) = as_object(&mut sink, &root, v, "an object { media_type, byteLength, head }") else {
        return sink.out;
    };
    check_fields(&mut sink, &root, obj, &["media_type", "byteLength", "head"]);
    let media_type = match obj.get("media_type") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(other) => {
            mismatch(&mut sink, &root.key("media_type"), "a string", other);
            None
        }
        None => {
            sink.push(&root.key("media_type"), Code::Required, "media_type is required");
            None
        }
    };
    let len = match obj.get("byteLength") {
        Some(n) => crate::context::read_bounded_int(&mut sink, &root.key("byteLength"), n, 0, u64::MAX),
        None => {
            sink.push(&root.key("byteLength"), Code::Required, "byteLength is required");
            None
        }
    };
    let head = match obj.get("head") {
        Some(Value::String(s)) => match decode_hex(s) {
            Some(h) => Some(h),
            None => {
                sink.push_with(
                    &root.key("head"),
                    Code::TypeMismatch,
                    "head must be hexadecimal bytes",
                    crate::json::type_params("a hexadecimal string", "string"),
                );
                None
            }
        },
        Some(other) => {
            mismatch(&mut sink, &root.key("head"), "a hexadecimal string", other);
            None
        }
        None => Some(Vec::new()),
    };
    if let (Some(m), Some(len), Some(head)) = (media_type, len, head) {
        sink.extend(check_image_bytes(m, len, &head, limits));
    }
    sink.out
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if s.len() % 2 != 0 || s.len() > 2 * 64 {
        return None;
    }
    s.chunks(2)
        .map(|p| {
            let hi = (*p.first()? as char).to_digit(16)?;
            let lo = (*p.get(1)? as char).to_digit(16)?;
            u8::try_from(hi.saturating_mul(16).saturating_add(lo)).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoded_length_from_padding() {
        assert_eq!(base64_decoded_len(""), Ok(0));
        assert_eq!(base64_decoded_len("QQ=="), Ok(1));
        assert_eq!(base64_decoded_len("QUI="), Ok(2));
        assert_eq!(base64_decoded_len("QUJD"), Ok(3));
        assert_eq!(base64_decoded_len("QQ="), Err(Base64Error::BadPadding));
        assert_eq!(base64_decoded_len("Q==="), Err(Base64Error::BadPadding));
        assert_eq!(base64_decoded_len("Q=QQ"), Err(Base64Error::BadPadding));
        assert_eq!(base64_decoded_len("QQ-_"), Err(Base64Error::InvalidByte { offset: 2 }));
        assert_eq!(base64_decoded_len("QUJD\n"), Err(Base64Error::InvalidByte { offset: 4 }));
        // Offsets past the first vectorised block, and `=` inside a later block.
        let long = format!("{}!A", "A".repeat(130));
        assert_eq!(base64_decoded_len(&long), Err(Base64Error::InvalidByte { offset: 130 }));
        let mid_pad = format!("{}=A", "A".repeat(70));
        assert_eq!(base64_decoded_len(&mid_pad), Err(Base64Error::BadPadding));
        assert_eq!(base64_decoded_len(&"AAAA".repeat(1000)), Ok(3000));
    }

    #[test]
    fn head_decodes_short_and_long() {
        assert_eq!(decode_head("R0lGODlh"), b"GIF89a".to_vec());
        assert_eq!(decode_head(&"AAAA".repeat(100)).len(), HEAD_LEN);
        assert_eq!(decode_head("QQ=="), b"A".to_vec());
    }

    #[test]
    fn webp_needs_both_marks() {
        assert!(MediaType::Webp.matches(b"RIFF\x00\x00\x00\x00WEBPVP8 "));
        assert!(!MediaType::Webp.matches(b"RIFF\x00\x00\x00\x00WAVE"));
        assert!(!MediaType::Webp.matches(b"RIFF"));
    }
}
