// Loads the conformance corpus and compares results exactly as tests/conformance/README.md
// says. Shared by the Node tests and the browser page's corpus run (it has no Node imports).

export function pairs(violations) {
  return new Set((violations ?? []).map((v) => `${v.path}|${v.code}`));
}

export function compareReport(testCase, report) {
  const want = pairs(testCase.expect);
  const got = pairs(report.violations);
  const same = want.size === got.size && [...want].every((p) => got.has(p));
  if (!same) return `expected ${[...want].sort().join(', ') || '(none)'}; got ${[...got].sort().join(', ') || '(none)'}`;
  if (report.ok !== (want.size === 0)) return `ok is ${report.ok} with ${want.size} expected violations`;
  const bare = report.violations.find((v) => typeof v.message !== 'string' || v.message.length === 0);
  if (bare) return `a violation without a message: ${JSON.stringify(bare)}`;
  const noParams = report.violations.find((v) => v.params === null || typeof v.params !== 'object' || Array.isArray(v.params));
  if (noParams) return `a violation without params: ${JSON.stringify(noParams)}`;
  return compareParams(testCase, report);
}

/** An `expect` entry with `params` is compared with the params of the violation at its path and
 * code (tests/conformance/README.md). */
export function compareParams(testCase, report) {
  for (const e of testCase.expect ?? []) {
    if (!('params' in e)) continue;
    const v = report.violations.find((x) => x.path === e.path && x.code === e.code);
    if (!v) return `no ${e.code} at ${JSON.stringify(e.path)}`;
    if (!matches(e.params, v.params)) return `params of ${e.code} at ${JSON.stringify(e.path)}: expected ${JSON.stringify(e.params)}, got ${JSON.stringify(v.params)}`;
  }
  return null;
}

export function matches(want, got) {
  if (want === '*') return typeof got === 'string' && got.length > 0;
  if (Array.isArray(want)) return Array.isArray(got) && want.length === got.length && want.every((w, i) => matches(w, got[i]));
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(got)) return false;
    const wk = Object.keys(want);
    return wk.length === Object.keys(got).length && wk.every((k) => k in got && matches(want[k], got[k]));
  }
  return want === got;
}

export function compareOp(testCase, result) {
  if (typeof testCase.expect_code === 'string') {
    const code = result?.violation?.code ?? result?.error?.violations?.[0]?.code ?? result?.error?.kind;
    return code === testCase.expect_code ? null : `expected code ${testCase.expect_code}, got ${JSON.stringify(result)}`;
  }
  if (testCase.expect_error === true) {
    return result && typeof result === 'object' && 'error' in result ? null : `expected an error, got ${JSON.stringify(result)}`;
  }
  // JSON has no `undefined`: compare the result as JSON would carry it.
  const normal = result === undefined ? null : JSON.parse(JSON.stringify(result));
  return matches(testCase.expect ?? null, normal) ? null : `expected ${JSON.stringify(testCase.expect)}, got ${JSON.stringify(normal)}`;
}

export const label = (c) => `${c.file} [${c.rule}] ${c.name}`;

/**
 * The name of a case's test: `L4::launch.json#12::duplicate file id reported at the repeat`
 * (`index` is the case's place in its file, from 0), so a name pattern `L4::` selects one rule's
 * cases, as in the Rust runner.
 */
export const testName = (c) => `${c.rule}::${c.file}#${c.index}::${c.name}`;

/** Why an entry (a module of the npm package) cannot run a case, or null when it can. `without`
 * names the kinds the entry documents it does not have, beyond the table kinds (the launch entry:
 * every kind but the launch form's); a kind missing otherwise is not skipped, so it fails. */
export function skipReason(c, mod, without = []) {
  if (typeof c.kind === 'string' && !mod.kinds().includes(c.kind)) {
    if (without.includes(c.kind)) return `kind ${c.kind} is not in this entry: the full entry (agentrules) checks it`;
    if (TABLE_KINDS.includes(c.kind)) return `kind ${c.kind} is not in this entry: the table kinds live in the table entry (agentrules/table)`;
    return null;
  }
  if (typeof c.op === 'string' && typeof mod.evaluate !== 'function') {
    return 'this entry has no evaluate: op cases run through the table entry (agentrules/table)';
  }
  return null;
}

/** The kinds only the table entry has. */
export const TABLE_KINDS = ['table', 'table-schema', 'artifact'];

/**
 * Runs one case through an entry that can run it (see skipReason): null when it passes, else
 * what differs. A validation case runs twice: with `input` as a JS value and as JSON text.
 */
export function runCase(c, mod) {
  const attempts = [];
  if (typeof c.kind === 'string') {
    const context = c.context === undefined ? undefined : JSON.stringify(c.context);
    // A JS string is JSON text to check(), so a case whose input is a string goes as text only.
    const inputs = 'raw' in c ? [c.raw] : typeof c.input === 'string' ? [JSON.stringify(c.input)] : [c.input, JSON.stringify(c.input)];
    for (const input of inputs) {
      try {
        attempts.push(compareReport(c, mod.check(c.kind, input, context)));
      } catch (e) {
        attempts.push(`threw ${e}`);
      }
    }
  } else if (typeof c.op === 'string') {
    try {
      attempts.push(compareOp(c, mod.evaluate(c.op, c.args)));
    } catch (e) {
      attempts.push(`threw ${e}`);
    }
  } else {
    attempts.push('a case needs kind or op');
  }
  return attempts.find((a) => a !== null) ?? null;
}

/**
 * Runs every case through an entry and returns { passed, failures, skipped }: a case the entry
 * cannot run (see skipReason) is skipped.
 */
export function runCorpus(cases, mod) {
  const failures = [];
  let passed = 0;
  let skipped = 0;
  for (const c of cases) {
    if (skipReason(c, mod) !== null) {
      skipped += 1;
      continue;
    }
    const problem = runCase(c, mod);
    if (problem) failures.push(`${label(c)}\n   ${problem}`);
    else passed += 1;
  }
  return { passed, failures, skipped };
}
