// The npm package side by side with the libraries a JS developer would pick instead, in one
// run on the same inputs (core/benches/data/):
//   launch  check('launch', …) against ajv 8 (the launch body's JSON Schema from
//           `agentrules schema launch`, compiled by ajv, plus the cross-field and image rules
//           hand-written in JS) and against zod 4 (the same rules as a zod schema with refinements)
//   table   TableValidator.validateElements against ajv on the 10-column schema's rows
//   sse     SseDecoder against eventsource-parser on a 20 MiB recorded-style stream
// `agentrules` is the form entry (built for size), `agentrules/table` the table entry (built
// for speed); both are measured where both have the function.
// Every peer must agree with agentrules on which inputs are valid, or the bench stops.
//
//   node bindings-wasm/bench/peers.mjs --schema target/bench/launch.schema.json [--json out.json]
// (./scripts/bench builds the package, writes the schema and runs this.)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { createParser } from 'eventsource-parser';
import { check, SseDecoder } from '../pkg/node.js';
import * as tableEntry from '../pkg/table-node.js';

const { TableValidator } = tableEntry;

const require = createRequire(import.meta.url);
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const data = new URL('../../core/benches/data/', import.meta.url);
const read = (name) => readFileSync(new URL(name, data), 'utf8');

// ---------------------------------------------------------------------------------------------
// The rules beyond the JSON Schema, hand-written as a JS developer would (shared by ajv and zod).
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SIGNATURES = {
  'image/png': (h) => h.startsWith('\x89PNG\r\n\x1a\n'),
  'image/jpeg': (h) => h.startsWith('\xff\xd8\xff'),
  'image/gif': (h) => h.startsWith('GIF87a') || h.startsWith('GIF89a'),
  'image/webp': (h) => h.slice(0, 4) === 'RIFF' && h.slice(8, 12) === 'WEBP',
};

function imageIssues(img, path, issues) {
  const d = img.data;
  if (typeof d !== 'string' || !SIGNATURES[img.media_type]) return;
  if (d.slice(0, 5).toLowerCase() === 'data:') { issues.push([`${path}/data`, 'data URL']); return; }
  if (d.length % 4 !== 0 || !B64.test(d)) { issues.push([`${path}/data`, 'invalid base64']); return; }
  const pad = d.endsWith('==') ? 2 : d.endsWith('=') ? 1 : 0;
  if ((d.length / 4) * 3 - pad > 20 * 1024 * 1024) issues.push([`${path}/data`, 'image too large']);
  if (!SIGNATURES[img.media_type](atob(d.slice(0, 24)))) issues.push([`${path}/data`, 'media type mismatch']);
}

function crossField(b, issues) {
  const text = b.prompt && typeof b.prompt.text === 'string' ? b.prompt.text : undefined;
  if (text === undefined && b.workflowId === undefined) issues.push(['', 'prompt.text or workflowId required']);
  if (text !== undefined && text.trim() === '') issues.push(['/prompt/text', 'blank text']);
  if (b.workflowId !== undefined && b.fileIds !== undefined) issues.push(['/fileIds', 'not with a workflow']);
  if (b.workflowId !== undefined && b.capabilities !== undefined) issues.push(['/capabilities', 'not with a workflow']);
  if (b.workflowInputs !== undefined && b.workflowId === undefined) issues.push(['/workflowInputs', 'needs workflowId']);
  if (b.workflowInputs !== undefined && b.prompt !== undefined) issues.push(['/prompt', 'not with workflowInputs']);
  if (Array.isArray(b.fileIds)) {
    const seen = new Set();
    b.fileIds.forEach((id, i) => {
      if (typeof id !== 'string') return;
      if (!UUID.test(id)) issues.push([`/fileIds/${i}`, 'not a UUID']);
      const k = id.toLowerCase();
      if (seen.has(k)) issues.push([`/fileIds/${i}`, 'duplicate']);
      seen.add(k);
    });
  }
  if (b.prompt && Array.isArray(b.prompt.images)) {
    b.prompt.images.forEach((img, i) => { if (img && typeof img === 'object') imageIssues(img, `/prompt/images/${i}`, issues); });
  }
  return issues;
}

