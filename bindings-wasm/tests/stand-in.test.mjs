// Large image data texts are checked once and stood in for (js/api.js, core `stand_in`): a JS
// value holding them must get exactly the report its JSON text gets (the text path never stands
// in), on the first call and on every later one (the kept verdicts), through every entry, the
// Standard Schema objects included.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as form from '../pkg/node.js';
import * as table from '../pkg/table-node.js';
import * as launch from '../pkg/launch-node.js';
import { testHooks } from '../pkg/api.js';

const ID = '019aaa00-5c1e-7a3b-9f10-2b6c8d4e0a01';
const WF = '019def34-0000-7000-8000-000000000010';

function base64Of(bytes) {
  return Buffer.from(bytes).toString('base64');
}
const png = (n) => {
  const raw = new Uint8Array(n);
  raw.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return base64Of(raw);
};
const big = png(200 * 1024);
const huge = png(3 * 1024 * 1024);
const notBase64 = `${big.slice(0, 100000)}*${big.slice(100001)}`;
const padded = `${big.slice(0, -4)}A===`;

const bodies = [
  { prompt: { text: 'a', images: [{ media_type: 'image/png', data: big }] } },
  { prompt: { text: ' ', images: [{ media_type: 'image/jpeg', data: big }, { data: huge, media_type: 'image/webp', x: 1 }] }, fileIds: ['x'] },
  { prompt: { images: [{ media_type: 'image/bmp', data: notBase64 }, { media_type: 3, data: padded }, { media_type: 'image/png', data: `data:${big}` }] } },
  { prompt: { text: 'two of one', images: [{ media_type: 'image/png', data: big }, { media_type: 'image/png', data: big }] } },
  { workflowId: WF, workflowInputs: { A: [ID] }, prompt: { images: [{ media_type: 'image/png', data: big }] } },
  // Long texts where only images' data may stand in: the original is sent.
  { workflowId: WF, workflowInputs: { data: big } },
  { prompt: { text: big, data: big } },
  { prompt: { text: 'x', images: { 0: { media_type: 'image/png', data: big } } } },
  { prompt: { text: 'x', images: [{ media_type: 'image/png', data: [big] }] } },
  // A text that is a token itself.
  { prompt: { text: 'data:,agentrules-stand-in-0', images: [{ media_type: 'image/png', data: big }] } },
  // Not JSON-able: a lone surrogate in the data (JSON.stringify escapes it; the core refuses it).
  { prompt: { text: 'x', images: [{ media_type: 'image/png', data: `${big}\ud800` }] } },
];
const contexts = [undefined, { limits: { maxImageBytes: 300000, maxImages: 1 } }, { limits: { maxDocumentBytes: 1000000 } }, { workflow: { id: WF, slots: [{ name: 'A', multiple: true }] } }];

// Only the form entry stands in (the feature `speed`, Cargo.toml); the launch and table entries
// must give the same reports, every body written whole.
for (const [name, entry, standsIn] of [['form entry', form, true], ['table entry', table, false], ['launch entry', launch, false]]) {
  test(`${name}: a value holding large images gets its JSON text's report, first and later calls`, () => {
    for (const round of [0, 1, 2]) {
      for (const body of bodies) {
        for (const ctx of contexts) {
          for (const kind of ['launch', 'followup']) {
            const want = entry.check(kind, JSON.stringify(body), ctx);
            assert.deepEqual(entry.check(kind, body, ctx), want, `round ${round}, ${kind} of ${JSON.stringify(body).slice(0, 120)} under ${JSON.stringify(ctx)}`);
          }
        }
        const image = body.prompt?.images?.[0];
        if (image) assert.deepEqual(entry.check('image', image), entry.check('image', JSON.stringify(image)));
      }
    }
    // The stand-ins were used (not only harmless): kept, and answering; or, where the entry has
    // none, never asked for.
    const { kept, answered } = testHooks(entry.check).standIns();
    if (standsIn) assert.ok(kept >= 4 && answered > 100, `stand-ins kept ${kept}, answered ${answered}`);
    else assert.deepEqual({ kept, answered }, { kept: 0, answered: 0 });
  });

  test(`${name}: Standard Schema issues of a value with large images are its text's`, () => {
    const schema = entry.launchSchema({ limits: { maxImageBytes: 300000 } });
    for (const body of bodies) {
      const want = entry.check('launch', JSON.stringify(body), { limits: { maxImageBytes: 300000 } });
      const got = schema['~standard'].validate(body);
      assert.deepEqual(got.issues?.map((i) => i.code) ?? [], want.violations.map((v) => v.code));
      assert.deepEqual(got.issues?.map((i) => i.message) ?? [], want.violations.map((v) => v.message));
    }
  });
}

test('an image edited in place is checked again (the verdict is kept by the text, not the object)', () => {
  const image = { media_type: 'image/png', data: big };
  const body = { prompt: { text: 'a', images: [image] } };
  assert.equal(form.validateLaunch(body).ok, true);
  image.data = notBase64;
  assert.deepEqual(form.validateLaunch(body).violations.map((v) => v.code), ['invalid_base64']);
  image.data = big;
  image.media_type = 'image/gif';
  assert.deepEqual(form.validateLaunch(body).violations.map((v) => v.code), ['media_type_mismatch']);
});

test('a getter or a cycle beside a large image is still the invalid_json of JSON.stringify', () => {
  const image = { media_type: 'image/png', data: big };
  form.validateLaunch({ prompt: { text: 'a', images: [image] } });
  const cyclic = { prompt: { text: 'a', images: [image] } };
  cyclic.self = cyclic;
  assert.equal(form.validateLaunch(cyclic).violations[0].code, 'invalid_json');
  const throwing = { prompt: { text: 'a', images: [image] }, get projectId() { throw new Error('nope'); } };
  assert.match(form.validateLaunch(throwing).violations[0].message, /nope/);
});
