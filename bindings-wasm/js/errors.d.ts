import type { Violation } from './form/agentrules.js';
import type { RefusalKindName } from './refusals.js';

/** What went wrong, for a thrown `AgentRulesError`: a refusal kind of the core (generated into
 * `refusals.d.ts` from its list; `'internal'`: the wasm instance failed, the call is lost and the
 * next one runs on a fresh instance). */
export type AgentRulesErrorCode = RefusalKindName;

/** The error every throwing function of the package throws. */
export declare class AgentRulesError extends Error {
  readonly name: 'AgentRulesError';
  readonly code: AgentRulesErrorCode;
  /** The violations behind the error, when there are some. */
  readonly violations: Violation[];
  constructor(message: string, code: AgentRulesErrorCode, violations?: Violation[]);
}

/** Type guard for `AgentRulesError` (from either entry). */
export declare function isAgentRulesError(value: unknown): value is AgentRulesError;
