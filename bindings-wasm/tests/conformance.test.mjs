// Every tests/conformance case through the npm package in Node, one test per case and entry:
// the form entry runs the cases it can (the others are skipped, each with its reason), the
// table entry runs every case; validation inputs go both as JS values and as JSON text.
// A case's test is named `<rule>::<file>#<index>::<name>`, so
//   node --test --test-name-pattern 'L4::' bindings-wasm/tests/conformance.test.mjs
// runs the cases of L4 only.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as form from '../pkg/node.js';
import * as table from '../pkg/table-node.js';
import { runCase, skipReason, testName } from './corpus.mjs';

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
