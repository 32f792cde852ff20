// Every tests/conformance case through the npm package in Node, one test per case and entry:
// the form and launch entries run the cases they can (the others are skipped, each with its
// reason: a table kind, an op, or for the launch entry a kind it documents it does not have),
// the table entry runs every case; validation inputs go both as JS values and as JSON text.
// A case's test is named `<rule>::<file>#<index>::<name>`, so
//   node --test --test-name-pattern 'L4::' bindings-wasm/tests/conformance.test.mjs
// runs the cases of L4 only.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as form from '../pkg/node.js';
import * as launch from '../pkg/launch-node.js';
import * as table from '../pkg/table-node.js';
import { runCase, skipReason, testName } from './corpus.mjs';

// The kinds the launch entry (agentrules/launch) has, as its .d.ts and the README say; the form
// entry's others it documents it does not have (each refused: see the test below).
const LAUNCH_KINDS = ['launch', 'followup', 'image', 'image-bytes', 'context'];
const NOT_IN_LAUNCH = form.kinds().filter((k) => !LAUNCH_KINDS.includes(k));

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = process.env.AGENTRULES_CONFORMANCE_DIR ?? join(here, '../../tests/conformance');

function loadCases() {
  const cases = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    JSON.parse(readFileSync(join(dir, f), 'utf8')).forEach((c, index) => cases.push({ ...c, file: f, index }));
  }
  return cases;
}

const cases = loadCases();

test('the corpus has cases, and the form entry can run most of them', () => {
  assert.ok(cases.length > 100, `only ${cases.length} cases in ${dir}`);
  const runnable = cases.filter((c) => skipReason(c, form) === null).length;
  assert.ok(runnable > 100, `the form entry can run only ${runnable} cases`);
});

describe('form entry', () => {
  for (const c of cases) {
    const skip = skipReason(c, form);
    test(testName(c), skip === null ? {} : { skip }, () => {
      const problem = runCase(c, form);
      assert.equal(problem, null, problem ?? '');
    });
  }
});

describe('launch entry', () => {
  for (const c of cases) {
    const skip = skipReason(c, launch, NOT_IN_LAUNCH);
    test(testName(c), skip === null ? {} : { skip }, () => {
      const problem = runCase(c, launch);
      assert.equal(problem, null, problem ?? '');
    });
  }
});

test('the launch entry has the launch kinds, runs their cases, and refuses every other kind by name', () => {
  assert.deepEqual(launch.kinds(), LAUNCH_KINDS);
  assert.ok(NOT_IN_LAUNCH.length > 10, `the form entry has only ${form.kinds()}`);
  const runnable = cases.filter((c) => skipReason(c, launch, NOT_IN_LAUNCH) === null);
  assert.ok(runnable.length > 100, `the launch entry can run only ${runnable.length} cases`);
  assert.ok(LAUNCH_KINDS.every((k) => runnable.some((c) => c.kind === k) || k === 'context'), 'a launch kind without cases');
  for (const kind of [...NOT_IN_LAUNCH, 'table']) {
    assert.throws(() => launch.check(kind, {}), (e) => {
      assert.ok(e instanceof launch.AgentRulesError, `${kind}: ${e}`);
      assert.equal(e.code, 'unknown_kind', kind);
      assert.ok(e.message.includes(`\`${kind}\``), `${kind}: ${e.message}`);
      assert.match(e.message, kind === 'table' ? /table entry/ : /launch forms only[\s\S]*`agentrules` entry/, e.message);
      return true;
    });
    assert.throws(() => launch.schemaFor(kind)['~standard'].validate({}), (e) => e.code === 'unknown_kind', kind);
  }
  // What the launch entry leaves out is absent by name, not a function that fails when called.
  for (const name of ['renderListQuery', 'parseErrorEnvelope', 'retryAfterMs', 'replayJson', 'PolicyMatrix', 'SseDecoder', 'evaluate', 'TableValidator']) {
    assert.equal(name in launch, false, name);
  }
});

describe('table entry', () => {
  for (const c of cases) {
    test(testName(c), () => {
      // The table entry has every kind and `evaluate`: nothing may be skipped there.
      assert.equal(skipReason(c, table), null, 'the table entry must run every case');
      const problem = runCase(c, table);
      assert.equal(problem, null, problem ?? '');
    });
  }
});

test('the table entry runs the table kinds the form entry lacks', () => {
  assert.ok(table.kinds().includes('table'));
  assert.ok(!form.kinds().includes('table'));
});
