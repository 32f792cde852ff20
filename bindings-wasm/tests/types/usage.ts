// Type-checked (tsc --noEmit) against the generated .d.ts: what a TypeScript user writes.
import {
  validateLaunch,
  check,
  checkImage,
  applyAction,
  canTransition,
  Poller,
  PolicyMatrix,
  codes,
  AgentRulesError,
  isAgentRulesError,
  type Report,
  type Violation,
  type Code,
  type CodeInfo,
  type Decision,
  type ActionOutcome,
  type PollStep,
  type AgentStatus,
  type AgentRulesErrorCode,
} from '../../pkg/index.js';
import {
  TableValidator,
  evaluate,
  verifyWebhook,
  verifyGoogleWebhook,
  applyConnectorEvent,
  connectorSummary,
  sweepConnectors,
  type WebhookVerification,
  type GoogleExpectations,
  type RejectReason,
  type Install,
  type FailureSummary,
  type NextStep,
} from '../../pkg/table.js';
import { load, loadLaunch, loadTable } from '../../pkg/lazy.js';

const report: Report = validateLaunch({ prompt: { text: 'Summarise the drawings' } }, undefined);
const ok: boolean = report.ok;
const first: Violation | undefined = report.violations[0];
if (first) {
  const path: string = first.path;
  const code: Code = first.code;
  // The code union is exact: a typo does not compile.
  // @ts-expect-error not a violation code
  const typo: Code = 'empty_txt';
  void path, code, typo;
}
const exhaustive = (c: Code): string => (c === 'image_too_large' ? 'too big' : c);
const generic: Report = check('followup', '{"prompt": {"text": "again"}}', undefined);
const image: Report = checkImage('image/png', new Uint8Array(16), 1024, undefined);
const outcome: ActionOutcome = applyAction('waiting', 'stop');
if (outcome.outcome === 'transition') {
  const s: AgentStatus = outcome.status;
  void s;
}
const legal: boolean = canTransition('waiting', 'running', undefined);
const step: PollStep = new Poller(undefined).observe('running', undefined);
const decision: Decision = new PolicyMatrix({ tools: {} }).decide('t', 'member', 0, true);
if (decision.decision === 'deny') {
  const reason: Code = decision.reason;
  void reason;
}
const all: Code[] = codes().map((c: CodeInfo) => c.code);
const firstParam: 'integer' | 'number' | 'text' | 'list' | undefined = codes()[0]?.params[0]?.type;
void firstParam;
const facts: Record<string, number | string | string[]> = validateLaunch({}).violations[0]!.params;
void facts;
try {
  new TableValidator({ type: 'object' }).validateElements([{ key: 'a', value: {} }]);
} catch (e) {
  if (isAgentRulesError(e)) {
    const c: AgentRulesErrorCode = e.code;
    const vs: Violation[] = e.violations;
    void c, vs;
  }
  if (e instanceof AgentRulesError) void e.message;
}
const anything: unknown = evaluate('endpoint', { method: 'GET', path: '/api/v0/agents' });
// Each op's arguments and answer are typed from the core's op registry (OpArgs, OpAnswers).
const applied = evaluate('apply', { status: 'running', action: 'stop' });
if ('error' in applied) {
  const kind: AgentRulesErrorCode = applied.error.kind;
  const first: Violation | undefined = applied.error.violations[0];
  void kind, first;
} else {
  const outcome: ActionOutcome = applied;
  void outcome;
}
const steps = evaluate('approval', { tier: 'admin', allowedRoles: ['admin'], events: [{ type: 'expire' }] });
if (!('error' in steps)) for (const s of steps) if (!('error' in s)) void (s.status satisfies 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled');
const wait = evaluate('rate_limit', { class: 'heavy', sent: [0], now: 1 });
if (!('error' in wait)) void (wait.waitMs satisfies number);
// @ts-expect-error: an action the op does not take does not compile
evaluate('apply', { status: 'running', action: 'pause' });
// @ts-expect-error: a missing argument does not compile
evaluate('transition', { from: 'running' });
// @ts-expect-error: op names come from the core's op registry (OpName); a typo does not compile
evaluate('endpoints', { method: 'GET', path: '/api/v0/agents' });
const v: WebhookVerification = verifyWebhook('github', new Headers(), new Uint8Array(), 'secret', Date.now() / 1000);
if (!v.verified) {
  const why: RejectReason | undefined = v.reason;
  void why;
}
// @ts-expect-error: only github, slack and whatsapp are providers
verifyWebhook('gitlab', {}, '', 's', 0);
const expect: GoogleExpectations = { audience: 'https://push.example.com/', email: 'a@b.iam.gserviceaccount.com', skewSeconds: 60 };
const g: WebhookVerification = verifyGoogleWebhook(new Headers(), '{"keys": []}', expect, Date.now() / 1000);
verifyGoogleWebhook({ 'X-Goog-Channel-Token': 't' }, null, { channelToken: 't' }, 0);
void g;
// @ts-expect-error: the expectations are camelCase (channelToken)
verifyGoogleWebhook({}, null, { channel_token: 't' }, 0);
const inst: Install = applyConnectorEvent(
  { id: 'i', connector: 'slack', status: 'active', consecutiveFailures: 0 },
  { type: 'health', ok: false, at: 1 },
  undefined,
);
const summary: FailureSummary = connectorSummary(inst);
const next: NextStep = summary.nextStep;
const due: string[] = sweepConnectors([inst], 0, { sweepAfter: 60 });
void ok, generic, image, legal, step, all, exhaustive, anything, next, due;

// The lazy entry answers the entries' own modules, typed as them.
void load().then((m) => m.validateLaunch({ prompt: { text: 'Go' } }).ok satisfies boolean);
void loadTable().then((t) => new t.TableValidator({ type: 'object' }));
void loadLaunch().then((l) => l.validateLaunch({ prompt: { text: 'Go' } }).ok satisfies boolean);

// The launch entry: the form entry's launch functions and types, nothing of what it leaves out.
import * as launchEntry from '../../pkg/launch.js';
const launchReport: launchEntry.Report = launchEntry.validateLaunch({ prompt: { text: 'Go' } });
const launchPoll: launchEntry.PollStep = new launchEntry.Poller().observe('running', 0);
const launchCheck: launchEntry.Report = launchEntry.checkImage('image/png', new Uint8Array(16), 1024);
// @ts-expect-error: the launch entry has no renderListQuery
launchEntry.renderListQuery({});
// @ts-expect-error: nor SseDecoder
new launchEntry.SseDecoder();
void launchReport, launchPoll, launchCheck;

// Standard Schema v1: the schema objects are the official interfaces (@standard-schema/spec, a
// type-only devDependency here; the package inlines them).
import type { StandardSchemaV1 as Spec, StandardJSONSchemaV1 as SpecJSON } from '@standard-schema/spec';
import {
  launchSchema,
  followUpSchema,
  schemaFor,
  type AgentRulesSchema,
  type AgentRulesJSONSchema,
  type SchemaIssue,
  type SchemaResult,
  type StandardSchemaV1,
} from '../../pkg/index.js';
import { launchSchema as tableLaunchSchema } from '../../pkg/table.js';

type LaunchForm = { prompt: { text: string }; fileIds?: string[] };
const launchS: AgentRulesJSONSchema<LaunchForm> = launchSchema<LaunchForm>({ entitlements: [] });
const asSpec: Spec<LaunchForm> = launchS;
const asSpecJSON: SpecJSON<LaunchForm> = launchS;
const asOwn: StandardSchemaV1<LaunchForm> = launchS;
const anyKind: Spec<unknown> = schemaFor('list-query');
const followS: SpecJSON = followUpSchema();
const tableS: Spec<Record<string, unknown>> = tableLaunchSchema();
type Inferred = Spec.InferOutput<typeof launchS>;
const inferred: Inferred = { prompt: { text: 'Go' } };
// validate is synchronous: its result is read without await.
const result: SchemaResult<LaunchForm> = launchS['~standard'].validate({ prompt: { text: '' } });
if (result.issues) {
  const issue: SchemaIssue = result.issues[0]!;
  const code: Code = issue.code;
  const segment: string | number | undefined = issue.path[0];
  const params: Violation['params'] = issue.params;
  void code, segment, params;
} else {
  const value: LaunchForm = result.value;
  void value;
}
const d7: Record<string, unknown> = launchS['~standard'].jsonSchema.input({ target: 'draft-07' });
const followGeneric: AgentRulesSchema = schemaFor('followup');
// @ts-expect-error: nothing but ~standard on the object (no parse, safeParse or assert)
launchS.parse({});
// @ts-expect-error: the schema's fields are read-only
launchS['~standard'].vendor = 'x';
void asSpec, asSpecJSON, asOwn, anyKind, followS, tableS, inferred, d7, followGeneric;

// The documents' types come from the core's schemas: a typed context and bodies.
import { type LaunchBody, type FollowUpBody, type Context, type ContextInput } from '../../pkg/index.js';
const typedContext: Context = { workflow: { slots: [{ name: 'Drawing Set', multiple: true }] }, limits: { maxImages: 2 } };
const typedBody: LaunchBody = { prompt: { text: 'Summarise', images: [{ media_type: 'image/png', data: 'iVBORw0KGgo=' }] } };
const typedFollowUp: FollowUpBody = { prompt: { text: 'And the legend?' } };
const asText: ContextInput = '{"entitlements": ["webSearch"]}';
validateLaunch(typedBody, typedContext);
validateLaunch(JSON.parse('{}'), asText);
// @ts-expect-error: a misspelt limit does not compile
const badContext: Context = { limits: { maxImage: 2 } };
// @ts-expect-error: a media type the API does not take does not compile
const badBody: LaunchBody = { prompt: { images: [{ media_type: 'image/bmp', data: '' }] } };
// @ts-expect-error: a follow-up's prompt needs its text
const badFollowUp: FollowUpBody = { prompt: {} };
// @ts-expect-error: a context is a document, not a number
validateLaunch({}, 4);
// Without a type argument a schema's output is the generated body type.
const defaultLaunch: AgentRulesSchema<LaunchBody> = launchSchema();
void typedFollowUp, badContext, badBody, badFollowUp, defaultLaunch;
