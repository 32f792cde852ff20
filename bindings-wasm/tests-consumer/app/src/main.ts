// The consumer app: what a frontend developer writes first with the form entry. It renders each
// report ("ok", or one "path code" line per violation) for the test to read in Chromium.
import { validateLaunch, check } from 'agentrules';
import { show, shown } from './show.js';

show('valid', shown(validateLaunch({ prompt: { text: 'Summarise the drawings' } })));
// What scripts/nav-timing.mjs measures: navigation start to here.
performance.mark('agentrules:first-validation');
show('invalid', shown(validateLaunch({ prompt: { text: '' }, fileIds: ['nope'] })));
show('entitled', shown(check('launch', { prompt: { text: 'Go' }, capabilities: { webSearch: true } }, { entitlements: [] })));
document.body.dataset.ready = 'true';
