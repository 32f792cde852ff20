// A page that imports only the table entry: it must load one wasm, the table entry's.
import { TableValidator, validateLaunch } from 'agentrules/table';
import { show, lines, ISSUE_TABLE } from './show.js';

const rows = new TableValidator(ISSUE_TABLE);
show('table', lines(rows.validateElements([{ key: 'r1', value: { issue: 'ok' } }, { key: 'r2', value: {} }]), validateLaunch({ prompt: { text: '' } })));
document.body.dataset.ready = 'true';
