// The form entry for browsers and bundlers: the wasm is fetched and instantiated once, at import.
import init from './form/agentrules.js';

await init({ module_or_path: new URL('./form/agentrules_bg.wasm', import.meta.url) });

export * from './form/agentrules.js';
export { AgentRulesError, isAgentRulesError } from './errors.js';
