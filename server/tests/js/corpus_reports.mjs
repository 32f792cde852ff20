// The npm package's reports on the corpus's launch and follow-up cases, as JSON on stdout:
// { "<file>#<index>": [[path, code], ...] } (sorted), for server/tests/py/clients_agree.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as form from '../../../bindings-wasm/pkg/node.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = process.env.AGENTRULES_CONFORMANCE_DIR ?? join(here, '../../../tests/conformance');
const out = {};
for (const file of ['launch.json', 'followup.json']) {
  JSON.parse(readFileSync(join(dir, file), 'utf8')).forEach((c, index) => {
    const input = 'raw' in c ? c.raw : JSON.stringify(c.input);
    const context = c.context === undefined ? undefined : JSON.stringify(c.context);
    const report = form.check(c.kind, input, context);
    out[`${file}#${index}`] = report.violations.map((v) => [v.path, v.code]).sort();
  });
}
process.stdout.write(JSON.stringify(out));
