export * from './table/agentrules_table.js';
export { AgentRulesError, isAgentRulesError, type AgentRulesErrorCode } from './errors.js';
