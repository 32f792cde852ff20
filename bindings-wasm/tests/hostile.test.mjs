// Issue 15: no JS value can brick the wasm instance. 10,000 hostile calls of each kind
// (detached buffers, Proxies, throwing getters, iterators and toJSON, deep objects, wrong byte
// types, bad numbers) against the form and the table entry; each call must answer a report or
// throw an AgentRulesError with a documented code, no call may fail the instance (it is never
// replaced: no JS exception unwound through Rust, nothing trapped), and a valid call answers
// correctly afterwards. Then the cases of the issue one by one, and the recovery from a trap.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as form from '../pkg/node.js';
import * as table from '../pkg/table-node.js';
import { documentedCodes } from './documented-codes.mjs';
import { testHooks } from '../pkg/api.js';

const N = 10000;

const detached = () => {
  const u = new TextEncoder().encode('{"prompt":{"text":"x"}}');
  structuredClone(u.buffer, { transfer: [u.buffer] });
  return u;
};
const revoked = () => {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
};
const proxyU8 = () => new Proxy(new Uint8Array(8), { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('proto trap'); } });
const getter = () => ({ get prompt() { throw new Error('getter'); } });
const toJSON = () => ({ toJSON() { throw new TypeError('toJSON'); } });
const iterator = () => ({ *[Symbol.iterator]() { yield ['a', 'b']; throw new Error('iterator'); } });
let deepest = {};
for (let i = 0; i < 100000; i++) deepest = { d: deepest };
const deep = () => deepest;
const wrongBytes = [() => new Uint16Array(4), () => new ArrayBuffer(4), () => new DataView(new ArrayBuffer(4)), () => new Float64Array(2)];
const badNumbers = [NaN, Infinity, -Infinity, -1, 1.9, 2 ** 53 + 2, -0.5, 1e308];

// Each kind: a maker of the hostile value (by call number) and the calls that take it.
const kinds = {
  'detached buffer': (i) => detached(),
  'Proxy around a Uint8Array (or revoked)': (i) => (i % 2 ? proxyU8() : revoked()),
  'throwing getter': (i) => getter(),
  'throwing toJSON': (i) => toJSON(),
  'throwing iterator': (i) => iterator(),
  'deep object': (i) => deep(),
  'wrong byte type': (i) => wrongBytes[i % wrongBytes.length](),
  'bad number': (i) => badNumbers[i % badNumbers.length],
};

function callsOf(mod) {
  const matrix = new mod.PolicyMatrix({ tools: { t: { maxCalls: 2, approval: 'none', offline: 'allow', roles: ['member'] } } });
  const sse = new mod.SseDecoder();
  const calls = [
    (v) => mod.validateLaunch(v),
    (v) => mod.check('launch', { prompt: { text: 'x' } }, v),
    (v) => mod.assertValidLaunch(v),
    (v) => mod.checkImage('image/png', v, typeof v === 'number' ? v : 16),
    (v) => mod.renderListQuery(v),
    (v) => mod.parseErrorEnvelope(v),
    (v) => mod.replayJson(v),
    (v) => new mod.PolicyMatrix(v),
    (v) => matrix.decide('t', 'member', v, true),
    (v) => sse.push(v),
    (v) => new mod.SseDecoder(v),
    (v) => new mod.Poller().observe('running', v),
    (v) => mod.retryAfterMs('120', v),
  ];
  if (mod.TableValidator) {
    const t = new mod.TableValidator({ type: 'object', properties: { issue: { type: 'string' } } });
    calls.push(
      (v) => t.validateValue(v),
      (v) => t.validateElements(v),
      (v) => t.validateElements([{ key: 'a', value: v }]),
      (v) => new mod.TableValidator(v),
      (v) => mod.verifyWebhook('github', v, '{}', 'secret', 0),
      (v) => mod.verifyWebhook('github', {}, v, 'secret', typeof v === 'number' ? v : 0),
      (v) => mod.evaluate('endpoint', v),
      (v) => mod.connectorSummary(v),
      (v) => mod.sweepConnectors([], v),
    );
  }
  return calls;
}

