// The API manifest (schemas/api.json, described in docs/api.md): its own shape, then the npm
// package against it, entry by entry. The declarations are read from the shipped .d.ts files
// (pkg/index.d.ts and pkg/table.d.ts, following their re-exports), the implementations from the
// runtime exports of pkg/node.js and pkg/table-node.js (names, and the parameter names of each
// function's source). An entry point missing from an entry, an extra public one, parameters in
// another order or of another optionality, another result type or an unlisted type fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as form from '../pkg/node.js';
import * as table from '../pkg/table-node.js';
import * as lazy from '../pkg/lazy-node.js';

const manifest = JSON.parse(readFileSync(new URL('../../schemas/api.json', import.meta.url), 'utf8'));
const SURFACES = ['js', 'python', 'swift', 'kotlin'];
// The entries a block without `entries` is in; the lazy entry holds only what names it.
const ENTRIES = ['form', 'table'];
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const param = (s) => ({ name: s.replace(/\?$/, ''), optional: s.endsWith('?') });
const show = (params) => `(${params.map((p) => p.name + (p.optional ? '?' : '')).join(', ')})`;

/** `entry`'s block on `surface` ("as swift" followed), or null. */
const block = (entry, surface) => (entry[surface] === 'as swift' ? entry.swift : entry[surface]);
/** A surface's name(s) of a type entry. */
const typeNames = (v) => (v == null ? [] : typeof v === 'string' ? [v] : Array.isArray(v) ? v : [v.name]);

test('the manifest is well-formed: every surface said, every absence explained, parameters aligned', () => {
  const problems = [];
  const canonical = new Set();
  const check = (what, entry, { member = false } = {}) => {
    for (const surface of SURFACES) {
      if (!(surface in entry)) {
        if (!member) problems.push(`${what}: nothing said for ${surface}`);
        continue;
      }
      const b = entry[surface];
      if (b === 'as swift' && surface !== 'kotlin') problems.push(`${what}: only kotlin may be "as swift"`);
      if (block(entry, surface) == null && !entry.why?.[surface]) problems.push(`${what}: ${surface} is null without a why`);
    }
    for (const key of Object.keys(entry.why ?? {})) {
      const [surface, sub] = key.split('.');
      const absent = sub === undefined ? block(entry, surface) == null : !(block(entry, surface)?.entries ?? ENTRIES).includes(sub);
      if (!absent) problems.push(`${what}: a why for ${key}, which is there`);
    }
    for (const surface of SURFACES) {
      const b = block(entry, surface);
      if (b == null || typeof b !== 'object' || !entry.params) continue;
      const names = entry.params.map((p) => param(p).name);
      const missing = Object.keys(b.missing ?? {});
      for (const m of missing) if (!names.includes(m)) problems.push(`${what}: ${surface} misses ${m}, which is no parameter`);
      if (b.params && b.params.length !== names.length - missing.length) {
        problems.push(`${what}: ${surface} has ${b.params.length} parameters for ${names.length} (${missing.length} missing)`);
      }
    }
  };
  for (const kind of ['functions', 'classes', 'types']) {
    for (const e of manifest[kind]) {
      if (canonical.has(e.name)) problems.push(`${e.name}: listed twice`);
      canonical.add(e.name);
      check(e.name, e);
      for (const m of e.members ?? []) check(`${e.name}.${m.name}`, m, { member: true });
    }
  }
  for (const x of manifest.excluded) {
    if (!SURFACES.includes(x.surface) || !x.why || !(x.pattern || x.member)) problems.push(`excluded: ${JSON.stringify(x)}`);
  }
  assert.deepEqual(problems, []);
});

// --- The .d.ts files, read -------------------------------------------------------------------

const pkg = new URL('../pkg/', import.meta.url);
const strip = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

/** Splits `s` at `sep` where no bracket is open. */
function split(s, sep) {
  const out = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if ('([{<'.includes(c)) depth++;
    else if (')]}>'.includes(c) && s[i - 1] !== '=') depth--;
    else if (c === sep && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((x) => x.trim()).filter(Boolean);
}

/** The index of the bracket closing the one at `open`. */
function closing(s, open) {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if ('([{'.includes(s[i])) depth++;
    else if (')]}'.includes(s[i]) && --depth === 0) return i;
  }
  throw new Error(`unbalanced at ${open}`);
}

