// The table entry for Node.
import { readFileSync } from 'node:fs';
import { initSync } from './table/agentrules_table.js';

initSync({ module: readFileSync(new URL('./table/agentrules_table_bg.wasm', import.meta.url)) });

export * from './table/agentrules_table.js';
export { AgentRulesError, isAgentRulesError } from './errors.js';
