// The npm package as a frontend developer ships it: `npm pack` of the built pkg/, installed into a
// fresh project outside the repository, built for production by Vite, plain Rollup (with
// node-resolve), webpack and esbuild, each bundle served on 127.0.0.1 and loaded in headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core), with the rendered reports and
// the wasm request asserted; the app and the READMEs' TypeScript examples type-checked by
// `tsc --strict` (module resolution bundler and nodenext) against the installed package; `import`
// and `require` of it in Node; the tarball's license, docs and `sideEffects`. Every missing tool
// is a failure, never a skip.
//
// The project lives in $AGENTRULES_CONSUMER_DIR (default: $TMPDIR/agentrules-consumer). Its
// dependencies (package.json and package-lock.json beside this file, every version exact) are
// installed by `npm ci` only when the lock file changed; the app's files, its builds and the
// agentrules tarball are laid anew on every run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
// AGENTRULES_CONSUMER_PKG: another built package to try (an older build, to reproduce a bug).
const pkg = process.env.AGENTRULES_CONSUMER_PKG ?? fileURLToPath(new URL('../pkg/', import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = process.env.AGENTRULES_CONSUMER_DIR ?? join(process.env.TMPDIR ?? tmpdir(), 'agentrules-consumer');
const bin = (name) => join(dir, 'node_modules/.bin', name);

/** Runs `cmd args` in the project (or `cwd`); rejects with its output unless it exits 0. A
 * command that cannot be started (a missing tool) rejects too. */
function run(cmd, args, { cwd = dir, env } = {}) {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => fail(new Error(`${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? ok(out) : fail(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The ```ts blocks of a Markdown file, each as [line, source]. */
function tsBlocks(file) {
  const blocks = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i + 1;
    while (++i < lines.length && lines[i].trim() !== '```');
    blocks.push([start + 1, lines.slice(start, i).join('\n')]);
  }
  return blocks;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
const servers = [];
/** Serves `root` on 127.0.0.1 (an ephemeral port), `/` as index.html. With `holdWasm: n`, a
 * `.wasm` request is answered only once `n` of them are waiting (or after 5 s, so a page that
 * requests them one after the other still loads, only late): `wasm.maxInFlight` then says whether
 * they were requested together. `wasm.requests` lists every .wasm path requested. */
async function serve(root, { holdWasm = 0 } = {}) {
  const wasm = { requests: [], waiting: [], maxInFlight: 0 };
  const release = () => wasm.waiting.splice(0).forEach((go) => go());
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\/+/, '') || 'index.html';
    if (path === 'favicon.ico') return res.writeHead(204).end();
    if (path.endsWith('.wasm')) {
      wasm.requests.push(path);
      if (holdWasm > 0) {
        await new Promise((go) => {
          wasm.waiting.push(go);
          wasm.maxInFlight = Math.max(wasm.maxInFlight, wasm.waiting.length);
          if (wasm.waiting.length >= holdWasm) release();
          else setTimeout(release, 5000);
        });
      }
    }
    try {
      if (path.startsWith('..')) throw new Error('outside');
      const body = await readFile(join(root, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push(server);
  return { url: `http://127.0.0.1:${server.address().port}/`, wasm };
}

let browser, tarball;
const builds = {};

before(async () => {
  assert.ok(existsSync(join(pkg, 'package.json')), `no built package in ${pkg}: run bindings-wasm/scripts/build first`);
  mkdirSync(dir, { recursive: true });

  // The dependencies, once per lock file.
  cpSync(join(here, 'package.json'), join(dir, 'package.json'));
  cpSync(join(here, 'package-lock.json'), join(dir, 'package-lock.json'));
  const stamp = join(dir, 'node_modules/.agentrules-consumer-lock');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== readFileSync(join(here, 'package-lock.json'), 'utf8')) {
    await run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline']);
    cpSync(join(here, 'package-lock.json'), stamp);
  }

  // The package exactly as npm would publish it, installed as a user installs a tarball.
  for (const f of readdirSync(dir)) if (f.endsWith('.tgz')) rmSync(join(dir, f));
  const packed = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', dir, pkg], { cwd: repo }));
  tarball = packed[0];
  rmSync(join(dir, 'node_modules/agentrules'), { recursive: true, force: true });
  await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball.filename}`]);
  assert.equal(sha(join(dir, 'node_modules/agentrules/form/agentrules_bg.wasm')), sha(join(pkg, 'form/agentrules_bg.wasm')), 'the installed package is not the one just built');

  // The app, laid anew.
  for (const f of ['src', 'build', 'dist', 'dist-rollup', 'dist-webpack', 'dist-esbuild']) rmSync(join(dir, f), { recursive: true, force: true });
  cpSync(join(here, 'app'), dir, { recursive: true });
  // The README's TypeScript examples, each a module of the app (type-checked with it).
  for (const readme of ['bindings-wasm/README.md', 'README.md']) {
    for (const [line, source] of tsBlocks(join(repo, readme))) {
      const name = `readme-${readme.replace(/[^a-z]+/gi, '-').toLowerCase()}${line}.ts`;
      writeFileSync(join(dir, 'src', name), `// ${readme}:${line}\n${source}\nexport {};\n`);
    }
  }

  // Everything at once, but Rollup and webpack bundle the JS tsc emits (even with type errors,
  // which are the tsc test's to report), so they wait for it.
  builds.tsc = run(bin('tsc'), ['-p', 'tsconfig.json']);
  const emitted = builds.tsc.catch(() => {});
  builds.tscNode = run(bin('tsc'), ['-p', 'tsconfig.nodenext.json']);
  builds.vite = run(bin('vite'), ['build']);
  builds.rollup = emitted.then(() => run(bin('rollup'), ['-c', 'rollup.config.mjs']));
  builds.webpack = emitted.then(() => run('node', ['webpack.mjs']));
  // esbuild, like Rollup, leaves `new URL(…, import.meta.url)` alone: the wasm is copied beside
  // the bundle.
  // both.js (src/both.ts, both entries imported statically) is served by both.html, which
  // preloads the two wasms as the README says.
  builds.esbuild = run(bin('esbuild'), ['src/main.ts', 'src/both.ts', '--bundle', '--format=esm', '--minify', '--outdir=dist-esbuild']).then((out) => {
    cpSync(join(dir, 'node_modules/agentrules/form/agentrules_bg.wasm'), join(dir, 'dist-esbuild/form/agentrules_bg.wasm'));
    cpSync(join(dir, 'node_modules/agentrules/table/agentrules_table_bg.wasm'), join(dir, 'dist-esbuild/table/agentrules_table_bg.wasm'));
    const both = readFileSync(join(dir, 'both.html'), 'utf8').replace('src="/src/both.ts"', 'src="./both.js"').replace('<head>', `<head>
    <link rel="preload" href="./form/agentrules_bg.wasm" as="fetch" type="application/wasm" crossorigin>
    <link rel="preload" href="./table/agentrules_table_bg.wasm" as="fetch" type="application/wasm" crossorigin>`);
    assert.ok(both.includes('src="./both.js"') && both.includes('rel="preload"'));
    writeFileSync(join(dir, 'dist-esbuild/both.html'), both);
    return out;
  });
  for (const p of Object.values(builds)) p.catch(() => {}); // each test reports its own
  // Vite's page, pointed at the main.js each other bundler writes beside it.
  const page = readFileSync(join(dir, 'index.html'), 'utf8').replace('src="/src/main.ts"', 'src="./main.js"');
  assert.ok(page.includes('src="./main.js"'));
  for (const b of ['rollup', 'webpack', 'esbuild']) {
    builds[b] = builds[b].then((out) => (writeFileSync(join(dir, `dist-${b}/index.html`), page), out));
    builds[b].catch(() => {});
  }

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  for (const s of servers) s.close();
});

test('the tarball holds the license, the docs and no stale reference', () => {
  const files = tarball.files.map((f) => f.path);
  assert.ok(files.includes('LICENSE'), files.join(', '));
  assert.ok(files.includes('README.md'));
  assert.ok(files.includes('form/agentrules_bg.wasm') && files.includes('table/agentrules_table_bg.wasm'));
  const installed = (f) => readFileSync(join(dir, 'node_modules/agentrules', f), 'utf8');
  for (const f of files.filter((f) => /\.(md|d\.ts|js)$/.test(f))) assert.doesNotMatch(installed(f), /RULES\.md/, f);
  // A Markdown file the README names is in the package or named as the repository's.
  const readme = installed('README.md');
  for (const m of readme.matchAll(/[\w./-]+\.md\b/g)) {
    const around = readme.slice(Math.max(0, m.index - 120), m.index + m[0].length + 120);
    assert.ok(files.includes(m[0]) || /repository/.test(around), `README.md names ${m[0]}, which the package lacks`);
  }
  const manifest = JSON.parse(installed('package.json'));
  assert.equal(manifest.license, 'MIT OR Apache-2.0');
  assert.match(installed('LICENSE'), /MIT OR Apache-2\.0[\s\S]*Permission is hereby granted[\s\S]*Apache License\s+Version 2\.0/);
  // Every module an entry resolves to loads its wasm at import: `sideEffects` must name it, or a
  // bundler may drop the load (the blank page of issue 17).
  // The lazy entry loads nothing at import (its loaders import the entries), so it is not listed.
  const targets = Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [] : Object.entries(e)))
    .filter(([condition]) => condition !== 'types').map(([, target]) => target)
    .filter((target) => !/^\.\/lazy(-node)?\.js$/.test(target));
  assert.deepEqual([...new Set(targets)].sort(), [...manifest.sideEffects].sort());
});

test('tsc --strict (moduleResolution bundler) accepts the app and the README examples', async () => {
  const names = readdirSync(join(dir, 'src')).filter((f) => f.startsWith('readme-'));
  assert.ok(names.length >= 3, `README examples found: ${names}`);
  await builds.tsc;
});

test('tsc --strict (moduleResolution nodenext) accepts them too', async () => {
  await builds.tscNode;
});

test('Node: import and require of the installed package', async () => {
  const script = (load) => `${load}; const r = m.validateLaunch({ prompt: { text: '' } }); if (r.violations[0]?.code !== 'empty_text') throw new Error(JSON.stringify(r)); console.log('ok');`;
  assert.equal((await run('node', ['--input-type=module', '-e', script("const m = await import('agentrules')")])).trim(), 'ok');
  assert.equal((await run('node', ['--input-type=commonjs', '-e', script("const m = require('agentrules')")])).trim(), 'ok');
});

/** Loads a production build in Chromium and reads the reports the app rendered. */
async function load(name, root) {
  await builds[name];
  const { url } = await serve(join(dir, root));
  const page = await browser.newPage();
  const errors = [];
  const wasm = [];
  let failed;
  const crashed = new Promise((_, fail) => (failed = fail));
  crashed.catch(() => {});
  page.on('pageerror', (e) => (errors.push(e.message), failed(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.url()}: ${r.status()}`));
  page.on('response', (r) => r.url().endsWith('.wasm') && wasm.push(`${r.status()} ${r.headers()['content-type']}`));
  try {
    await page.goto(url);
    // Ready, or the first uncaught error (a blank page fails at once, not at the timeout).
    await Promise.race([page.waitForSelector('body[data-ready="true"]', { timeout: 15000 }), crashed]).catch((e) => {
      throw new Error(`${name}: the app never rendered (${errors.join('; ') || e.message})`);
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(wasm, ['200 application/wasm'], `${name}: the wasm requests`);
    return {
      valid: await page.textContent('#valid'),
      invalid: await page.textContent('#invalid'),
      entitled: await page.textContent('#entitled'),
    };
  } finally {
    await page.close();
  }
}

const expected = {
  valid: 'ok',
  invalid: '/prompt/text empty_text\n/fileIds/0 invalid_uuid',
  entitled: '/capabilities/webSearch capability_not_entitled',
};

for (const [name, root] of [['vite', 'dist'], ['rollup', 'dist-rollup'], ['webpack', 'dist-webpack'], ['esbuild', 'dist-esbuild']]) {
  test(`${name}: the production build validates in Chromium`, async () => {
    assert.deepEqual(await load(name, root), expected);
  });
}

// The form page (Vite only): react-hook-form's standardSchemaResolver and TanStack Form, each
// over launchSchema(). Typing an invalid value shows the core's message at the field its
// violation's path names; fixing it clears the message.
test('vite: react-hook-form and TanStack Form show the core messages at their fields, in Chromium', async () => {
  await builds.vite;
  const { validateLaunch } = await import(join(pkg, 'node.js'));
  const message = (body) => validateLaunch(body).violations[0].message;
  const blank = message({ prompt: { text: ' ' } });
  const notUuid = message({ prompt: { text: 'Go' }, fileIds: ['nope'] });
  const { url } = await serve(join(dir, 'dist'));
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  try {
    await page.goto(`${url}forms.html`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 }).catch((e) => {
      throw new Error(`the form page never rendered (${errors.join('; ') || e.message})`);
    });
    const shows = (id, text) => page.waitForFunction(([id, text]) => document.getElementById(id)?.textContent === text, [id, text], { timeout: 5000 })
      .catch(() => page.textContent(`#${id}`).then((got) => assert.fail(`#${id} shows ${JSON.stringify(got)}, not ${JSON.stringify(text)}`)));
    for (const form of ['rhf', 'tsf']) {
      await page.fill(`#${form}-text`, ' ');
      await shows(`${form}-text-error`, blank);
      await shows(`${form}-file-error`, '');
      await page.fill(`#${form}-text`, 'Summarise the drawings');
      await shows(`${form}-text-error`, '');
      // /fileIds/0: index 0 of the array (react-hook-form `fileIds.0`, TanStack Form `fileIds[0]`).
      await page.fill(`#${form}-file`, 'nope');
      await shows(`${form}-file-error`, notUuid);
      await shows(`${form}-text-error`, '');
      await page.fill(`#${form}-file`, '6f1c3b0e-1d2a-4c3b-9e8f-0a1b2c3d4e5f');
      await shows(`${form}-file-error`, '');
    }
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

/** Loads page `file` of a build and answers the text of its `#id` (`text`; `texts` by id for an
 * array of ids) and the server's view of the wasm requests (see serve); fails on any page error
 * or failed request. */
async function loadPage(name, root, file, id, options) {
  await builds[name];
  const { url, wasm } = await serve(join(dir, root), options);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
  try {
    await page.goto(`${url}${file}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 }).catch((e) => {
      throw new Error(`${name} ${file} never rendered (${errors.join('; ') || e.message})`);
    });
    assert.deepEqual(errors, []);
    const texts = {};
    for (const i of [id].flat()) texts[i] = await page.textContent(`#${i}`);
    return { text: texts[[id].flat()[0]], texts, wasm };
  } finally {
    await page.close();
  }
}

/** What the loading pages render, computed here by the built package in Node (src/show.ts). */
async function loadingTexts() {
  const t = await import(join(pkg, 'table-node.js'));
  const lines = (...reports) => reports.flatMap((r) => r.violations.map((v) => `${v.path} ${v.code}`)).join('\n');
  const issue = { type: 'object', properties: { issue: { type: 'string' } }, required: ['issue'] };
  const blank = t.validateLaunch({ prompt: { text: '' } });
  return {
    table: lines(new t.TableValidator(issue).validateElements([{ key: 'r1', value: { issue: 'ok' } }, { key: 'r2', value: {} }]), blank),
    both: lines(blank, new t.TableValidator(issue).validateValue({})),
  };
}

const FORM_WASM = /(^|\/)agentrules[^/]*_bg[^/]*\.wasm$/;
const TABLE_WASM = /agentrules_table[^/]*\.wasm$/;
const isForm = (p) => FORM_WASM.test(p) && !TABLE_WASM.test(p) && !/launch/.test(p);

test('vite: a page importing only agentrules/table loads one wasm, the table entry\'s', async () => {
  const { text, wasm } = await loadPage('vite', 'dist', 'table.html', 'table');
  assert.equal(text, (await loadingTexts()).table);
  assert.equal(wasm.requests.length, 1, `wasm requests: ${wasm.requests}`);
  assert.match(wasm.requests[0], TABLE_WASM);
});

test('vite: a page importing both entries statically requests each wasm once, both in flight together', async () => {
  const { text, wasm } = await loadPage('vite', 'dist', 'both.html', 'both', { holdWasm: 2 });
  assert.equal(text, (await loadingTexts()).both);
  assert.equal(wasm.requests.length, 2, `wasm requests: ${wasm.requests}`);
  assert.equal(wasm.requests.filter(isForm).length, 1, `wasm requests: ${wasm.requests}`);
  assert.equal(wasm.requests.filter((p) => TABLE_WASM.test(p)).length, 1, `wasm requests: ${wasm.requests}`);
  assert.equal(wasm.maxInFlight, 2, 'the second wasm was requested only after the first was answered');
});

test('vite: agentrules/lazy loads the form and the table wasm once each, both in flight together', async () => {
  const { text, wasm } = await loadPage('vite', 'dist', 'lazy.html', 'both', { holdWasm: 2 });
  assert.equal(text, (await loadingTexts()).both);
  assert.equal(wasm.requests.length, 2, `wasm requests: ${wasm.requests}`);
  assert.equal(wasm.requests.filter(isForm).length, 1, `wasm requests: ${wasm.requests}`);
  assert.equal(wasm.maxInFlight, 2, 'the second wasm was requested only after the first was answered');
});

test('esbuild: both entries imported statically, with the README\'s preload tags, request each wasm once, both in flight together', async () => {
  const { text, wasm } = await loadPage('esbuild', 'dist-esbuild', 'both.html', 'both', { holdWasm: 2 });
  assert.equal(text, (await loadingTexts()).both);
  // One request each: the entries' fetch takes the preloaded response (a preload tag without
  // `crossorigin` would make it a second request).
  assert.deepEqual([...wasm.requests].sort(), ['form/agentrules_bg.wasm', 'table/agentrules_table_bg.wasm']);
  assert.equal(wasm.maxInFlight, 2, 'the second wasm was requested only after the first was answered');
});

test('vite: the launch entry validates in Chromium from its own wasm, and refuses a kind it lacks', async () => {
  const { texts, wasm } = await loadPage('vite', 'dist', 'launch.html', ['valid', 'invalid', 'entitled', 'refused']);
  assert.deepEqual(texts, { ...expected, refused: 'unknown_kind' });
  assert.equal(wasm.requests.length, 1, `wasm requests: ${wasm.requests}`);
  assert.match(wasm.requests[0], /agentrules_launch[^/]*\.wasm$/);
});
