// The table entry's additions to api.d.ts.
import type { Report, JsonInput, WebhookVerification, WebhookProvider, GoogleExpectations, Install, InstallEvent, FailureSummary } from './api.js';
import type { OpName, OpArgs, OpAnswers, OpFailure } from './ops.js';

export type { OpName, OpArgs, OpAnswers, OpFailure };

type ConnectorPolicy = { failureThreshold?: number; sweepAfter?: number } | undefined;

/** Runs one of the core's non-validation operations (the rules that are not validation; the
 * corpus's op cases). Each op's arguments and answer are typed from the core's op registry
 * (`OpArgs`, `OpAnswers`): its answer, or `{ error: { kind, message, violations } }`
 * (`OpFailure`) when its rule refuses. Arguments of the wrong shape throw `invalid_arguments`. */
export declare function evaluate<O extends OpName>(op: O, args: OpArgs[O]): OpAnswers[O];
/** E1: the response a report renders to: its HTTP status (400) and the envelope body, or
 * `undefined` for a clean report. Throws `invalid_arguments` for a value that is not a report. */
export declare function errorEnvelope(report: Report): { status: number; body: { error: string; code: string } } | undefined;

/** T3–T5: a JSON Schema compiled once, validating any number of table rows. */
export declare class TableValidator {
  /** Throws `AgentRulesError` (`invalid_schema`) with violations at paths inside the schema.
   * `options.documents`: the schemas `$ref` may reach, by absolute URI (served from memory;
   * nothing else is fetched); `options.requireObjectRoot: false` compiles any JSON Schema, not
   * only a table's `"type": "object"` (the default, T3). */
  constructor(schema: JsonInput, options?: { documents?: Record<string, unknown>; requireObjectRoot?: boolean });
  /** Validates `elements` (`[{ key, value }]`): violations at `/elements/<i>/...`. */
  validateElements(elements: JsonInput): Report;
  /** Validates one row value: violations at its instance paths. */
  validateValue(value: JsonInput): Report;
  free(): void;
  [Symbol.dispose](): void;
}

/** W1–W4: verifies a webhook request over its raw body bytes. Never throws for a bad request
 * (the result says `verified` or the `reason`); throws `invalid_arguments` for arguments of
 * the wrong type or headers whose reading throws. */
export declare function verifyWebhook(
  provider: WebhookProvider,
  headers: Headers | Iterable<[string, string]> | Record<string, string>,
  body: Uint8Array | ArrayBuffer | string,
  secret: Uint8Array | ArrayBuffer | string,
  nowUnixSeconds: number,
): WebhookVerification;
/** W5: verifies a Google Workspace push notification: the `Authorization: Bearer` token (RS256)
 * against Google's JWKS document `keys` (its text or the parsed object; fetched and cached by the
 * caller, `null` when no `audience` is expected) and the `X-Goog-Channel-Token`, as `expect`
 * says. Never throws for a forged request (the result says `verified` or the `reason`); throws
 * `invalid_arguments` for arguments of the wrong type. */
export declare function verifyGoogleWebhook(
  headers: Headers | Iterable<[string, string]> | Record<string, string>,
  keys: string | { keys: unknown[] } | null | undefined,
  expect: GoogleExpectations,
  nowUnixSeconds: number,
): WebhookVerification;
/** K2/K3: the connector install after `event`. */
export declare function applyConnectorEvent(install: Install, event: InstallEvent, policy?: ConnectorPolicy): Install;
/** K4: the failure summary of a connector install, for a UI. */
export declare function connectorSummary(install: Install): FailureSummary;
/** K5: the ids of the installs a recovery sweep at `nowUnixSeconds` should retry. */
export declare function sweepConnectors(installs: Install[], nowUnixSeconds: number, policy?: ConnectorPolicy): string[];
