// Builds a Report from what the wasm side packed: every violation's path, code and message one
// after another in `text` (one string crosses the boundary instead of three per violation) and
// `lengths`, three UTF-16 lengths per violation. Measured: a report of 17 violations built field
// by field across the boundary was 40% of a launch check.
export function unpackReport(text, lengths) {
  const n = (lengths.length / 3) | 0;
  const violations = new Array(n);
  let at = 0;
  for (let i = 0, m = 0; i < n; i++, m += 3) {
    const p = at + lengths[m];
    const c = p + lengths[m + 1];
    const end = c + lengths[m + 2];
    violations[i] = { path: text.slice(at, p), code: text.slice(p, c), message: text.slice(c, end) };
    at = end;
  }
  return { ok: n === 0, violations };
}
