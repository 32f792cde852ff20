// Standard Schema v1 objects (launchSchema, followUpSchema, schemaFor): issues are the core's
// violations (message, code, params), paths its JSON Pointers as segments; Standard JSON Schema
// from the generated schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';

import * as form from '../pkg/node.js';
import * as table from '../pkg/table-node.js';
import { segments } from '../pkg/standard-schema.js';

const { launchSchema, followUpSchema, schemaFor, validateLaunch, check, kinds, AgentRulesError } = form;
const uuid = '6f1c3b0e-1d2a-4c3b-9e8f-0a1b2c3d4e5f';
const validate = (schema, value) => schema['~standard'].validate(value);

test('a valid value answers { value } (the same value), synchronously', () => {
  const body = { prompt: { text: 'Summarise the drawings' } };
  const r = validate(launchSchema(), body);
  assert.deepEqual(Object.keys(r), ['value']);
  assert.equal(r.value, body);
  assert.equal(validate(followUpSchema(), { prompt: { text: 'And the east elevation?' } }).issues, undefined);
});

test('an invalid value answers the core report as issues: message, path, code, params', () => {
  const body = { prompt: { text: '' }, fileIds: ['nope'] };
  const { issues } = validate(launchSchema(), body);
  const report = validateLaunch(body);
  assert.equal(issues.length, report.violations.length);
  assert.deepEqual(
    issues,
    report.violations.map((v) => ({ message: v.message, path: segments(v.path, body), code: v.code, params: v.params })),
  );
  assert.deepEqual(issues.map((i) => i.path), [['prompt', 'text'], ['fileIds', 0]]);
  assert.deepEqual(issues.map((i) => i.code), ['empty_text', 'invalid_uuid']);
  for (const i of issues) {
    assert.equal(typeof i.message, 'string');
    assert.ok(i.message.length > 0);
    assert.equal(typeof i.params, 'object');
  }
});

test('params are the core params', () => {
  const { issues } = validate(launchSchema({ entitlements: [] }), { prompt: { text: 'Go' }, capabilities: { webSearch: true } });
  assert.deepEqual(issues, [
    { message: issues[0].message, path: ['capabilities', 'webSearch'], code: 'capability_not_entitled', params: { capability: 'webSearch' } },
  ]);
});

test('an array index is a number, an object key of digits a string', () => {
  // The same pointer text `/…/0`: a slot named "0", an index of fileIds.
  const slots = { prompt: { text: 'Go' }, workflowId: uuid, workflowInputs: { 0: 'nope' } };
  assert.ok(validateLaunch(slots).violations.some((v) => v.path === '/workflowInputs/0'));
  assert.deepEqual(validate(launchSchema(), slots).issues.map((i) => i.path).filter((p) => p[0] === 'workflowInputs'), [['workflowInputs', '0']]);
  const files = { prompt: { text: 'Go' }, fileIds: [uuid, 'nope'] };
  assert.deepEqual(validate(launchSchema(), files).issues.map((i) => i.path), [['fileIds', 1]]);
  // Read on the value validated: the same pointer into an array and into an object.
  assert.deepEqual(segments('/a/0/1', { a: [{ 1: true }] }), ['a', 0, '1']);
  assert.deepEqual(segments('/a/0/1', { a: { 0: [0, 1] } }), ['a', '0', 1]);
  // Not a canonical index (leading zero, sign): a key even in an array.
  assert.deepEqual(segments('/a/01', { a: [0, 1] }), ['a', '01']);
  // As JSON.stringify reads it: a toJSON that answers an array makes an index.
  assert.deepEqual(segments('/d/0', { d: { toJSON: () => ['x'] } }), ['d', 0]);
  assert.deepEqual(segments('', {}), []);
});

test('escaped pointers are unescaped: ~1 is /, ~0 is ~', () => {
  const body = { prompt: { text: 'Go' }, workflowId: uuid, workflowInputs: { 'a/b~c': 'nope', '~1': 'nope' } };
  const report = validateLaunch(body);
  const pointers = report.violations.map((v) => v.path);
  assert.ok(pointers.includes('/workflowInputs/a~1b~0c'), pointers.join(' '));
  const paths = validate(launchSchema(), body).issues.map((i) => i.path);
  assert.ok(paths.some((p) => p[1] === 'a/b~c'), JSON.stringify(paths));
  assert.ok(paths.some((p) => p[1] === '~1'), JSON.stringify(paths));
  assert.deepEqual(segments('/~01/~10', {}), ['~1', '/0']);
  assert.deepEqual(segments('/', { '': 1 }), ['']);
});

test('the context is passed through: an entitlement violation only with a context that lacks it', () => {
  const body = { prompt: { text: 'Go' }, capabilities: { webSearch: true } };
  assert.equal(validate(launchSchema(), body).issues, undefined);
  assert.equal(validate(launchSchema({ entitlements: ['webSearch'] }), body).issues, undefined);
  const lacking = launchSchema({ entitlements: [] });
  assert.deepEqual(validate(lacking, body).issues.map((i) => i.code), ['capability_not_entitled']);
  assert.deepEqual(validate(schemaFor('launch', { entitlements: [] }), body).issues.map((i) => i.code), ['capability_not_entitled']);
  // Read once, when the schema is made.
  const context = { entitlements: [] };
  const schema = launchSchema(context);
  context.entitlements.push('webSearch');
  assert.equal(validate(schema, body).issues.length, 1);
});

