// The npm package's SseDecoder over a recorded stream, pushed in chunks of `size` bytes, and its
// replayJson over the decoded events, as JSON on stdout: { items, replay }, for
// server/tests/py/nome_decoders_agree.py. Usage: node sse_decode.mjs FILE SIZE
import { readFileSync } from 'node:fs';

import * as table from '../../../bindings-wasm/pkg/table-node.js';

const [file, size] = process.argv.slice(2);
const bytes = new Uint8Array(readFileSync(file));
const step = Number(size);
const decoder = new table.SseDecoder();
const items = [];
for (let i = 0; i < bytes.length; i += step) {
  items.push(...decoder.push(bytes.subarray(i, i + step)));
}
decoder.finish();
const log = items.filter((x) => 'event' in x).map((e) => ({ ...JSON.parse(e.data), type: e.event }));
process.stdout.write(JSON.stringify({ items, replay: table.replayJson(log) }));
