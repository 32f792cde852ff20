// R2 and R5 through the npm package's own classes: every SSE case of the corpus through
// SseDecoder whole, byte by byte and split at every offset (both entries), and replayJson's
// bytes against the golden state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as form from '../pkg/node.js';
import * as table from '../pkg/table-node.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = process.env.AGENTRULES_CONFORMANCE_DIR ?? join(here, '../../tests/conformance');
const cases = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')).map((c) => ({ ...c, file: f })))
  .filter((c) => c.op === 'sse_decode' && c.args.split === undefined);

const bytesOf = (chunks) => {
  const parts = chunks.map((c) => (typeof c === 'string' ? new TextEncoder().encode(c) : Uint8Array.from(c.hex.match(/../g) ?? [], (h) => parseInt(h, 16))));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return all;
};

function decode(mod, pieces, maxLineBytes) {
  const d = new mod.SseDecoder(maxLineBytes);
  let items;
  try {
    items = pieces.flatMap((p) => d.push(p));
  } catch (e) {
    if (!mod.isAgentRulesError(e)) throw e;
    // The refusal as the op answers it: { error: { kind, message, violations } }.
    return { error: { kind: e.code, message: e.message, violations: e.violations } };
  }
  d.finish();
  return { items, lastEventId: d.lastEventId, retry: d.retry ?? null };
}

for (const [name, mod] of [['form', form], ['table', table]]) {
  test(`SSE cases through the ${name} entry's SseDecoder at every split`, () => {
    let runs = 0;
    for (const c of cases) {
      const all = bytesOf(c.args.chunks);
      const splits = [[all], Array.from(all, (b) => Uint8Array.of(b))];
      for (let i = 0; i <= all.length; i++) splits.push([all.subarray(0, i), all.subarray(i)]);
      for (const pieces of splits) {
        runs += 1;
        assert.deepEqual(decode(mod, pieces, c.args.maxLineBytes), c.expect, `${c.name} (${pieces.length} pieces)`);
      }
    }
    console.log(`${name} entry: ${runs} decodes`);
    assert.ok(runs > 500);
  });
}

test('a line limit outside the core\'s bounds is refused', () => {
  for (const bad of [0, 1.5, -1, 256 * 1024 * 1024 + 1]) {
    assert.throws(() => new form.SseDecoder(bad), (e) => e.code === 'invalid_arguments', String(bad));
  }
});

test('a line past the limit throws invalid_stream', () => {
  const d = new form.SseDecoder(16);
  assert.throws(() => d.push(new TextEncoder().encode('data: 0123456789abcdef')), (e) => e.code === 'invalid_stream');
});

test('replayJson gives the golden bytes', () => {
  const golden = readFileSync(join(here, '../../tests/golden/run-state.json'), 'utf8');
  const log = JSON.parse(readFileSync(join(here, '../../tests/golden/run-log.json'), 'utf8'));
  assert.equal(form.replayJson(log), golden);
  assert.equal(table.replayJson(JSON.stringify(log)), golden);
  assert.throws(() => form.replayJson(log.slice(1)), (e) => e.code === 'bad_request' && e.violations[0].code === 'out_of_order');
});
