export * from './api.js';
export * from './table-api.js';
export { AgentRulesError, isAgentRulesError, type AgentRulesErrorCode } from './errors.js';
export { RefusalKind, type RefusalKindName } from './refusals.js';
export type { OpName } from './ops.js';
