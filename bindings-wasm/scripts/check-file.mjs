// Checks one file as a kind through the npm package (table entry, which has every kind), the
// file's raw bytes as a Uint8Array, and prints the report's codes. Used by scripts/hostile.
import { readFileSync } from 'node:fs';
import { check } from '../pkg/table-node.js';

const [kind, path] = process.argv.slice(2);
const report = check(kind, new Uint8Array(readFileSync(path)), undefined);
console.log(JSON.stringify({ ok: report.ok, codes: report.violations.map((v) => v.code) }));
process.exitCode = report.ok ? 0 : 1;
