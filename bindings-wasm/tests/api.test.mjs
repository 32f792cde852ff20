// The idiomatic API of the npm package: errors, classes, lifecycle, images, drift of the codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as ar from '../pkg/node.js';
import { TableValidator, AgentRulesError as TableError } from '../pkg/table-node.js';
import { testHooks } from '../pkg/api.js';

const codesJson = JSON.parse(readFileSync(new URL('../../schemas/codes.json', import.meta.url), 'utf8'));

test('codes() and the Code union in the .d.ts match schemas/codes.json', () => {
  assert.deepEqual(ar.codes(), codesJson);
  for (const dts of ['../pkg/form/agentrules.d.ts', '../pkg/table/agentrules_table.d.ts']) {
    const text = readFileSync(new URL(dts, import.meta.url), 'utf8');
    const m = text.match(/export type Code =([^;]+);/);
    assert.ok(m, `no Code union in ${dts}`);
    const union = [...m[1].matchAll(/"([a-z0-9_]+)"/g)].map((x) => x[1]);
    assert.deepEqual(union, codesJson.map((c) => c.code), `${dts} drifted from the core's code list`);
  }
});

const refusalsJson = JSON.parse(readFileSync(new URL('../../schemas/refusals.json', import.meta.url), 'utf8'));

test('RefusalKind and the AgentRulesErrorCode union match the core (schemas/refusals.json)', async () => {
  const kinds = refusalsJson.map((r) => r.kind);
  assert.deepEqual(Object.values(ar.RefusalKind), kinds);
  const table = await import('../pkg/table-node.js');
  assert.deepEqual(Object.values(table.RefusalKind), kinds);
  const { documentedCodes } = await import('./documented-codes.mjs');
  assert.deepEqual(documentedCodes, kinds);
  // A refusal's code is the core's kind, as the core names it.
  assert.throws(() => ar.check('nope', '{}'), (e) => e.code === ar.RefusalKind.UnknownKind);
  assert.throws(() => ar.applyAction('running', 'follow_up'), (e) => e.code === ar.RefusalKind.InvalidState);
});

test('the OpName union in ops.d.ts is the core\'s op registry (schemas/ops.json)', () => {
  const ops = JSON.parse(readFileSync(new URL('../../schemas/ops.json', import.meta.url), 'utf8')).map((o) => o.op);
  const dts = readFileSync(new URL('../pkg/ops.d.ts', import.meta.url), 'utf8');
  assert.deepEqual([...dts.matchAll(/^\s*\|\s*'([a-z_]+)'/gm)].map((m) => m[1]), ops);
});

test('validateLaunch reports at JSON paths', () => {
  const r = ar.validateLaunch({ workflowId: '019def34-0000-7000-8000-000000000010', fileIds: [] });
  assert.equal(r.ok, false);
  assert.deepEqual(r.violations.map((v) => [v.path, v.code]), [['/fileIds', 'not_allowed_with_workflow']]);
});

test('invalid JSON text is a violation, not an exception', () => {
  const r = ar.check('launch', '{"prompt": ');
  assert.equal(r.violations[0].code, 'invalid_json');
});

test('values are read as JSON.stringify would; what JSON cannot hold is invalid_json', () => {
  // NaN becomes null, as in JSON.stringify: then prompt.text is of the wrong type.
  assert.deepEqual(ar.check('launch', { prompt: { text: NaN } }).violations.map((v) => [v.path, v.code]), [['/prompt/text', 'type_mismatch']]);
  assert.equal(ar.check('launch', undefined).violations[0].code, 'invalid_json');
  assert.equal(ar.check('launch', { prompt: { text: 10n } }).violations[0].code, 'invalid_json');
  const cycle = { prompt: { text: 'x' } };
  cycle.self = cycle;
  assert.equal(ar.check('launch', cycle).violations[0].code, 'invalid_json');
  assert.equal(ar.check('launch', () => 1).violations[0].code, 'invalid_json');
  assert.equal(ar.check('launch', null).violations[0].code, 'type_mismatch');
});