// ajv: the generated JSON Schema (all errors, as agentrules collects all) + the hand-written rules.
const schema = JSON.parse(readFileSync(arg('--schema'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addFormat('uuid', UUID);
const ajvLaunch = ajv.compile(schema);
function ajvCheck(body) {
  const issues = [];
  if (!ajvLaunch(body)) for (const e of ajvLaunch.errors) issues.push([e.instancePath, e.message]);
  if (body && typeof body === 'object' && !Array.isArray(body)) crossField(body, issues);
  return issues;
}

// zod 4: the same shape and rules.
const zUuid = z.string().regex(UUID);
const zImage = z.strictObject({ media_type: z.enum(['image/jpeg', 'image/png', 'image/webp', 'image/gif']), data: z.string() });
const zLaunch = z
  .strictObject({
    prompt: z.strictObject({ text: z.string().optional(), images: z.array(zImage).max(4).optional() }).optional(),
    workflowId: zUuid.optional(),
    fileIds: z.array(z.string()).optional(),
    workflowInputs: z.record(z.string(), z.union([z.null(), zUuid, z.array(z.string())])).optional(),
    capabilities: z
      .strictObject({ codeSearch: z.union([z.boolean(), z.strictObject({ jurisdiction: z.string().regex(/\S/).optional() })]).optional(), webSearch: z.boolean().optional() })
      .optional(),
    projectId: zUuid.optional(),
  })
  .superRefine((b, ctx) => {
    for (const [path, message] of crossField(b, [])) ctx.addIssue({ code: 'custom', message, path: path.split('/').slice(1) });
  });
function zodCheck(body) {
  const r = zLaunch.safeParse(body);
  return r.success ? [] : r.error.issues;
}

// ---------------------------------------------------------------------------------------------
function perCall(fn, iterations) {
  for (let i = 0; i < Math.min(2000, iterations); i++) fn();
  const runs = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    runs.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  runs.sort((a, b) => a - b);
  return runs[3]; // ns, median of 7
}

const results = [];
function record(group, name, impl, ns, extra = {}) {
  results.push({ group, name, impl, ns, ...extra });
  console.log(`${group.padEnd(7)} ${name.padEnd(30)} ${impl.padEnd(34)} ${(ns / 1000).toFixed(3).padStart(12)} µs`);
}

// launch
const bodies = { typical: read('launch-typical.json'), many_violations: read('launch-many.json') };
for (const [name, text] of Object.entries(bodies)) {
  const obj = JSON.parse(text);
  const ok = check('launch', obj, undefined).ok;
  if (ok !== (ajvCheck(obj).length === 0) || ok !== (zodCheck(obj).length === 0)) {
    throw new Error(`${name}: the peers disagree on validity (agentrules ok=${ok}, ajv ${ajvCheck(obj).length} issues, zod ${zodCheck(obj).length})`);
  }
  const bytes = new TextEncoder().encode(text);
  record('launch', name, 'agentrules check(object)', perCall(() => check('launch', obj, undefined), 20000));
  record('launch', name, 'agentrules check(JSON text)', perCall(() => check('launch', text, undefined), 20000));
  record('launch', name, 'agentrules check(Uint8Array)', perCall(() => check('launch', bytes, undefined), 20000));
  record('launch', name, 'agentrules/table check(object)', perCall(() => tableEntry.check('launch', obj, undefined), 20000));
  record('launch', name, 'ajv 8 + hand-written rules', perCall(() => ajvCheck(obj), 20000));
  record('launch', name, 'ajv 8 + rules, from JSON text', perCall(() => ajvCheck(JSON.parse(text)), 20000));
  record('launch', name, 'zod 4 + refinements', perCall(() => zodCheck(obj), 20000));
}

// one 20 MiB image, as a fetch body would arrive (bytes) and as an object (the same object each
// call: after the first, its image is stood in for, as in the keystroke case below)
{
  const raw = new Uint8Array(20 * 1024 * 1024);
  raw.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const b64 = Buffer.from(raw).toString('base64');
  const obj = { prompt: { text: 'compare', images: [{ media_type: 'image/png', data: b64 }] } };
  const text = JSON.stringify(obj);
  const bytes = new TextEncoder().encode(text);
  if (!check('launch', bytes, undefined).ok || ajvCheck(obj).length || zodCheck(obj).length) throw new Error('20 MiB image: a peer rejects it');
  record('launch', 'one_20MiB_image', 'agentrules check(Uint8Array)', perCall(() => check('launch', bytes, undefined), 10));
  record('launch', 'one_20MiB_image', 'agentrules check(object)', perCall(() => check('launch', obj, undefined), 10));
  record('launch', 'one_20MiB_image', 'ajv 8 + hand-written rules', perCall(() => ajvCheck(obj), 10));
  record('launch', 'one_20MiB_image', 'zod 4 + refinements', perCall(() => zodCheck(obj), 10));
}

// a form holding one 15 MiB image: the body checked again at each keystroke (the text changes,
// the image object stays), after the first check
{
  const raw = new Uint8Array(15 * 1024 * 1024);
  raw.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const image = { media_type: 'image/png', data: Buffer.from(raw).toString('base64') };
  let n = 0;
  const body = () => ({ prompt: { text: `compare ${n++}`, images: [image] } });
  const first = body();
  if (!check('launch', first, undefined).ok || ajvCheck(first).length || zodCheck(first).length) throw new Error('15 MiB image: a peer rejects it');
  record('launch', 'form_15MiB_image_keystroke', 'agentrules check(object)', perCall(() => check('launch', body(), undefined), 2000));
  record('launch', 'form_15MiB_image_keystroke', 'ajv 8 + hand-written rules', perCall(() => ajvCheck(body()), 10));
  record('launch', 'form_15MiB_image_keystroke', 'zod 4 + refinements', perCall(() => zodCheck(body()), 10));
}

// table: the 10-column schema over 10,000 rows
{
  const tableSchema = JSON.parse(read('table-schema.json'));
  const severities = ['low', 'medium', 'high', 'critical'];
  const rows = Array.from({ length: 10000 }, (_, i) => ({
    key: `row-${i}`,
    value: {
      id: i + 1, issue: `Missing fire rating on wall assembly ${i}`, severity: severities[i % 4], sheet: `A-${String(i % 1000).padStart(3, '0')}`,
      discipline: 'architectural', count: i % 1000, resolved: i % 2 === 0, cost: i * 1.5, tags: ['fire', 'egress'], note: i % 3 === 0 ? null : 'see detail 4',
    },
  }));
  const ours = new TableValidator(tableSchema);
  const peer = new Ajv2020({ allErrors: true, strict: false }).compile(tableSchema);
  if (!ours.validateElements(rows).ok || !rows.every((r) => peer(r.value))) throw new Error('table rows: a peer rejects them');
  const n = rows.length;
  record('table', '10k_rows', 'agentrules TableValidator', perCall(() => ours.validateElements(rows), 5), { rows: n });
  record('table', '10k_rows', 'ajv 8 (allErrors)', perCall(() => { let bad = 0; for (const r of rows) if (!peer(r.value)) bad++; return bad; }, 5), { rows: n });
}

// sse: 20 MiB in 16 KiB chunks
{
  const parts = ['event: run.started\nid: 1\ndata: {"runId":"run_1","workItemId":"wi_1","seq":1,"receipt":{"id":"rc_1"}}\n\n'];
  let len = parts[0].length;
  for (let seq = 2; len < 20 * 1024 * 1024; seq++) {
    const ev = `event: text.delta\nid: ${seq}\ndata: {"runId":"run_1","workItemId":"wi_1","seq":${seq},"receipt":{"id":"rc_${seq}"},"delta":"The stair detail on sheet A-501 meets the egress width "}\n\n`;
    parts.push(ev);
    len += ev.length;
  }
  const bytes = new TextEncoder().encode(parts.join(''));
  const chunks = [];
  for (let i = 0; i < bytes.length; i += 16384) chunks.push(bytes.subarray(i, i + 16384));
  const ours = () => {
    const d = new SseDecoder();
    let n = 0;
    for (const c of chunks) n += d.push(c).length;
    d.finish();
    return n;
  };
  const theirs = () => {
    let n = 0;
    const parser = createParser({ onEvent: () => { n += 1; } });
    const text = new TextDecoder();
    for (const c of chunks) parser.feed(text.decode(c, { stream: true }));
    parser.reset({ consume: false });
    return n;
  };
  const oursTable = () => {
    const d = new tableEntry.SseDecoder();
    let n = 0;
    for (const c of chunks) n += d.push(c).length;
    d.finish();
    return n;
  };
  const a = ours();
  if (a !== theirs() || a !== oursTable()) throw new Error('sse: event counts differ');
  record('sse', '20MiB_16KiB_chunks', 'agentrules SseDecoder', perCall(ours, 1), { bytes: bytes.length, events: a });
  record('sse', '20MiB_16KiB_chunks', 'agentrules/table SseDecoder', perCall(oursTable, 1), { bytes: bytes.length, events: a });
  record('sse', '20MiB_16KiB_chunks', 'eventsource-parser', perCall(theirs, 1), { bytes: bytes.length, events: a });
}

const versions = {
  node: process.version,
  ajv: require('ajv/package.json').version,
  zod: require('zod/package.json').version,
  'eventsource-parser': require('eventsource-parser/package.json').version,
};
console.log(JSON.stringify(versions));
const out = arg('--json');
if (out) writeFileSync(out, JSON.stringify({ versions, results }, null, 2));