const params = (list) =>
  split(list, ',').map((p) => {
    const [name] = p.split(':');
    return { name: name.trim().replace(/\?$/, ''), optional: name.trim().endsWith('?') };
  });

/** A signature at `text[open]` (its `(`): parameters, and the result after `:` up to `;`. */
function signature(text, open) {
  const close = closing(text, open);
  const rest = text.slice(close + 1);
  const result = rest.startsWith(':') ? split(rest.slice(1), ';')[0] : '';
  return { params: params(text.slice(open + 1, close)), result: result.replace(/\s+/g, ' ') };
}

/** The names a .d.ts module exports: { kind: function | class | const | type, ... }. */
function readModule(rel) {
  const text = strip(readFileSync(new URL(rel, pkg), 'utf8'));
  const out = new Map();
  for (const m of text.matchAll(/export \* from '\.\/([\w/-]+)\.js';/g)) for (const [k, v] of readModule(`${m[1]}.d.ts`)) out.set(k, v);
  for (const m of text.matchAll(/export (type )?\{([^}]*)\}( from '\.\/([\w/-]+)\.js')?;/g)) {
    const from = m[4];
    // The generated wasm-bindgen modules hold the core's types (tsify).
    const mod = from && !from.includes('/') ? readModule(`${from}.d.ts`) : undefined;
    for (const n of m[2].split(',').map((s) => s.trim().replace(/^type /, '')).filter(Boolean)) {
      out.set(n, mod ? mod.get(n) ?? assert.fail(`${rel} re-exports ${n}, which ${from}.d.ts lacks`) : { kind: 'type' });
    }
  }
  for (const m of text.matchAll(/export type (\w+)\s*=/g)) out.set(m[1], { kind: 'type' });
  for (const m of text.matchAll(/export declare const (\w+)/g)) out.set(m[1], { kind: 'const' });
  for (const m of text.matchAll(/export declare function (\w+)(?:<[^(]*>)?\(/g)) {
    out.set(m[1], { kind: 'function', ...signature(text, m.index + m[0].length - 1) });
  }
  for (const m of text.matchAll(/export declare class (\w+)[^{]*\{/g)) {
    const open = m.index + m[0].length - 1;
    const members = new Map();
    let ctor;
    for (const stmt of split(text.slice(open + 1, closing(text, open)), ';')) {
      const s = stmt.replace(/\s+/g, ' ');
      const prop = s.match(/^readonly ([\w$]+)(\?)?: (.*)$/);
      if (prop) {
        members.set(prop[1], { property: true, params: [], result: prop[3] });
        continue;
      }
      const meth = s.match(/^(constructor|[\w$]+|\[[\w.]+\])\(/);
      assert.ok(meth, `${rel}: unreadable member of ${m[1]}: ${s}`);
      const sig = signature(s, meth[0].length - 1);
      if (meth[1] === 'constructor') ctor = sig;
      else members.set(meth[1], { property: false, ...sig });
    }
    out.set(m[1], { kind: 'class', ctor, members });
  }
  return out;
}

const declared = { form: readModule('index.d.ts'), table: readModule('table.d.ts'), lazy: readModule('lazy.d.ts') };
const runtime = { form, table, lazy };

// --- The runtime, read -------------------------------------------------------------------------

/** The parameter names of a function's source (`f(a, b) {`, `(a, b) =>`, `get x() {`). */
function sourceParams(f) {
  const src = Function.prototype.toString.call(f);
  const m = src.match(/^[^(]*\(([^)]*)\)/);
  return m[1].split(',').map((s) => s.trim()).filter(Boolean);
}
const isClass = (v) => typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v));

/** A class's runtime members: methods and getters of its prototype, with their parameters. */
function runtimeMembers(cls) {
  const out = new Map();
  for (const name of Object.getOwnPropertyNames(cls.prototype)) {
    if (name === 'constructor') continue;
    const d = Object.getOwnPropertyDescriptor(cls.prototype, name);
    out.set(name, d.get ? { property: true, params: [] } : { property: false, params: sourceParams(d.value) });
  }
  return out;
}
const ctorParams = (cls) => {
  const m = Function.prototype.toString.call(cls).match(/constructor\(([^)]*)\)/);
  return m ? m[1].split(',').map((s) => s.trim()).filter(Boolean) : [];
};

// --- The comparison ----------------------------------------------------------------------------

const excluded = manifest.excluded.filter((x) => x.surface === 'js');
const isExcluded = (name) => excluded.some((x) => x.pattern && new RegExp(x.pattern).test(name));
const isExcludedMember = (name) => excluded.some((x) => x.member && new RegExp(x.member).test(name));
const typesByName = new Map(manifest.types.map((t) => [t.name, t]));

/** Whether a declared result is the manifest's: a block's `result` is a fragment to find, the
 * canonical one a type name (`[]` and `?` aside) spelt the JS way. */
function resultMatches(canonical, override, got) {
  if (override) return got.includes(override);
  const base = (canonical ?? 'void').replace(/\?$/, '').replace(/\[\]$/, '');
  const word = manifest.primitives[base]?.js ?? typeNames(typesByName.get(base)?.js)[0] ?? base;
  return new RegExp(`\\b${word.replace(/[$]/g, '\\$&')}\\b`).test(got);
}

function expectedParams(canonical, b) {
  if (b.params) return b.params.map(param);
  const missing = new Set(Object.keys(b.missing ?? {}));
  return (canonical.params ?? []).map(param).filter((p) => !missing.has(p.name)).map((p) => ({ ...p, name: camel(p.name) }));
}

function compare(problems, what, canonical, b, got, { ctor = false, runtimeParams } = {}) {
  const want = expectedParams(canonical, b);
  if (show(got.params) !== show(want)) problems.push(`${what} takes ${show(want)}; declared ${show(got.params)}`);
  if (runtimeParams && runtimeParams.join(', ') !== want.map((p) => p.name).join(', ')) {
    problems.push(`${what} takes ${show(want)}; implemented as (${runtimeParams.join(', ')})`);
  }
  if (!ctor && !resultMatches(canonical.result, b.result, got.result)) problems.push(`${what} answers ${b.result ?? canonical.result}; declared ${got.result}`);
}

/** What differs between `entry` (form or table) and `given`, a manifest: one line per problem. */
function entryProblems(given, entry) {
  const problems = [];
  const decl = declared[entry];
  const mod = runtime[entry];
  const listed = new Set();
  const inEntry = (b) => (b.entries ?? ENTRIES).includes(entry);

  for (const f of given.functions) {
    const b = block(f, 'js');
    if (!b || !inEntry(b)) continue;
    listed.add(b.name);
    const d = decl.get(b.name);
    if (d?.kind !== 'function') problems.push(`${f.name}: ${b.name} is not declared as a function`);
    else if (typeof mod[b.name] !== 'function') problems.push(`${f.name}: ${b.name} is not exported`);
    else compare(problems, `${b.name}()`, f, b, d, { runtimeParams: sourceParams(mod[b.name]) });
  }

  for (const c of given.classes) {
    const b = block(c, 'js');
    if (!b || !inEntry(b)) continue;
    listed.add(b.name);
    const d = decl.get(b.name);
    const cls = mod[b.name];
    if (d?.kind !== 'class') {
      problems.push(`${c.name}: ${b.name} is not declared as a class`);
      continue;
    }
    if (!isClass(cls)) {
      problems.push(`${c.name}: ${b.name} is not an exported class`);
      continue;
    }
    compare(problems, `new ${b.name}`, c, b, d.ctor, { ctor: true, runtimeParams: ctorParams(cls) });
    const got = runtimeMembers(cls);
    const seen = new Set();
    for (const m of c.members) {
      if ('js' in m && m.js == null) continue;
      const mb = m.js ?? {};
      const name = mb.name ?? camel(m.name);
      seen.add(name);
      const dm = d.members.get(name);
      const rm = got.get(name);
      if (!dm || !rm) {
        problems.push(`${b.name}.${name} is ${dm ? 'not implemented' : 'not declared'}`);
        continue;
      }
      const property = m.property === true && !mb.method;
      if (dm.property !== property || rm.property !== property) problems.push(`${b.name}.${name} must be a ${property ? 'property' : 'method'}`);
      compare(problems, `${b.name}.${name}`, m, mb, dm, { runtimeParams: property ? undefined : rm.params });
    }
    for (const name of new Set([...d.members.keys(), ...got.keys()])) {
      if (!seen.has(name) && !isExcludedMember(name)) problems.push(`${b.name}.${name} is public but not in schemas/api.json`);
    }
  }

  for (const t of given.types) {
    const v = t.js;
    // A type named by a string or a list is in the form and table entries.
    const entryless = typeof v !== 'object' || Array.isArray(v);
    if (v == null || (entryless ? !ENTRIES.includes(entry) : !inEntry(v))) continue;
    for (const name of typeNames(v)) {
      listed.add(name);
      if (!decl.has(name)) problems.push(`type ${t.name}: ${name} is not declared`);
      else if (['class', 'const'].includes(decl.get(name).kind) && !(name in mod)) problems.push(`type ${t.name}: ${name} is not exported`);
    }
  }

  // Nothing public beyond the manifest: not in the declarations, not in the exports.
  for (const name of new Set([...decl.keys(), ...Object.keys(mod)])) {
    if (!listed.has(name) && !isExcluded(name)) problems.push(`${name} is public in the ${entry} entry but not in schemas/api.json`);
  }
  for (const [name, d] of decl) {
    if (d.kind !== 'type' && !(name in mod)) problems.push(`${name} is declared but not exported`);
  }
  for (const name of Object.keys(mod)) {
    if (!decl.has(name)) problems.push(`${name} is exported but not declared`);
  }
  return problems;
}

for (const entry of [...ENTRIES, 'lazy']) {
  test(`the ${entry} entry is the manifest's: its declarations (.d.ts) and its exports`, () => {
    assert.deepEqual(entryProblems(manifest, entry), []);
  });
}

test('the comparison fails on a missing, an extra or a reordered entry point', () => {
  const mutant = (change) => {
    const m = structuredClone(manifest);
    change(m);
    return m;
  };
  const fn = (m, name) => m.functions.find((f) => f.name === name);
  const missing = mutant((m) => m.functions.push({ ...fn(m, 'kinds'), name: 'frobnicate', js: { name: 'frobnicate' } }));
  const extra = mutant((m) => m.functions.splice(m.functions.indexOf(fn(m, 'kinds')), 1));
  const reordered = mutant((m) => fn(m, 'check').params.reverse());
  const member = mutant((m) => m.classes.find((c) => c.name === 'PolicyMatrix').members[0].params.reverse());
  for (const entry of ENTRIES) {
    assert.deepEqual(entryProblems(missing, entry), ['frobnicate: frobnicate is not declared as a function']);
    assert.deepEqual(entryProblems(extra, entry), [`kinds is public in the ${entry} entry but not in schemas/api.json`]);
    assert.match(entryProblems(reordered, entry).join('\n'), /^check\(\) takes \(context\?, input, kind\); declared \(kind, input, context\?\)$/m);
    assert.match(entryProblems(member, entry).join('\n'), /^PolicyMatrix\.decide takes \(online, callsMade, role, tool\)/m);
  }
});

test('the readers read something (a reader that found nothing would pass the extra checks)', () => {
  assert.equal(declared.form.get('checkImage').params.map((p) => p.name).join(), 'mediaType,head,byteLength,context');
  assert.deepEqual(sourceParams(form.checkImage), ['mediaType', 'head', 'byteLength', 'context']);
  assert.equal(declared.table.get('TableValidator').members.get('validateElements').result, 'Report');
  assert.equal(declared.form.get('SseDecoder').members.get('lastEventId').property, true);
  assert.ok(declared.table.size > declared.form.size && declared.form.size > 30, `${declared.form.size} ${declared.table.size}`);
});
