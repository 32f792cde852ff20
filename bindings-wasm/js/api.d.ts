// The declarations of js/api.js's functions and classes (both entries), over the types the
// core's tsify derives put in the generated wasm-bindgen .d.ts.
import type {
  Report, Violation, Code, CodeInfo, ParamInfo, Decision, ActionOutcome, PollStep, AgentStatus, SseItem,
  WebhookVerification, WebhookProvider, RejectReason, GoogleExpectations, Install, InstallEvent, FailureSummary, NextStep,
} from './table/agentrules_table.js';
import type { RefusalKindName } from './refusals.js';
import type { LaunchBody, FollowUpBody, Context } from './documents.js';

/** The documents a caller writes (generated from the core's types): the bodies of the launch
 * and follow-up requests and the context. The checks take any value (`JsonInput`): these say
 * what a valid document looks like, for code that builds one. */
export type { LaunchBody, FollowUpBody, Context };

/** A context: the document (`Context`), or its JSON text or bytes. */
export type ContextInput = Context | string | Uint8Array;

export type {
  Report, Violation, Code, CodeInfo, ParamInfo, Decision, ActionOutcome, PollStep, AgentStatus, SseItem,
  WebhookVerification, WebhookProvider, RejectReason, GoogleExpectations, Install, InstallEvent, FailureSummary, NextStep,
};

/** A JSON argument: JSON text, JSON bytes (a Uint8Array), or a JS value read as
 * `JSON.stringify` writes it. Other binary values (ArrayBuffer, other typed arrays) are
 * refused with `invalid_arguments`. */
export type JsonInput = unknown;

/** Checks `input` as `kind` (`launch`, `followup`, `list-query`, …) with an optional context.
 * Throws `AgentRulesError`: `unknown_kind`, `invalid_context`, `invalid_arguments` (a binary
 * input that is not a Uint8Array; a detached buffer); problems with the input itself, what
 * `JSON.stringify` throws included, are the report's (`invalid_json`).
 *
 * The checks that need a fact of the organisation run only when the context gives it: without
 * `entitlements`, an enabled capability is not checked against them (C4; a body asking for
 * `webSearch` is ok); without `workflow`, a workflow's slots and kind are not known (L8, L9);
 * without `marketplace`, no guardrails apply (M2, M3). `limits` default to the platform's. Pass
 * the same context the server uses to get the server's answer. */
export declare function check(kind: string, input: JsonInput, context?: ContextInput): Report;
/** Checks a launch body (`POST /api/v0/agents`); as `check('launch', …)`, the entitlement and
 * workflow checks run only with a context that gives them. */
export declare function validateLaunch(input: JsonInput, context?: ContextInput): Report;
/** Checks a follow-up body (`POST /api/v0/agents/{id}/followup`). */
export declare function validateFollowUp(input: JsonInput, context?: ContextInput): Report;
/** Checks a launch body; throws `AgentRulesError` (`bad_request`, the violations attached). */
export declare function assertValidLaunch(input: JsonInput, context?: ContextInput): void;
/** I7: checks an image file before it is base64-encoded, from its declared media type, its first
 * bytes (a Uint8Array; 16 are enough) and its byte length (a non-negative integer). */
export declare function checkImage(mediaType: string, head: Uint8Array, byteLength: number, context?: ContextInput): Report;
/** Every violation code, in catalogue order, with its English message template and the params
 * its violations carry (the agentrules repository's `docs/codes.md`). */
export declare function codes(): CodeInfo[];
/** Every kind `check` accepts in this build. */
export declare function kinds(): string[];
/** Every refusal kind (the `code` of a thrown `AgentRulesError`), in catalogue order. */
export declare function refusalKinds(): RefusalKindName[];
/** Whether a status is terminal (`finished`, `stopped`, `failed`). */
export declare function isTerminal(status: string): boolean;
/** S2: whether `from → to` is legal; `via` is `"pipeline"` (default) or `"follow_up"`. */
export declare function canTransition(from: string, to: string, via?: string): boolean;
/** S3–S5: what `action` does in `status`; throws `invalid_state` when the server answers 409. */
export declare function applyAction(status: string, action: string): ActionOutcome;
/** Q1: the canonical query string of a list query; throws `bad_request` with the violations. */
export declare function renderListQuery(query: JsonInput, context?: ContextInput): string;
/** E1: parses an error envelope; throws `invalid_envelope` when the body is not one. */
export declare function parseErrorEnvelope(body: JsonInput): { code: string; error: string; status: number | null; known: boolean };
/** E2: milliseconds to wait for a `Retry-After` value at `nowUnixSeconds` (a finite number),
 * or `undefined` when the value is neither delta seconds nor an HTTP date. */
export declare function retryAfterMs(value: string, nowUnixSeconds: number): number | undefined;
/** R5: replays a run event log into the run state, as JSON text (the same bytes everywhere). */
export declare function replayJson(log: JsonInput): string;

/** The Standard Schema v1 interfaces (https://standardschema.dev, `@standard-schema/spec` 1.1.0),
 * inlined: the package depends on nothing at run time. The base of both specs' properties: */
