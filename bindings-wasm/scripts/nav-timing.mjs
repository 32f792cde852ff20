// Navigation → first validation of the consumer app's production pages in Chromium: the time from
// navigation start to the page's `agentrules:first-validation` mark (set right after its first
// check returned), over cold loads (a fresh browser context each: no HTTP or code cache), as the
// median of N (default 7), without and with 4× CPU throttling. Recorded, never asserted: it is a
// figure for BENCHMARKS.md (./scripts/bench), not a test.
//
//   node bindings-wasm/scripts/nav-timing.mjs [--dist DIR] [--runs 7] [--json out.json]
//
// DIR is the consumer app's Vite build (default $AGENTRULES_CONSUMER_DIR/dist, as
// bindings-wasm/scripts/consumer leaves it: run that first). Pages measured: index.html (the form
// entry, `agentrules`), launch.html (the launch entry, `agentrules/launch`) and floor.html (no
// agentrules: the baseline).
import { createServer } from 'node:http';
import { existsSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const consumer = process.env.AGENTRULES_CONSUMER_DIR ?? join(process.env.TMPDIR ?? tmpdir(), 'agentrules-consumer');
const dist = arg('--dist', join(consumer, 'dist'));
const runs = Number(arg('--runs', '7'));
const pages = [
  { page: 'index.html', entry: 'agentrules (form entry)' },
  { page: 'launch.html', entry: 'agentrules/launch (launch entry)' },
  // The floor: the same page shape with no agentrules (what this browser and server take before
  // any wasm), so the two figures above can be read against it.
  { page: 'floor.html', entry: '(none: the floor)' },
];
for (const { page } of pages) {
  if (!existsSync(join(dist, page))) {
    console.error(`no ${page} in ${dist}: run bindings-wasm/scripts/consumer first (it builds the consumer app with Vite)`);
    process.exit(1);
  }
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\/+/, '') || 'index.html';
  try {
    if (path.startsWith('..')) throw new Error('outside');
    const body = await readFile(join(dist, path));
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const version = browser.version();

/** One cold load of `page` (CPU slowed `throttle`×): ms from navigation start to the mark. */
async function coldLoad(page, throttle) {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (throttle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
    const errors = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(base + page);
    await tab.waitForFunction(() => performance.getEntriesByName('agentrules:first-validation').length > 0, null, { timeout: 30000 }).catch((e) => {
      throw new Error(`${page}: no first-validation mark (${errors.join('; ') || e.message})`);
    });
    return await tab.evaluate(() => performance.getEntriesByName('agentrules:first-validation')[0].startTime);
  } finally {
    await context.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
try {
  for (const { page, entry } of pages) {
    for (const throttle of [1, 4]) {
      await coldLoad(page, throttle); // a first load warms the server and the browser process, not the page
      const ms = [];
      for (let i = 0; i < runs; i++) ms.push(await coldLoad(page, throttle));
      const r = { page, entry, cpuThrottling: throttle, runs, medianMs: median(ms), ms };
      results.push(r);
      console.log(`${page.padEnd(12)} ${entry.padEnd(34)} CPU ${throttle}×: median ${r.medianMs.toFixed(1)} ms of ${runs} cold loads (${ms.map((x) => x.toFixed(0)).join(', ')})`);
    }
  }
} finally {
  await browser.close();
  server.close();
}
const out = arg('--json');
if (out) writeFileSync(out, JSON.stringify({ chromium: version, results }, null, 2));
