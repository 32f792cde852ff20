// The consumer app on the launch entry (agentrules/launch): main.ts's reports from the smallest
// wasm, and the code a kind the entry lacks is refused with.
import { validateLaunch, check, isAgentRulesError } from 'agentrules/launch';
import { show, shown } from './show.js';

show('valid', shown(validateLaunch({ prompt: { text: 'Summarise the drawings' } })));
// What scripts/nav-timing.mjs measures: navigation start to here.
performance.mark('agentrules:first-validation');
show('invalid', shown(validateLaunch({ prompt: { text: '' }, fileIds: ['nope'] })));
show('entitled', shown(check('launch', { prompt: { text: 'Go' }, capabilities: { webSearch: true } }, { entitlements: [] })));
let refused = 'not refused';
try {
  check('list-query', {});
} catch (e) {
  if (isAgentRulesError(e)) refused = e.code;
}
show('refused', refused);
document.body.dataset.ready = 'true';