test('assertValidLaunch throws an AgentRulesError with the violations', () => {
  assert.doesNotThrow(() => ar.assertValidLaunch({ prompt: { text: 'go' } }));
  try {
    ar.assertValidLaunch({});
    assert.fail('expected a throw');
  } catch (e) {
    assert.ok(e instanceof ar.AgentRulesError);
    assert.ok(e instanceof Error);
    assert.ok(ar.isAgentRulesError(e));
    assert.equal(e.name, 'AgentRulesError');
    assert.equal(e.code, 'bad_request');
    assert.deepEqual(e.violations.map((v) => v.code), ['missing_prompt_or_workflow']);
  }
});

test('an invalid context throws invalid_context and never mixes into the report', () => {
  assert.throws(() => ar.validateLaunch({ prompt: { text: 'x' } }, { limits: { maxImages: 0 } }), (e) => {
    return e instanceof ar.AgentRulesError && e.code === 'invalid_context' && e.violations[0].path === '/limits/maxImages';
  });
  assert.throws(() => ar.check('lunch', {}), (e) => e.code === 'unknown_kind');
});

test('checkImage checks a File before encoding', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  assert.equal(ar.checkImage('image/png', png, 1024).ok, true);
  const big = ar.checkImage('image/jpeg', png, 20 * 1024 * 1024 + 1);
  assert.deepEqual(big.violations.map((v) => [v.path, v.code]), [['/data', 'image_too_large'], ['/data', 'media_type_mismatch']]);
  assert.equal(ar.checkImage('image/png', png, 20 * 1024 * 1024).ok, true);
  assert.throws(() => ar.checkImage('image/png', png, -1), (e) => e.code === 'invalid_arguments');
});

test('lifecycle helpers', () => {
  assert.equal(ar.isTerminal('finished'), true);
  assert.equal(ar.isTerminal('paused'), false);
  assert.equal(ar.canTransition('waiting', 'running'), true);
  assert.equal(ar.canTransition('finished', 'running'), false);
  assert.equal(ar.canTransition('finished', 'running', 'follow_up'), true);
  assert.deepEqual(ar.applyAction('waiting', 'stop'), { outcome: 'transition', status: 'stopped' });
  assert.throws(() => ar.applyAction('running', 'follow_up'), (e) => e.code === 'invalid_state');
  const p = new ar.Poller();
  assert.deepEqual(p.observe('running'), { step: 'wait', after_ms: 5000 });
  assert.deepEqual(p.observe('running'), { step: 'wait', after_ms: 10000 });
  assert.deepEqual(p.observe('finished'), { step: 'done', status: 'finished' });
  const f = new ar.Poller('finished');
  assert.deepEqual(f.observe('finished', 1000), { step: 'wait', after_ms: 5000 });
});

test('list query rendering, envelopes and retries', () => {
  assert.equal(ar.renderListQuery({ status: 'running', limit: 5 }), 'limit=5&status=running');
  assert.throws(() => ar.renderListQuery({ limit: 0 }), (e) => e.code === 'bad_request' && e.violations[0].code === 'out_of_range');
  assert.deepEqual(ar.parseErrorEnvelope('{"error":"slow down","code":"rate_limited"}'), { code: 'rate_limited', error: 'slow down', status: 429, known: true });
  assert.throws(() => ar.parseErrorEnvelope('<html>'), (e) => e.code === 'invalid_envelope');
  assert.equal(ar.retryAfterMs('120', 0), 120000);
  assert.equal(ar.retryAfterMs('soon', 0), undefined);
  assert.equal(ar.retryAfterMs('0', 0), 0);
  // Saturated at 2^64 − 1 seconds: every digit of the milliseconds, as the core computes them.
  assert.equal(ar.retryAfterMs('99999999999999999999999', 0), 18446744073709551615000);
  assert.equal(ar.retryAfterMs('Thu, 01 Jan 1970 00:02:00 GMT', 60), 60000);
});

test('PolicyMatrix decides and rejects invalid matrices', () => {
  const m = new ar.PolicyMatrix('{"tools": {"send_email": {"maxCalls": 1, "approval": "admin", "offline": "queue", "roles": ["member", "admin"]}}}');
  assert.deepEqual(m.decide('send_email', 'member', 0, true), { decision: 'needs_approval', tier: 'admin' });
  assert.deepEqual(m.decide('send_email', 'member', 0, false), { decision: 'queued' });
  assert.deepEqual(m.decide('nope', 'member', 0, true), { decision: 'deny', reason: 'unknown_tool' });
  assert.throws(() => new ar.PolicyMatrix({ tools: { t: {} } }), (e) => e.code === 'invalid_matrix' && e.violations.length === 4);
});

