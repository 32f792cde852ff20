export * from './api.js';
export { AgentRulesError, isAgentRulesError, type AgentRulesErrorCode } from './errors.js';
export { RefusalKind, type RefusalKindName } from './refusals.js';
