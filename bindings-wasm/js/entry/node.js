// The form entry for Node: the wasm is read from disk and instantiated synchronously.
import { readFileSync } from 'node:fs';
import { initSync } from './form/agentrules.js';

initSync({ module: readFileSync(new URL('./form/agentrules_bg.wasm', import.meta.url)) });

export * from './form/agentrules.js';
export { AgentRulesError, isAgentRulesError } from './errors.js';