test('TableValidator compiles once and validates rows; one error class across entries', () => {
  const v = new TableValidator({ type: 'object', properties: { issue: { type: 'string' } }, required: ['issue'] });
  const rows = Array.from({ length: 1000 }, (_, i) => ({ key: `r${i}`, value: { issue: `issue ${i}` } }));
  assert.equal(v.validateElements(rows).ok, true);
  const r = v.validateElements([{ key: 'a', value: { issue: 3 } }, { key: 'a', value: {} }]);
  assert.deepEqual(r.violations.map((x) => [x.path, x.code]), [
    ['/elements/0/value/issue', 'schema_type'],
    ['/elements/1/key', 'duplicate_key'],
    ['/elements/1/value', 'schema_required'],
  ]);
  assert.deepEqual(v.validateValue({ issue: 1 }).violations.map((x) => x.path), ['/issue']);
  try {
    new TableValidator({ type: 'array' });
    assert.fail('expected a throw');
  } catch (e) {
    assert.equal(TableError, ar.AgentRulesError);
    assert.ok(e instanceof ar.AgentRulesError);
    assert.equal(e.code, 'invalid_schema');
    assert.equal(e.violations[0].code, 'schema_not_object');
  }
});

test('evaluate (table entry) runs the non-validation rules', async () => {
  const full = await import('../pkg/table-node.js');
  assert.equal(ar.evaluate, undefined, 'the form entry stays small: no evaluate');
  assert.deepEqual(full.evaluate('endpoint', { method: 'POST', path: '/api/v0/agents' }), { name: 'launch_agent', scope: 'developer:agent', rateClass: 'heavy' });
  assert.throws(() => full.evaluate('nope', {}), (e) => e.code === 'invalid_arguments');
});

test('a Rust panic surfaces as a thrown Error and the package keeps working (both entries)', async () => {
  const table = await import('../pkg/table-node.js');
  for (const entry of [ar, table]) {
    assert.throws(() => testHooks(entry.check).panic(), (e) => e instanceof Error);
    assert.equal(entry.check('thread-rename', { title: 'still working' }).ok, true);
    assert.equal(entry.validateLaunch({ prompt: { text: '' } }).violations[0].code, 'empty_text');
  }
});

test('the lazy entry answers the entries themselves, imported once (Node)', async () => {
  const lazy = await import('../pkg/lazy-node.js');
  const [a, b] = await Promise.all([lazy.load(), lazy.load()]);
  assert.equal(a, b);
  assert.equal(a, await import('../pkg/node.js'));
  assert.equal(await lazy.loadTable(), await import('../pkg/table-node.js'));
  assert.equal(await lazy.loadLaunch(), await import('../pkg/launch-node.js'));
  assert.notEqual(await lazy.loadLaunch(), a);
  assert.deepEqual(a.validateLaunch({ prompt: { text: ' ' } }).violations.map((v) => v.code), ['empty_text']);
});

test('plain objects are told from buffers by their prototype; buffers are still refused', () => {
  const body = { prompt: { text: 'Summarise' } };
  assert.equal(ar.validateLaunch(body).ok, true);
  assert.equal(ar.validateLaunch(Object.assign(Object.create(null), body)).ok, true);
  assert.deepEqual(ar.check('launch', []).violations.map((v) => v.code), ['type_mismatch']);
  for (const buffer of [new ArrayBuffer(4), new SharedArrayBuffer(4), new DataView(new ArrayBuffer(4)), new Uint16Array(2)]) {
    assert.throws(() => ar.validateLaunch(buffer), (e) => e.code === 'invalid_arguments', String(buffer));
  }
  // A Proxy whose getPrototypeOf trap throws is no buffer: it is read as JSON.stringify reads it.
  const proxy = new Proxy(body, { getPrototypeOf() { throw new Error('trap'); } });
  assert.equal(ar.validateLaunch(proxy).ok, true);
});
