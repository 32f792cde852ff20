// SSE decoding in Node, in one run on the same bytes: the npm package's SseDecoder against
// eventsource-parser (the decoder web clients pick), on a recorded-style 20 MB stream of run
// text deltas pushed in 16 KiB chunks. Run after bindings-wasm/scripts/build:
//   node bindings-wasm/bench/sse.mjs
import { createParser } from 'eventsource-parser';
import { SseDecoder } from '../pkg/node.js';

function recorded(size) {
  const parts = ['event: run.started\nid: 1\ndata: {"runId":"run_1","workItemId":"wi_1","seq":1,"receipt":{"id":"rc_1"}}\n\n'];
  let len = parts[0].length;
  for (let seq = 2; len < size; seq++) {
    const ev = `event: text.delta\nid: ${seq}\ndata: {"runId":"run_1","workItemId":"wi_1","seq":${seq},"receipt":{"id":"rc_${seq}"},"delta":"The stair detail on sheet A-501 meets the egress width "}\n\n`;
    parts.push(ev);
    len += ev.length;
  }
  return new TextEncoder().encode(parts.join(''));
}

const bytes = recorded(20 * 1024 * 1024);
const chunks = [];
for (let i = 0; i < bytes.length; i += 16384) chunks.push(bytes.subarray(i, i + 16384));

function ours() {
  const d = new SseDecoder();
  let n = 0;
  for (const c of chunks) n += d.push(c).length;
  d.finish();
  return n;
}

function theirs() {
  let n = 0;
  const parser = createParser({ onEvent: () => { n += 1; } });
  const text = new TextDecoder();
  for (const c of chunks) parser.feed(text.decode(c, { stream: true }));
  parser.reset({ consume: false });
  return n;
}

function time(fn) {
  fn();
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  runs.sort((a, b) => a - b);
  return runs[2];
}

const a = ours();
const b = theirs();
if (a !== b) throw new Error(`event counts differ: ${a} vs ${b}`);
const mb = bytes.length / 1024 / 1024;
const t1 = time(ours);
const t2 = time(theirs);
console.log(`node ${process.version}, ${mb.toFixed(1)} MiB, ${a} events`);
console.log(`agentrules SseDecoder   ${(mb / t1).toFixed(1).padStart(7)} MiB/s`);
console.log(`eventsource-parser      ${(mb / t2).toFixed(1).padStart(7)} MiB/s`);
console.log(`ratio                   ${(t2 / t1).toFixed(2)}x (≥ 3 is the goal)`);
