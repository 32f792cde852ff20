// A launch form validated live by the agentrules npm package. The page only gathers the form
// into a request body, asks the package, and shows each violation next to the field its JSON
// path points at: every rule lives in the package.
import { validateLaunch, checkImage } from 'agentrules';

const SLOT_WORKFLOW = '019def34-8a2b-7c4d-9e5f-0a1b2c3d4e5f';
const PROMPT_WORKFLOW = '019abc12-3d4e-7f60-8a1b-2c3d4e5f6a7b';
// What the app knows of each workflow and of the organisation: the context of the check.
const WORKFLOWS = {
  [PROMPT_WORKFLOW]: { id: PROMPT_WORKFLOW, slots: [] },
  [SLOT_WORKFLOW]: {
    id: SLOT_WORKFLOW,
    slots: [
      { name: 'Drawing Set', multiple: true, required: true },
      { name: 'Standards', multiple: false, required: true },
      { name: 'Reference', multiple: false, required: false },
    ],
  },
};
const ENTITLEMENTS = ['codeSearch'];

const $ = (id) => document.getElementById(id);
const form = $('launch');
/** Picked images: { file, report, data } where data is base64 once encoded. */
let images = [];

function renderSlots() {
  const def = WORKFLOWS[$('workflow').value];
  const slots = def?.slots ?? [];
  $('slots-block').hidden = slots.length === 0;
  $('slots').replaceChildren(
    ...slots.map((s) => {
      const div = document.createElement('div');
      div.className = 'slot';
      const id = `slot-${s.name.replace(/\W+/g, '-')}`;
      div.innerHTML = `<label for="${id}"></label><input type="text" id="${id}">`;
      div.querySelector('label').textContent = `${s.name}${s.multiple ? ' (file ids, comma-separated)' : ' (one file id)'}${s.required ? '' : ', optional'}`;
      const input = div.querySelector('input');
      input.dataset.slot = s.name;
      input.dataset.multiple = String(s.multiple);
      input.dataset.path = `/workflowInputs/${s.name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      input.addEventListener('input', update);
      return div;
    }),
  );
}

const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

/** The request body, as the form states it. */
function body() {
  const b = {};
  const workflow = $('workflow').value;
  if (workflow) b.workflowId = workflow;
  const def = WORKFLOWS[workflow];
  const text = $('prompt').value;
  const encoded = images.filter((i) => i.data !== undefined);
  if (text !== '' || encoded.length > 0 || !def || def.slots.length === 0) {
    b.prompt = {};
    if (text !== '' || !workflow || def?.slots.length === 0) b.prompt.text = text;
    if (encoded.length > 0) b.prompt.images = encoded.map((i) => ({ media_type: i.file.type, data: i.data }));
  }
  const ids = list($('fileIds').value);
  if (ids.length > 0) b.fileIds = ids;
  if (def && def.slots.length > 0) {
    b.workflowInputs = {};
    for (const input of $('slots').querySelectorAll('input')) {
      const v = input.value.trim();
      b.workflowInputs[input.dataset.slot] = input.dataset.multiple === 'true' ? list(v) : v === '' ? null : v;
    }
  }
  const caps = {};
  if ($('codeSearch').checked) caps.codeSearch = $('jurisdiction').value ? { jurisdiction: $('jurisdiction').value } : true;
  if ($('webSearch').checked) caps.webSearch = true;
  if (Object.keys(caps).length > 0) b.capabilities = caps;
  return b;
}

/** The element whose data-path is the longest prefix of `path`, and its error slot. */
function place(path) {
  let best = null;
  for (const el of form.querySelectorAll('[data-path], [data-for]')) {
    const p = el.dataset.for ?? el.dataset.path;
    if ((path === p || path.startsWith(p + '/')) && (!best || p.length > (best.dataset.for ?? best.dataset.path).length)) best = el;
  }
  if (!best) return { slot: $('general') };
  if (best.dataset.for !== undefined) return { slot: best };
  const field = best.closest('.field');
  const slot = [...field.querySelectorAll(':scope > .errors')].find((e) => e.dataset.for === undefined) ?? $('general');
  return { slot, input: best.matches('input, textarea, select') ? best : null, field };
}

/** A size for people: 20971520 bytes is "20 MB", 2064 is "2.0 KB" (binary units, as the
 * platform states its limits). */
function readable(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KB`;
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}

/** The app's own sentence for a violation, built from its params (the package's `message` is
 * the fallback): the page speaks to its users in their terms, the code and params stay the
 * package's. */
function messageFor(v) {
  const p = v.params;
  switch (v.code) {
    case 'image_too_large':
      return `is ${readable(p.bytes)} once decoded, ${readable(p.bytes - p.maxBytes)} over the ${readable(p.maxBytes)} limit`;
    case 'too_many_images':
      return `${p.count} images attached; remove ${p.count - p.max} (at most ${p.max})`;
    case 'document_too_large':
      return p.bytes !== undefined && p.maxBytes !== undefined
        ? `the request is ${readable(p.bytes)}; at most ${readable(p.maxBytes)} can be sent`
        : v.message;
    default:
      return v.message;
  }
}

function show(violations) {
  for (const e of form.querySelectorAll('.errors')) e.replaceChildren();
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  for (const v of violations) {
    const { slot, input } = place(v.path);
    const line = document.createElement('span');
    line.dataset.code = v.code;
    line.dataset.path = v.path;
    const where = v.path.match(/^\/prompt\/images\/(\d+)/);
    line.textContent = (where ? `${images[Number(where[1])]?.file.name ?? 'image'}: ` : '') + messageFor(v) + ' ';
    const code = document.createElement('code');
    code.textContent = v.code;
    line.append(code);
    slot.append(line);
    if (input) input.setAttribute('aria-invalid', 'true');
  }
}

function update() {
  const def = WORKFLOWS[$('workflow').value];
  const context = { entitlements: ENTITLEMENTS, ...(def ? { workflow: def } : {}) };
  const b = body();
  const report = validateLaunch(b, context);
  // Images are checked from their first bytes before any encoding; their problems sit at
  // their index in prompt.images.
  const imageViolations = images.flatMap((img, i) =>
    img.report.violations.map((v) => ({ ...v, path: `/prompt/images/${i}${v.path}` })),
  );
  const all = [...imageViolations, ...report.violations];
  show(all);
  renderImages();
  $('body').textContent = JSON.stringify(b, (k, v) => (k === 'data' ? `<${v.length} base64 chars>` : v), 2);
  $('submit').disabled = all.length > 0;
  $('status').textContent = all.length === 0 ? 'Ready to launch' : `${all.length} problem${all.length === 1 ? '' : 's'} to fix`;
  $('status').className = all.length === 0 ? 'status ok' : 'status';
  form.dataset.violations = String(all.length);
}

function renderImages() {
  $('image-list').replaceChildren(
    ...images.map((img) => {
      const li = document.createElement('li');
      li.className = img.report.ok ? 'good' : 'bad';
      li.textContent = `${img.file.name} · ${img.file.type || 'unknown type'} · ${readable(img.file.size)}`;
      return li;
    }),
  );
}

function base64(buffer) {
  let s = '';
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

$('images').addEventListener('change', async (e) => {
  images = [];
  for (const file of e.target.files) {
    const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
    images.push({ file, report: checkImage(file.type, head, file.size, undefined) });
  }
  update();
  // Only images that pass are read and encoded: the body carries what would be sent.
  for (const img of images) if (img.report.ok) img.data = base64(await img.file.arrayBuffer());
  update();
});

for (const id of ['prompt', 'fileIds', 'jurisdiction']) $(id).addEventListener('input', update);
for (const id of ['codeSearch', 'webSearch']) $(id).addEventListener('change', update);
$('workflow').addEventListener('change', () => {
  renderSlots();
  update();
});
form.addEventListener('submit', (e) => {
  e.preventDefault();
  $('status').textContent = 'Valid: this is where the app would POST /api/v0/agents';
});

renderSlots();
update();
document.body.dataset.ready = 'true';