test('a frozen object with ~standard only: nothing else a library would call', () => {
  for (const schema of [launchSchema(), followUpSchema(), schemaFor('list-query')]) {
    assert.ok(Object.isFrozen(schema));
    assert.deepEqual(Reflect.ownKeys(schema), ['~standard']);
    const std = schema['~standard'];
    assert.ok(Object.isFrozen(std));
    assert.equal(std.version, 1);
    assert.equal(std.vendor, 'agentrules');
    assert.equal(typeof std.validate, 'function');
    for (const name of ['parse', 'safeParse', 'assert', 'parseAsync', 'validate', 'check']) assert.equal(schema[name], undefined, name);
    assert.throws(() => {
      'use strict';
      schema['~standard'].vendor = 'x';
    }, TypeError);
  }
  assert.equal(Object.getPrototypeOf(launchSchema()), Object.prototype);
});

test('schemaFor: every kind, the same report as check; unknown kinds and bad contexts refused when made', () => {
  for (const kind of kinds()) {
    const issues = validate(schemaFor(kind), {}).issues ?? [];
    assert.deepEqual(issues.map((i) => [i.code, i.message]), check(kind, {}).violations.map((v) => [v.code, v.message]), kind);
  }
  assert.throws(() => schemaFor('nope'), (e) => e instanceof AgentRulesError && e.code === 'unknown_kind');
  assert.throws(() => launchSchema({ entitlements: 'all' }), (e) => e instanceof AgentRulesError && e.code === 'invalid_context');
  assert.throws(() => schemaFor(7), (e) => e instanceof AgentRulesError && e.code === 'invalid_arguments');
});

test('a value JSON cannot write: one issue at the root with the core message and code', () => {
  const cycle = { prompt: { text: 'Go' } };
  cycle.self = cycle;
  for (const value of [undefined, () => 1, { n: 1n }, cycle, { get prompt() { throw new Error('no'); } }]) {
    const { issues } = validate(launchSchema(), value);
    assert.equal(issues.length, 1);
    assert.deepEqual(issues[0].path, []);
    assert.equal(issues[0].code, 'invalid_json');
    assert.equal(issues[0].message, validateLaunch(value).violations[0].message);
  }
});

test('a string is a JSON string value, not JSON text (unlike validateLaunch)', () => {
  const text = JSON.stringify({ prompt: { text: 'Go' } });
  assert.equal(validateLaunch(text).ok, true);
  const { issues } = validate(launchSchema(), text);
  assert.ok(issues.length > 0);
  assert.deepEqual(issues.map((i) => i.code), check('launch', JSON.stringify(text)).violations.map((v) => v.code));
});

test('the table entry has the same schema functions', () => {
  const body = { prompt: { text: '' } };
  assert.deepEqual(validate(table.launchSchema(), body), validate(launchSchema(), body));
  assert.equal(typeof table.followUpSchema, 'function');
  assert.equal(typeof table.schemaFor, 'function');
});

const files = { launch: 'launch.schema.json', followup: 'followup.schema.json' };
const generated = (kind) => JSON.parse(readFileSync(new URL(`../../schemas/${files[kind]}`, import.meta.url), 'utf8'));

test('~standard.jsonSchema: the generated schemas (draft 2020-12, and as draft-07); other targets throw', () => {
  for (const [kind, schema] of [['launch', launchSchema()], ['followup', followUpSchema()], ['launch', schemaFor('launch')]]) {
    const { jsonSchema } = schema['~standard'];
    assert.deepEqual(jsonSchema.input({ target: 'draft-2020-12' }), generated(kind));
    assert.deepEqual(jsonSchema.output({ target: 'draft-2020-12' }), generated(kind));
    const a = jsonSchema.input({ target: 'draft-2020-12' });
    a.title = 'changed';
    assert.deepEqual(jsonSchema.input({ target: 'draft-2020-12' }), generated(kind), 'a fresh object each call');
    const d7 = jsonSchema.input({ target: 'draft-07' });
    assert.equal(d7.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.ok(!JSON.stringify(d7).includes('$defs'));
    for (const target of ['openapi-3.0', 'draft-04', undefined]) {
      assert.throws(() => jsonSchema.input({ target }), (e) => e instanceof AgentRulesError && e.code === 'invalid_arguments');
    }
  }
  assert.equal(schemaFor('list-query')['~standard'].jsonSchema, undefined);
});

test('the draft-07 form accepts and rejects what the 2020-12 schema does (ajv, strict)', () => {
  const samples = [
    { prompt: { text: 'Go' } },
    { prompt: { text: 'Go', images: [{ media_type: 'image/png', data: 'AAAA' }] } },
    { prompt: { text: 'Go', images: [{ media_type: 'image/bmp', data: 'AAAA' }] } },
    { prompt: { text: 'Go' }, fileIds: [uuid, uuid] },
    { prompt: { text: 'Go' }, capabilities: { codeSearch: { jurisdiction: 'x' } } },
    { prompt: { text: 'Go' }, capabilities: { codeSearch: 'yes' } },
    { prompt: { text: 'Go' }, workflowInputs: { a: null, b: [uuid], c: 3 } },
    { prompt: { text: ' ' } },
    { prompt: {} },
    { nope: 1 },
    [],
    'x',
  ];
  for (const [kind, schema] of [['launch', launchSchema()], ['followup', followUpSchema()]]) {
    const opts = { strict: true, allErrors: true, validateFormats: false };
    const v2020 = new Ajv2020(opts).compile(schema['~standard'].jsonSchema.input({ target: 'draft-2020-12' }));
    const v07 = new Ajv(opts).compile(schema['~standard'].jsonSchema.input({ target: 'draft-07' }));
    let rejected = 0;
    for (const s of samples) {
      assert.equal(v07(s), v2020(s), `${kind} ${JSON.stringify(s)}`);
      if (!v2020(s)) rejected++;
    }
    assert.ok(rejected > 0 && rejected < samples.length, kind);
  }
});
