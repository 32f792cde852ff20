// The lazy entry (`agentrules/lazy`) in headless Chromium: importing it fetches no wasm, so a page
// renders first; `load()` fetches the form entry's wasm once however often it is called, and
// `loadTable()` the table entry's, each once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

import { start } from './server.mjs';

let browser, server, url;

before(async () => {
  ({ server, url } = await start());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('nothing loads at import; each loader fetches its wasm once', async () => {
  const page = await browser.newPage();
  const wasm = [];
  const errors = [];
  page.on('request', (r) => r.url().endsWith('.wasm') && wasm.push(new URL(r.url()).pathname));
  page.on('pageerror', (e) => errors.push(e));
  // A page of the server's origin that loads nothing itself.
  await page.goto(`${url}/pkg/package.json`);
  await page.evaluate(async () => {
    window.lazy = await import('/pkg/lazy.js');
  });
  await page.waitForTimeout(200);
  assert.deepEqual(wasm, [], 'importing agentrules/lazy fetched a wasm');

  const answers = await page.evaluate(async () => {
    const [a, b] = await Promise.all([window.lazy.load(), window.lazy.load()]);
    const again = await window.lazy.load();
    const report = a.validateLaunch({ prompt: { text: ' ' } });
    return { same: a === b && b === again, codes: report.violations.map((v) => `${v.path} ${v.code}`) };
  });
  assert.deepEqual(answers, { same: true, codes: ['/prompt/text empty_text'] });
  assert.deepEqual(wasm, ['/pkg/form/agentrules_bg.wasm']);

  const table = await page.evaluate(async () => {
    const t = await window.lazy.loadTable();
    return typeof t.TableValidator === 'function' && t === (await window.lazy.loadTable());
  });
  assert.equal(table, true);
  assert.deepEqual(wasm, ['/pkg/form/agentrules_bg.wasm', '/pkg/table/agentrules_table_bg.wasm']);
  assert.deepEqual(errors, []);
  await page.close();
});
