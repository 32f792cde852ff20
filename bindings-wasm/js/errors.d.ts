import type { Violation } from './form/agentrules.js';

/** What went wrong, for a thrown `AgentRulesError`. */
export type AgentRulesErrorCode =
  | 'bad_request'        // a request with violations (assertValidLaunch, renderListQuery)
  | 'invalid_context'    // the context argument is invalid
  | 'invalid_state'      // the lifecycle refuses the action (HTTP 409)
  | 'invalid_schema'     // a table schema that does not compile
  | 'invalid_matrix'     // a policy matrix with violations
  | 'invalid_envelope'   // a body that is not an error envelope
  | 'invalid_stream'     // an event stream past its line or event limit
  | 'invalid_arguments'  // an argument of the wrong shape
  | 'unknown_kind'       // check() with a kind this entry does not have
  | 'internal';          // the wasm instance failed (out of memory, out of stack, a library bug):
                        // the call is lost, the next one runs on a fresh instance

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
