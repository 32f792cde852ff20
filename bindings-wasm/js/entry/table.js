// The table entry (`agentrules/table`) for browsers and bundlers: every rule plus TableValidator.
// Import it only where tables are validated: its wasm carries the JSON Schema validator.
import init from './table/agentrules_table.js';

await init({ module_or_path: new URL('./table/agentrules_table_bg.wasm', import.meta.url) });

export * from './table/agentrules_table.js';
export { AgentRulesError, isAgentRulesError } from './errors.js';