interface StandardTypedProps<Input, Output> {
  readonly version: 1;
  readonly vendor: string;
  readonly types?: StandardSchemaV1.Types<Input, Output> | undefined;
}
interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}
declare namespace StandardSchemaV1 {
  interface Props<Input = unknown, Output = Input> extends StandardTypedProps<Input, Output> {
    readonly validate: (value: unknown, options?: Options | undefined) => Result<Output> | Promise<Result<Output>>;
  }
  type Result<Output> = SuccessResult<Output> | FailureResult;
  interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  interface Options {
    readonly libraryOptions?: Record<string, unknown> | undefined;
  }
  interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  interface PathSegment {
    readonly key: PropertyKey;
  }
  interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input'];
  type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];
}
/** The Standard JSON Schema v1 interface (`@standard-schema/spec` 1.1.0), inlined. */
interface StandardJSONSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardJSONSchemaV1.Props<Input, Output>;
}
declare namespace StandardJSONSchemaV1 {
  interface Props<Input = unknown, Output = Input> extends StandardTypedProps<Input, Output> {
    readonly jsonSchema: Converter;
  }
  interface Converter {
    readonly input: (options: Options) => Record<string, unknown>;
    readonly output: (options: Options) => Record<string, unknown>;
  }
  type Target = 'draft-2020-12' | 'draft-07' | 'openapi-3.0' | ({} & string);
  interface Options {
    readonly target: Target;
    readonly libraryOptions?: Record<string, unknown> | undefined;
  }
}

/** An issue of an agentrules schema: a violation of the core's report. `path` is its JSON
 * Pointer as segments (`~1` and `~0` unescaped), a number where the value holds an array. */
interface SchemaIssue extends StandardSchemaV1.Issue {
  readonly message: string;
  readonly path: ReadonlyArray<string | number>;
  readonly code: Code;
  readonly params: Violation['params'];
}
/** What an agentrules schema's `validate` answers, synchronously: the value itself when the core
 * finds no violation. */
type SchemaResult<T> = { readonly value: T; readonly issues?: undefined } | { readonly issues: ReadonlyArray<SchemaIssue> };
/** A Standard Schema v1 object of a check kind: frozen, with `~standard` only. `T` is the type
 * the caller gives the values it validates (e.g. its form's values): validation proves the core
 * accepts a value, not its TypeScript type. */
interface AgentRulesSchema<T = Record<string, unknown>> extends StandardSchemaV1<T> {
  readonly '~standard': AgentRulesSchemaProps<T>;
}
/** `~standard` of an agentrules schema: `validate` answers synchronously. */
interface AgentRulesSchemaProps<T> extends StandardSchemaV1.Props<T> {
  readonly vendor: 'agentrules';
  readonly validate: (value: unknown, options?: StandardSchemaV1.Options) => SchemaResult<T>;
}
/** A schema that also has Standard JSON Schema v1's `jsonSchema` (targets `draft-2020-12`, the
 * generated schema as it is, and `draft-07`; any other target throws `invalid_arguments`). The
 * JSON Schema describes the body's shape (types, fields); the core's rules say more. */
interface AgentRulesJSONSchema<T = Record<string, unknown>> extends AgentRulesSchema<T>, StandardJSONSchemaV1<T> {
  readonly '~standard': AgentRulesSchemaProps<T> & StandardJSONSchemaV1.Props<T>;
}
export type { StandardSchemaV1, StandardJSONSchemaV1, SchemaIssue, SchemaResult, AgentRulesSchema, AgentRulesJSONSchema };
/** A Standard Schema of launch bodies, with the JSON Schema (schemas/launch.schema.json). The
 * context is read once, now; throws `invalid_context`. */
export declare function launchSchema<T = LaunchBody>(context?: ContextInput): AgentRulesJSONSchema<T>;
/** A Standard Schema of follow-up bodies, with the JSON Schema (schemas/followup.schema.json). */
export declare function followUpSchema<T = FollowUpBody>(context?: ContextInput): AgentRulesJSONSchema<T>;
/** A Standard Schema of any kind `check` takes (`kinds()`); `launch` and `followup` have the
 * JSON Schema. Throws `unknown_kind`, `invalid_context`. */
export declare function schemaFor<T = Record<string, unknown>>(kind: 'launch' | 'followup', context?: ContextInput): AgentRulesJSONSchema<T>;
export declare function schemaFor<T = unknown>(kind: string, context?: ContextInput): AgentRulesSchema<T>;

/** S6: the client-side poll schedule, with the follow-up window of S3. */
export declare class Poller {
  constructor(followUpFrom?: string);
  /** Observes a polled status (`elapsedMs`, a non-negative integer, since the follow-up). */
  observe(status: string, elapsedMs?: number): PollStep;
  free(): void;
  [Symbol.dispose](): void;
}

/** P1/P2: a tool policy matrix, validated once, deciding tool calls. */
export declare class PolicyMatrix {
  /** Throws `AgentRulesError` (`invalid_matrix`) with the violations when invalid. */
  constructor(matrix: JsonInput);
  /** `callsMade` must be a non-negative integer (at most 2^53) and `online` a boolean, else
   * `invalid_arguments`: a policy limit is never bypassed by a number. */
  decide(tool: string, role: string, callsMade: number, online: boolean): Decision;
  free(): void;
  [Symbol.dispose](): void;
}

/** R2: an incremental Server-Sent Events decoder for `fetch` bodies: push each `Uint8Array`
 * chunk, get the dispatched events and retry values in stream order. */
export declare class SseDecoder {
  /** `maxLineBytes`: an integer from 1 to 256 MiB (default 1 MiB). */
  constructor(maxLineBytes?: number);
  /** Throws `invalid_stream` past a line or event limit, `invalid_arguments` for a chunk that
   * is not a Uint8Array. */
  push(chunk: Uint8Array): SseItem[];
  /** Ends the stream: an incomplete event is dropped. */
  finish(): void;
  /** The last event id in force (for `Last-Event-ID` on reconnect). */
  readonly lastEventId: string;
  /** The last valid `retry` value, in milliseconds. */
  readonly retry: number | undefined;
  free(): void;
  [Symbol.dispose](): void;
}