/** Runs `f`; a return or an AgentRulesError with a documented code is fine, anything else not. */
function expectAnswer(mod, f, what) {
  try {
    f();
    return 'returned';
  } catch (e) {
    assert.ok(e instanceof mod.AgentRulesError, `${what}: threw ${e?.name}: ${e?.message}`);
    assert.ok(documentedCodes.includes(e.code), `${what}: undocumented code ${e.code}`);
    assert.notEqual(e.code, 'internal', `${what}: the instance failed: ${e.message}`);
    return e.code;
  }
}

function healthy(mod) {
  assert.deepEqual(mod.validateLaunch({ prompt: { text: '' } }).violations.map((v) => v.code), ['empty_text']);
  assert.equal(mod.validateLaunch(new TextEncoder().encode('{"prompt":{"text":"go"}}')).ok, true);
  if (mod.TableValidator) {
    const t = new mod.TableValidator({ type: 'object', properties: { n: { type: 'integer' } } });
    assert.deepEqual(t.validateValue({ n: 'x' }).violations.map((v) => v.path), ['/n']);
  }
}

for (const [name, mod] of [['form', form], ['table', table]]) {
  test(`${N} hostile calls of each kind through the ${name} entry leave it answering`, () => {
    const before = testHooks(mod.check).instances();
    const calls = callsOf(mod);
    const outcomes = {};
    for (const [kind, make] of Object.entries(kinds)) {
      for (let i = 0; i < N; i++) {
        const o = expectAnswer(mod, () => calls[i % calls.length](make(i)), `${kind} #${i} (call ${i % calls.length})`);
        outcomes[o] = (outcomes[o] ?? 0) + 1;
      }
    }
    console.log(`${name} entry: ${Object.keys(kinds).length} kinds x ${N} hostile calls: ${JSON.stringify(outcomes)}`);
    assert.equal(testHooks(mod.check).instances(), before, 'no hostile call may fail the wasm instance');
    healthy(mod);
  });
}

const code = (f) => {
  try {
    f();
    return 'returned';
  } catch (e) {
    return e instanceof table.AgentRulesError ? e.code : `${e.name}: ${e.message}`;
  }
};

test('callsMade is a count: a policy limit is never bypassed by a number (item 4)', () => {
  const m = new table.PolicyMatrix({ tools: { t: { maxCalls: 2, approval: 'none', offline: 'queue', roles: ['member'] } } });
  for (const n of [NaN, Infinity, -Infinity, 1.9, -1, 2 ** 53 + 2, '1', 1n, undefined]) assert.equal(code(() => m.decide('t', 'member', n, true)), 'invalid_arguments', String(n));
  for (const n of [2, 3, 2 ** 32, 2 ** 32 + 1, 2 ** 53]) assert.deepEqual(m.decide('t', 'member', n, true), { decision: 'deny', reason: 'max_calls_exceeded' }, String(n));
  assert.deepEqual(m.decide('t', 'member', 1, true), { decision: 'allow' });
  assert.equal(code(() => m.decide('t', 'member', 0, 'false')), 'invalid_arguments', 'online must be a boolean');
  assert.deepEqual(m.decide('t', 'member', 0, false), { decision: 'queued' });
});

test('byte arguments are Uint8Arrays, numbers are checked: nothing is converted silently (item 6)', () => {
  for (const mod of [form, table]) {
    const d = new mod.SseDecoder();
    assert.equal(code(() => d.push('data: hello\n\n')), 'invalid_arguments');
    assert.equal(code(() => d.push(Uint16Array.from('data: hi\n\n', (c) => c.charCodeAt(0) + 256))), 'invalid_arguments');
    assert.deepEqual(d.push(new TextEncoder().encode('data: hello\n\n')), [{ event: 'message', data: 'hello', id: '' }]);
    const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
    assert.equal(code(() => mod.checkImage('image/png', Uint16Array.from(png, (b) => b + 256), 1024)), 'invalid_arguments');
    assert.equal(mod.checkImage('image/png', Uint8Array.from(png), 1024).ok, true);
    for (const n of [-1, NaN, 0, 1.5, 2 ** 28 + 1, Infinity]) assert.equal(code(() => new mod.SseDecoder(n)), 'invalid_arguments', String(n));
    assert.equal(code(() => new mod.SseDecoder(2 ** 28)), 'returned');
    assert.equal(code(() => mod.validateLaunch(new TextEncoder().encode('{"prompt":{"text":"x"}}').buffer)), 'invalid_arguments');
    assert.equal(code(() => mod.validateLaunch(detached())), 'invalid_arguments');
  }
  assert.deepEqual(table.verifyWebhook('github', {}, new ArrayBuffer(2), 'secret', 0).verified, false, 'an ArrayBuffer body is documented');
});

