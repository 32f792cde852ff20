// Prints (and with --write, writes bindings-wasm/SIZES.md; with --json FILE, the figures as JSON): for each entry's wasm, the size out of wasm-bindgen (raw),
// after wasm-opt (-Oz for the form entry, -O3 for the table entry), and compressed (gzip -9, brotli q11), plus the budgets. Run after
// scripts/build (which keeps the raw files in target/wasm-sizes/). Exits 1 when a budget is missed.
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const here = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const entries = [
  { name: 'agentrules (form entry)', raw: 'target/wasm-sizes/agentrules.bindgen.wasm', opt: 'bindings-wasm/pkg/form/agentrules_bg.wasm', budget: 100 * 1024 },
  { name: 'agentrules/table (table entry)', raw: 'target/wasm-sizes/agentrules_table.bindgen.wasm', opt: 'bindings-wasm/pkg/table/agentrules_table_bg.wasm' },
];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = [];
const json = [];
let over = [];
for (const e of entries) {
  const raw = statSync(root + e.raw).size;
  const bytes = readFileSync(root + e.opt);
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const budget = e.budget ? `${kb(e.budget)} gzipped: ${gz <= e.budget ? 'met' : 'MISSED'}` : 'as small as it can be';
  if (e.budget && gz > e.budget) over.push(e.name);
  json.push({ entry: e.name, raw, wasmOpt: bytes.length, gzip: gz, brotli: br, budget: e.budget ?? null });
  rows.push(`| ${e.name} | ${kb(raw)} | ${kb(bytes.length)} | ${kb(gz)} | ${kb(br)} | ${budget} |`);
}
const text = `# Wasm sizes

Produced by \`bindings-wasm/scripts/sizes.mjs\` after \`bindings-wasm/scripts/build\`
(${execFileSync('wasm-bindgen', ['--version']).toString().trim()}). The form entry is built for size (profile \`wasm-release\`:
opt-level z, fat LTO, one codegen unit, then \`wasm-opt -Oz\`), the table entry for speed (profile
\`wasm-speed\`: opt-level 3, then \`wasm-opt -O3\`; BENCHMARKS.md has what that buys).
"raw" is wasm-bindgen's output, "wasm-opt" is after wasm-opt; KB = 1024 bytes.

| entry | raw | wasm-opt | gzip -9 | brotli 11 | budget |
|---|---|---|---|---|---|
${rows.join('\n')}

What is in each: the form entry has every rule a launch form and a client need (launch,
follow-up, images, capabilities, lifecycle, list query, envelopes, auth headers, the policy
matrix). The table entry adds \`TableValidator\` (the \`jsonschema\` crate with its two regex
engines and the bundled draft meta-schemas) and \`evaluate\` (typed responses and every
non-validation rule); import \`agentrules/table\` only where tables are validated.
`;
if (process.argv.includes('--write')) writeFileSync(here + 'SIZES.md', text);
const jsonOut = process.argv.indexOf('--json');
if (jsonOut > 0) writeFileSync(process.argv[jsonOut + 1], JSON.stringify({ wasmBindgen: execFileSync('wasm-bindgen', ['--version']).toString().trim(), entries: json }, null, 2));
console.log(text);
if (over.length) {
  console.error(`over budget: ${over.join(', ')}`);
  process.exit(1);
}
