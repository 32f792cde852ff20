// A page that loads the form and the table entry through agentrules/lazy, both at once: a bundler
// splits each into its own chunk, so both wasms are fetched in parallel.
import { load, loadTable } from 'agentrules/lazy';
import { show, lines, ISSUE_TABLE } from './show.js';

const [form, table] = await Promise.all([load(), loadTable()]);
show('both', lines(form.validateLaunch({ prompt: { text: '' } }), new table.TableValidator(ISSUE_TABLE).validateValue({})));
document.body.dataset.ready = 'true';
