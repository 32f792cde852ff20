// Per-call cost of the npm package from JS, in Node: check('launch', …) on a typical request
// (as an object and as JSON text), a request with many violations, checkImage, and the table
// entry's TableValidator on 10,000 rows. Run after bindings-wasm/scripts/build:
//   node bindings-wasm/bench/check.mjs
import { check, validateLaunch, checkImage } from '../pkg/node.js';
import { TableValidator } from '../pkg/table-node.js';

const typical = {
  prompt: {
    text: 'Check whether this stair detail meets egress requirements.',
    images: [{ media_type: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' }],
  },
  fileIds: ['019aaa00-5c1e-7a3b-9f10-2b6c8d4e0a01', '019aaa01-5c1e-7a3b-9f10-2b6c8d4e0a02'],
  capabilities: { codeSearch: { jurisdiction: 'California' }, webSearch: true },
  projectId: '019bbb00-5c1e-7a3b-9f10-2b6c8d4e0a20',
};
const typicalText = JSON.stringify(typical);
const many = { prompt: { text: ' ', images: [1, { media_type: 'image/bmp', data: 'data:x' }, {}, { x: 1 }, 'y'] }, fileIds: ['a', 'b', 'a'], capabilities: { imageGen: true }, projectId: 'p', model: 'm' };
const head = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

function bench(name, fn, iterations) {
  for (let i = 0; i < Math.min(2000, iterations); i++) fn();
  const runs = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    runs.push(Number(process.hrtime.bigint() - t0) / iterations / 1000);
  }
  runs.sort((a, b) => a - b);
  const median = runs[3];
  console.log(`${name.padEnd(44)} ${median.toFixed(2).padStart(9)} µs/call (median of 7 × ${iterations})`);
  return median;
}

console.log(`node ${process.version}`);
bench("check('launch', object) typical", () => check('launch', typical, undefined), 20000);
bench("check('launch', JSON text) typical", () => check('launch', typicalText, undefined), 20000);
bench('validateLaunch(object) typical', () => validateLaunch(typical, undefined), 20000);
bench("check('launch', object) many violations", () => check('launch', many, undefined), 20000);
bench('checkImage(png head, 1 MB)', () => checkImage('image/png', 1 << 20, head, undefined), 50000);
const v = new TableValidator({ type: 'object', required: ['issue'], properties: { issue: { type: 'string', maxLength: 200 }, severity: { enum: ['low', 'high'] }, n: { type: 'integer' } } });
const rows = Array.from({ length: 10000 }, (_, i) => ({ key: `r${i}`, value: { issue: `issue ${i}`, severity: i % 2 ? 'low' : 'high', n: i } }));
const perTable = bench('TableValidator.validateElements(10,000 rows)', () => v.validateElements(rows), 5);
console.log(`${''.padEnd(44)} ${(perTable / 10000).toFixed(3).padStart(9)} µs/row`);
