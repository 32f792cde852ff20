// The npm probe of scripts/hostile: runs one call through the package (table entry, which has
// every kind) from a JSON spec and prints one line {"outcome": ...}: the report's codes, the
// refusal's code, the decision. `check-file.mjs <kind> <file>` (the old form) checks the bytes.
// Binding-specific abuse: {"call": "abuse", "what": ..., "times": N}, then a valid call.
import { readFileSync } from 'node:fs';
import * as m from '../pkg/table-node.js';

const args = process.argv.slice(2);
const spec = args.length === 2 ? { call: 'check', kind: args[0], input: args[1], as: 'bytes' } : JSON.parse(args[0]);
const bytes = (p) => new Uint8Array(readFileSync(p));
const codes = (r) => (r.ok ? 'ok' : [...new Set(r.violations.map((v) => v.code))].sort().join(', '));
const num = (n) => (n === 'NaN' ? NaN : n === 'Infinity' ? Infinity : n);
const sseOutcome = (e) =>
  /line is longer/.test(e.message) ? `${e.code}: line too long` : /data is larger/.test(e.message) ? `${e.code}: event too large` : `${e.code}: ${e.message}`;

function refusal(e) {
  if (!(e instanceof m.AgentRulesError)) throw e;
  const v = e.violations?.length ? ` (${[...new Set(e.violations.map((x) => x.code))].sort().join(', ')})` : '';
  return `refused ${e.code}${v}`;
}

const detached = () => {
  const u = new TextEncoder().encode('{"prompt":{"text":"x"}}');
  structuredClone(u.buffer, { transfer: [u.buffer] });
  return u;
};

function abuse(what, times) {
  const seen = new Set();
  const t = new m.TableValidator({ type: 'object', properties: { issue: { type: 'string' } } });
  let deep = {};
  for (let i = 0; i < 100000; i++) deep = { d: deep };
  const hostile = {
    'detached-uint8array': () => m.validateLaunch(detached()),
    'proxy-uint8array': () => m.validateLaunch(new Proxy(new Uint8Array(8), { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('proto'); } })),
    'throwing-header-getter': () => m.verifyWebhook('github', { get 'x-hub-signature-256'() { throw new Error('getter'); } }, new Uint8Array(2), 'secret', 0),
    'deep-object-table-value': () => t.validateValue(deep),
  }[what];
  if (!hostile) throw new Error(`unknown abuse ${what}`);
  for (let i = 0; i < times; i++) {
    try {
      const r = hostile();
      seen.add(r.ok !== undefined ? codes(r) : r.verified ? 'verified' : r.reason);
    } catch (e) {
      seen.add(refusal(e));
    }
  }
  return `${[...seen].sort().join(' | ')}; then ${codes(m.validateLaunch({ prompt: { text: '' } }))}`;
}

function run(s) {
  switch (s.call) {
    case 'check': {
      const raw = s.input_inline !== undefined ? s.input_inline : bytes(s.input);
      const input = s.as === 'value' ? JSON.parse(new TextDecoder().decode(raw)) : s.as === 'text' ? new TextDecoder().decode(raw) : raw;
      const ctx = s.context_file !== undefined ? bytes(s.context_file) : s.context ?? undefined;
      return codes(m.check(s.kind, input, ctx));
    }
    case 'sse': {
      const data = bytes(s.input);
      const d = new m.SseDecoder();
      let items = 0;
      try {
        if (!s.chunk) items += d.push(data).length;
        else for (let i = 0; i < data.length; i += s.chunk) items += d.push(data.subarray(i, i + s.chunk)).length;
        d.finish();
      } catch (e) {
        if (!(e instanceof m.AgentRulesError)) throw e;
        return sseOutcome(e);
      }
      return `ok: ${items} items`;
    }
    case 'op':
      return `ok: ${JSON.stringify(m.evaluate(s.name, bytes(s.args)))}`;
    case 'decide': {
      const d = new m.PolicyMatrix(bytes(s.matrix)).decide(s.tool, s.role, num(s.calls), true);
      return d.reason ? `${d.decision}/${d.reason}` : d.decision;
    }
    case 'verify_webhook': {
      const v = m.verifyWebhook(s.provider, s.headers, bytes(s.body), s.secret, s.now ?? 0);
      return v.verified ? 'verified' : v.reason;
    }
    case 'verify_google_webhook': {
      const v = m.verifyGoogleWebhook(s.headers, new TextDecoder().decode(bytes(s.keys)), s.expect, s.now ?? 0);
      return v.verified ? 'verified' : v.reason;
    }
    case 'abuse':
      return abuse(s.what, s.times);
    case 'misuse': {
      // Wrong argument types (item 6).
      const f = {
        'sse-push-string': () => new m.SseDecoder().push('data: hello\n\n'),
        'sse-push-uint16array': () => new m.SseDecoder().push(Uint16Array.from('data: hi\n\n', (c) => c.charCodeAt(0) + 256)),
        'sse-new-negative': () => new m.SseDecoder(-1),
        'launch-arraybuffer': () => m.validateLaunch(new ArrayBuffer(8)),
      }[s.what];
      f();
      return 'returned';
    }
    default:
      throw new Error(`unknown call ${s.call}`);
  }
}

let outcome;
try {
  outcome = run(spec);
} catch (e) {
  outcome = refusal(e);
}
console.log(JSON.stringify({ outcome }));
