//! SSE byte streams with random chunking: decoding never panics, memory stays bounded by the
//! limits, and any chunking decodes exactly as the whole stream does.
#![no_main]
use agentrules::sse::{SseDecoder, SseItem, SseLimits};
use libfuzzer_sys::fuzz_target;

fn decode(chunks: &[&[u8]]) -> (Result<Vec<SseItem>, String>, String, Option<u64>) {
    let mut d = SseDecoder::with_limits(SseLimits { max_line_bytes: 4096, max_event_bytes: 16384 });
    let mut items = Vec::new();
    for c in chunks {
        if let Err(e) = d.push_into(c, &mut items) {
            return (Err(e.to_string()), String::new(), None);
        }
    }
    d.finish();
    (Ok(items), d.last_event_id().to_string(), d.retry())
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, stream)) = data.split_first() else { return };
    let whole = decode(&[stream]);
    // Chunk sizes from the seed: 1..=16 bytes, cycling.
    let mut chunks = Vec::new();
    let (mut i, mut step) = (0usize, usize::from(seed % 16) + 1);
    while i < stream.len() {
        let end = (i + step).min(stream.len());
        chunks.push(&stream[i..end]);
        i = end;
        step = step % 16 + 1;
    }
    let split = decode(&chunks);
    // A limit error may be reported at a different item, but never for one split and not the other.
    assert_eq!(whole.0.is_ok(), split.0.is_ok(), "the limit verdict depends on chunking");
    if whole.0.is_ok() {
        assert_eq!(whole, split, "decoding depends on chunking");
    }
});
