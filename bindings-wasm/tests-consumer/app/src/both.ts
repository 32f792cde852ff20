// A page that imports the form entry and the table entry statically (as two components of one
// app would): each wasm must be requested once, both in flight together (Vite's build as it is;
// esbuild's, which runs both entries in one module, with the README's <link rel="preload"> tags).
import { validateLaunch } from 'agentrules';
import { TableValidator } from 'agentrules/table';
import { show, lines, ISSUE_TABLE } from './show.js';

show('both', lines(validateLaunch({ prompt: { text: '' } }), new TableValidator(ISSUE_TABLE).validateValue({})));
document.body.dataset.ready = 'true';
