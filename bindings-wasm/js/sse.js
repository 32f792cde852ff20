// Builds the items of one SseDecoder.push from what the wasm side packed: every event's type,
// data and id one after another in `text` (one string crossing the boundary per push instead of
// three per event), and `meta`, four numbers per item: [0, type length, data length, id length]
// for an event (UTF-16 lengths) or [1, milliseconds, 0, 0] for a retry. Each field is a slice
// of `text` (V8 shares the characters of slices of 13 or more).
export function unpackSseItems(text, meta) {
  const n = meta.length >> 2;
  const out = new Array(n);
  let at = 0;
  for (let i = 0, m = 0; i < n; i++, m += 4) {
    if (meta[m] === 0) {
      const e = at + meta[m + 1];
      const d = e + meta[m + 2];
      const end = d + meta[m + 3];
      out[i] = { event: text.slice(at, e), data: text.slice(e, d), id: text.slice(d, end) };
      at = end;
    } else {
      out[i] = { retry: meta[m + 1] };
    }
  }
  return out;
}
