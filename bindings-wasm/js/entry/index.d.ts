export * from './form/agentrules.js';
export { AgentRulesError, isAgentRulesError, type AgentRulesErrorCode } from './errors.js';
