// The example launch form in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core): live validation next to each field, image checks before encoding, and the
// whole conformance corpus run inside the page. Screenshots go to target/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { start } from './server.mjs';

const shots = fileURLToPath(new URL('../../target/', import.meta.url));
let browser, server, url, page;

before(async () => {
  ({ server, url } = await start());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${url}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  assert.deepEqual(errors, []);
});

after(async () => {
  await browser?.close();
  server?.close();
});

const messages = (sel) => page.$$eval(`${sel} .errors span`, (els) => els.map((e) => `${e.dataset.path} ${e.dataset.code}`));

test('an empty prompt is reported at the prompt', async () => {
  await page.fill('#prompt', '   ');
  assert.deepEqual(await messages('#prompt-block'), ['/prompt/text empty_text']);
  assert.equal(await page.isDisabled('#submit'), true);
  await page.fill('#prompt', 'Review this site photo and list visible safety issues.');
  assert.deepEqual(await messages('#prompt-block'), []);
  assert.equal(await page.isDisabled('#submit'), false);
});

test('bad file ids and a capability the organisation lacks', async () => {
  await page.fill('#fileIds', '019aaa00-5c1e-7a3b-9f10-2b6c8d4e0a01, nope, 019AAA00-5C1E-7A3B-9F10-2B6C8D4E0A01');
  assert.deepEqual(await messages('#files-block'), ['/fileIds/1 invalid_uuid', '/fileIds/2 duplicate_id']);
  await page.check('#webSearch');
  assert.deepEqual(await messages('#caps-block'), ['/capabilities/webSearch capability_not_entitled']);
  await page.uncheck('#webSearch');
  await page.fill('#fileIds', '');
});

test('an oversize image and a mismatched one are rejected before encoding', async () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const jpegHead = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]);
  const big = Buffer.alloc(20 * 1024 * 1024 + 1);
  png.copy(big);
  await page.setInputFiles('#images', [
    { name: 'site.png', mimeType: 'image/png', buffer: Buffer.concat([png, Buffer.alloc(2048)]) },
    { name: 'huge.png', mimeType: 'image/png', buffer: big },
    { name: 'photo.png', mimeType: 'image/png', buffer: Buffer.concat([jpegHead, Buffer.alloc(512)]) },
  ]);
  await page.waitForFunction(() => document.querySelectorAll('#image-list li').length === 3);
  await page.waitForFunction(() => document.querySelector('#body').textContent.includes('base64 chars'));
  const shown = await messages('#images-block');
  assert.deepEqual(shown, ['/prompt/images/1/data image_too_large', '/prompt/images/2/data media_type_mismatch']);
  const text = await page.textContent('#images-block .errors');
  // The page's own sentence, built from the violation's params (readable sizes); the package's
  // message is the fallback for codes the page has no sentence for.
  assert.match(text, /huge\.png: is 20\.0 MB once decoded, 1 byte over the 20 MB limit/);
  assert.match(text, /photo\.png: declared image\/png but the bytes are image\/jpeg/);
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}web-form.png`, fullPage: true });
});

test('a slot workflow swaps the prompt for its inputs', async () => {
  await page.setInputFiles('#images', []);
  await page.selectOption('#workflow', '019def34-8a2b-7c4d-9e5f-0a1b2c3d4e5f');
  assert.equal(await page.isVisible('#slots-block'), true);
  const v = await page.$$eval('.errors span', (els) => els.map((e) => `${e.dataset.path} ${e.dataset.code}`));
  assert.ok(v.includes('/prompt prompt_with_workflow_inputs'), v.join('\n'));
  assert.ok(v.includes('/workflowInputs/Drawing Set slot_required'), v.join('\n'));
  await page.fill('#prompt', '');
  await page.fill('#slot-Drawing-Set', '019aaa00-5c1e-7a3b-9f10-2b6c8d4e0a01, 019aaa01-5c1e-7a3b-9f10-2b6c8d4e0a02');
  await page.fill('#slot-Standards', 'not-a-uuid');
  assert.deepEqual(await messages('#slots-block'), ['/workflowInputs/Standards invalid_uuid']);
  await page.fill('#slot-Standards', '019aaa02-5c1e-7a3b-9f10-2b6c8d4e0a03');
  assert.equal(await page.getAttribute('#launch', 'data-violations'), '0');
  await page.screenshot({ path: `${shots}web-form-slots.png`, fullPage: true });
});

test('the conformance corpus passes inside the page', async () => {
  const p = await browser.newPage();
  await p.goto(`${url}/corpus.html`);
  await p.waitForSelector('#corpus-result[data-total]', { timeout: 60000 });
  const r = await p.$eval('#corpus-result', (e) => ({ ...e.dataset, text: e.textContent }));
  const failures = await p.textContent('#corpus-failures');
  console.log(`chromium: ${r.text}`);
  assert.equal(r.failed, '0', failures);
  assert.equal(r.passed, r.total);
  await p.close();
});

test('a recorded run streams through SseDecoder in the page', async () => {
  const p = await browser.newPage();
  await p.goto(`${url}/stream.html`);
  await p.waitForSelector('#state[data-done="true"]', { timeout: 20000 });
  assert.equal(await p.textContent('#text'), 'The stair detail on A-501 meets the egress width.');
  const state = JSON.parse(await p.textContent('#state'));
  assert.equal(state.status, 'completed');
  assert.equal(state.toolCalls[0].tool, 'find_relevant_codes');
  await p.screenshot({ path: `${shots}web-stream.png`, fullPage: true });
  await p.close();
});
