export * from './api.js';
export { AgentRulesError, isAgentRulesError, type AgentRulesErrorCode } from './errors.js';
