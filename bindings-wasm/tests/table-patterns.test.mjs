// The table entry's patterns as shipped: its regex crates carry two Unicode tables only (the Perl
// classes and the general categories; vendor/README.md), so these tests pin what a pattern may
// use, and run the JSON Schema Test Suite's required draft 2020-12 tests through the wasm
// TableValidator to show that all of them still pass. (The core's own test of the suite,
// core/tests/json_schema_suite.rs, runs natively, where a dev-dependency, proptest, brings the
// full Unicode tables back: it cannot show this.)
//
// The suite lives in `../shared/json-schema-test-suite` next to the repository (or
// AGENTRULES_JSON_SCHEMA_SUITE): without it this test fails; it never skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { TableValidator } from '../pkg/table-node.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const suite = process.env.AGENTRULES_JSON_SCHEMA_SUITE ?? join(here, '../../../shared/json-schema-test-suite');
const row = (pattern) => ({ type: 'object', properties: { x: { type: 'string', pattern } } });

test('general categories and the Perl classes compile and match as ECMA-262 reads them', () => {
  const cases = [
    ['^\\p{Letter}+$', 'πβγ', '123'],
    ['^\\p{L}+$', 'Ωmega', 'a1'],
    ['^\\p{Lu}$', 'Ä', 'ä'],
    ['^\\p{Nd}+$', '\u0663' + '4', 'x'],
    ['^\\P{P}+$', 'abc', 'a,b'],
    ['\\bcat\\b', 'a cat sat', 'concat'],
    // ECMA-262: `\w` and `\d` are ASCII, `\s` has U+00A0.
    ['^\\w+$', 'abc_1', 'é'],
    ['^\\d$', '7', '\u0663'],
    ['^\\s$', '\u00a0', 'x'],
  ];
  for (const [pattern, matching, other] of cases) {
    const v = new TableValidator(row(pattern));
    assert.deepEqual(v.validateValue({ x: matching }).violations, [], `${pattern} should match ${matching}`);
    assert.deepEqual(v.validateValue({ x: other }).violations.map((x) => x.code), ['schema_pattern'], `${pattern} should not match ${other}`);
  }
});

test('other Unicode properties and (?i) are invalid_schema at the pattern', () => {
  const refused = [
    '\\p{Greek}', '\\p{Script=Latin}', '\\p{sc=Cyrl}', '\\p{scx=Hira}', '\\p{Alphabetic}', '\\p{Emoji}',
    '\\p{Age=6.0}', '\\p{Word_Break=ALetter}', '(?i)abc',
  ];
  for (const pattern of refused) {
    assert.throws(() => new TableValidator(row(pattern)), (e) => {
      assert.equal(e.code, 'invalid_schema', pattern);
      assert.deepEqual(e.violations.map((v) => [v.path, v.code]), [['/properties/x/pattern', 'invalid_schema']], pattern);
      return true;
    }, pattern);
  }
});

function jsonFiles(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? jsonFiles(p) : f.endsWith('.json') ? [p] : [];
  });
}

test('the JSON Schema Test Suite: every required draft 2020-12 test passes through the table entry', () => {
  const remotes = join(suite, 'remotes');
  const documents = Object.fromEntries(jsonFiles(remotes).map((p) => [`http://localhost:1234/${relative(remotes, p)}`, JSON.parse(readFileSync(p, 'utf8'))]));
  const dir = join(suite, 'tests/draft2020-12');
  const failures = [];
  let total = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    for (const group of JSON.parse(readFileSync(join(dir, f), 'utf8'))) {
      let v;
      try {
        v = new TableValidator(group.schema, { documents, requireObjectRoot: false });
      } catch (e) {
        for (const t of group.tests) failures.push(`${f} / ${group.description} / ${t.description}: the schema did not compile (${e.message})`);
        total += group.tests.length;
        continue;
      }
      for (const t of group.tests) {
        total += 1;
        // As JSON text: a JS string given to validateValue is JSON text, not a JSON string.
        const valid = v.validateValue(JSON.stringify(t.data)).ok;
        if (valid !== t.valid) failures.push(`${f} / ${group.description} / ${t.description}: expected valid=${t.valid}`);
      }
      v.free();
    }
  }
  assert.ok(total > 1000, `only ${total} tests in ${dir}`);
  assert.deepEqual(failures, []);
});