test('what JSON.stringify throws is said, quoted to 40 characters (item 15)', () => {
  const message = (v) => form.validateLaunch(v).violations[0].message;
  assert.match(message({ get prompt() { throw new Error('getter boom'); } }), /JSON\.stringify threw Error `getter boom`/);
  assert.match(message({ toJSON() { throw new TypeError('toJSON boom'); } }), /TypeError `toJSON boom`/);
  assert.match(message(new Proxy({}, { ownKeys() { throw new Error('ownKeys boom'); } })), /Error `ownKeys boom`/);
  assert.match(message(deepest), /RangeError `Maximum call stack size exceeded`/);
  assert.match(message({ a: 1n }), /TypeError `Do not know how to serialize a BigInt`/);
  const long = message({ get a() { throw new Error(`secret-${'s'.repeat(100)}`); } });
  assert.ok(!long.includes('s'.repeat(40)), long);
  // An error whose name and message are themselves throwing getters.
  const evil = { get name() { throw new Error('x'); } };
  assert.match(message({ get a() { throw evil; } }), /name or message throws/);
});

test('maxDocumentBytes applies to JS objects as to text (item 7)', () => {
  const body = { prompt: { text: 'x'.repeat(10000) } };
  const ctx = { limits: { maxDocumentBytes: 1000 } };
  for (const mod of [form, table]) {
    for (const input of [body, JSON.stringify(body), new TextEncoder().encode(JSON.stringify(body))]) {
      assert.deepEqual(mod.validateLaunch(input, ctx).violations.map((v) => v.code), ['document_too_large']);
    }
    assert.throws(() => mod.assertValidLaunch(body, ctx), (e) => e.code === 'bad_request' && e.violations[0].code === 'document_too_large');
  }
});

test('a trapped instance is replaced: out of memory and a panic (item 10)', () => {
  for (const mod of [form, table]) {
    const before = testHooks(mod.check).instances();
    const t = mod.TableValidator && new mod.TableValidator({ type: 'object', properties: { n: { type: 'integer' } } });
    const m = new mod.PolicyMatrix({ tools: { t: { maxCalls: 1, approval: 'none', offline: 'allow', roles: ['member'] } } });
    const p = new mod.Poller();
    p.observe('running');
    const sse = new mod.SseDecoder();
    sse.push(new TextEncoder().encode('data: half'));
    // Hoard memory until the 4 GiB wasm32 address space is gone: the instance traps.
    let err;
    for (let i = 0; i < 64 && !err; i++) {
      try {
        testHooks(mod.check).hoard(256);
      } catch (e) {
        err = e;
      }
    }
    assert.ok(err instanceof mod.AgentRulesError && err.code === 'internal', `expected internal, got ${err}`);
    assert.match(err.message, /wasm instance failed .*RuntimeError/);
    // The next call runs on a fresh instance; objects made before rebuild themselves.
    healthy(mod);
    assert.equal(testHooks(mod.check).instances(), before + 1);
    assert.deepEqual(m.decide('t', 'member', 1, true), { decision: 'deny', reason: 'max_calls_exceeded' });
    assert.deepEqual(p.observe('running'), { step: 'wait', after_ms: 10000 }, 'the poller replays what it observed');
    if (t) assert.deepEqual(t.validateValue({ n: 'x' }).violations.map((v) => v.path), ['/n']);
    assert.throws(() => sse.push(new TextEncoder().encode('\n\n')), (e) => e.code === 'internal' && /lost/.test(e.message));
    // A 40 MB document checks fine after the trap (a fresh instance, not a fragmented one).
    const doc = JSON.stringify({ prompt: { text: 'x'.repeat(40 * 1024 * 1024) } });
    assert.equal(mod.validateLaunch(doc).ok, true);
    // A panic, too.
    assert.throws(() => testHooks(mod.check).panic(), (e) => e instanceof mod.AgentRulesError && e.code === 'internal');
    healthy(mod);
    assert.equal(testHooks(mod.check).instances(), before + 2);
  }
});
