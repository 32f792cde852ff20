// Every tests/conformance case through the npm package in Node: the form entry for its kinds,
// the table entry for all of them, inputs both as JS values and as JSON text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as form from '../pkg/node.js';
import * as table from '../pkg/table-node.js';
import { runCorpus } from './corpus.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = process.env.AGENTRULES_CONFORMANCE_DIR ?? join(here, '../../tests/conformance');

function loadCases() {
  const cases = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    for (const c of JSON.parse(readFileSync(join(dir, f), 'utf8'))) cases.push({ ...c, file: f });
  }
  return cases;
}

const cases = loadCases();

test('the corpus has cases', () => {
  assert.ok(cases.length > 100, `only ${cases.length} cases in ${dir}`);
});

for (const [name, mod] of [['form entry', form], ['table entry', table]]) {
  test(`every case through the ${name}`, () => {
    const { passed, failures, skipped } = runCorpus(cases, mod);
    console.log(`${name}: ${passed} passed, ${failures.length} failed, ${skipped} skipped`);
    assert.equal(failures.length, 0, failures.join('\n'));
    assert.ok(passed > 100);
    if (mod === table) assert.equal(passed, cases.length, 'the table entry must run every case');
  });
}

test('the table entry runs the table kinds the form entry lacks', () => {
  assert.ok(table.kinds().includes('table'));
  assert.ok(!form.kinds().includes('table'));
});
