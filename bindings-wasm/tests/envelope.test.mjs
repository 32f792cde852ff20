// The entry points the API manifest (schemas/api.json) added to the npm package: refusalKinds()
// in both entries, errorEnvelope(report) in the table entry (E1: a report as a 400 response,
// as Python's error_envelope and Swift/Kotlin's errorEnvelope render it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as form from '../pkg/node.js';
import * as table from '../pkg/table-node.js';

const refusals = JSON.parse(readFileSync(new URL('../../schemas/refusals.json', import.meta.url), 'utf8'));

test('refusalKinds() is the core\'s list, in both entries', () => {
  for (const mod of [form, table]) {
    assert.deepEqual(mod.refusalKinds(), refusals.map((r) => r.kind));
    assert.deepEqual(mod.refusalKinds(), Object.values(mod.RefusalKind));
  }
});

test('errorEnvelope renders a report as the 400 envelope, or undefined when clean', () => {
  const report = table.validateLaunch({ prompt: { text: ' ' }, fileIds: ['nope'] });
  const r = table.errorEnvelope(report);
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'bad_request');
  assert.match(r.body.error, /^\/prompt\/text: .+; \/fileIds\/0: /);
  // The envelope reads back as one, with the status its code goes with.
  assert.deepEqual(table.parseErrorEnvelope(r.body), { code: 'bad_request', error: r.body.error, status: 400, known: true });
  assert.equal(table.errorEnvelope(table.validateLaunch({ prompt: { text: 'go' } })), undefined);
  // A report as JSON text serves too (every JSON argument of the package is read alike).
  assert.deepEqual(table.errorEnvelope(JSON.stringify(report)), r);
});

test('errorEnvelope refuses what is not a report', () => {
  for (const bad of [{}, { violations: 1 }, { violations: [{ path: '', code: 'no_such_code', message: 'x' }] }, { violations: [{ code: 'required' }] }]) {
    assert.throws(() => table.errorEnvelope(bad), (e) => e instanceof table.AgentRulesError && e.code === table.RefusalKind.InvalidArguments, JSON.stringify(bad));
  }
  assert.equal('errorEnvelope' in form, false, 'the form entry has no errorEnvelope (its size budget)');
});
