// The consumer app: what a frontend developer writes first with the form entry. It renders each
// report ("ok", or one "path code" line per violation) for the test to read in Chromium.
import { validateLaunch, check, type Report } from 'agentrules';

function show(id: string, report: Report): void {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  el.textContent = report.ok ? 'ok' : report.violations.map((v) => `${v.path} ${v.code}`).join('\n');
}

show('valid', validateLaunch({ prompt: { text: 'Summarise the drawings' } }));
show('invalid', validateLaunch({ prompt: { text: '' }, fileIds: ['nope'] }));
show('entitled', check('launch', { prompt: { text: 'Go' }, capabilities: { webSearch: true } }, { entitlements: [] }));
document.body.dataset.ready = 'true';
