// The launch entry (`agentrules/launch`): the form entry's launch, follow-up and image checks, the
// lifecycle and the poller, in the package's smallest wasm. `check` takes the kinds `kinds()`
// lists here (launch, followup, image, image-bytes, context); any other kind throws
// `unknown_kind`, whose message says the full entry (`agentrules`) checks it.
export type {
  Report, Violation, Code, CodeInfo, ParamInfo, ActionOutcome, PollStep, AgentStatus, JsonInput,
  StandardSchemaV1, StandardJSONSchemaV1, SchemaIssue, SchemaResult, AgentRulesSchema, AgentRulesJSONSchema,
} from './api.js';
export {
  check, validateLaunch, validateFollowUp, assertValidLaunch, checkImage, codes, kinds, refusalKinds,
  isTerminal, canTransition, applyAction, Poller, launchSchema, followUpSchema, schemaFor,
} from './api.js';
export { AgentRulesError, isAgentRulesError, type AgentRulesErrorCode } from './errors.js';
export { RefusalKind, type RefusalKindName } from './refusals.js';
