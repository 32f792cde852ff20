// The NOME rules of docs/rules.md through the table entry's typed API: webhook verification with
// the providers' published vectors, and the connector lifecycle. (The corpus runs them too, through
// `check` and `evaluate`, in conformance.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as ar from '../pkg/table-node.js';

const GH = {
  secret: "It's a Secret to Everybody",
  body: 'Hello, World!',
  sig: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};
const SLACK = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  ts: 1531420618,
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  sig: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const bytes = (s) => new TextEncoder().encode(s);

test("GitHub's documented vector verifies from fetch Headers and raw bytes", () => {
  const headers = new Headers({ 'X-Hub-Signature-256': GH.sig, 'Content-Type': 'application/json' });
  assert.deepEqual(ar.verifyWebhook('github', headers, bytes(GH.body), GH.secret, 0), { verified: true, message: 'verified' });
  const tampered = ar.verifyWebhook('github', headers, bytes('Hello, World?'), GH.secret, 0);
  assert.equal(tampered.verified, false);
  assert.equal(tampered.reason, 'signature_mismatch');
  assert.equal(tampered.header, 'X-Hub-Signature-256');
  assert.ok(!tampered.message.includes(GH.secret));
  assert.equal(ar.verifyWebhook('github', headers, GH.body, 'wrong', 0).reason, 'signature_mismatch');
});

test("Slack's documented vector verifies; stale, future and malformed are rejected", () => {
  const h = { 'X-Slack-Request-Timestamp': String(SLACK.ts), 'X-Slack-Signature': SLACK.sig };
  assert.equal(ar.verifyWebhook('slack', h, SLACK.body, SLACK.secret, SLACK.ts + 300).verified, true);
  assert.equal(ar.verifyWebhook('slack', h, SLACK.body, SLACK.secret, SLACK.ts + 301).reason, 'stale_timestamp');
  assert.equal(ar.verifyWebhook('slack', h, SLACK.body, SLACK.secret, SLACK.ts - 301).reason, 'future_timestamp');
  assert.equal(ar.verifyWebhook('slack', h, SLACK.body + ' ', SLACK.secret, SLACK.ts).reason, 'signature_mismatch');
  const pairs = [['X-Slack-Request-Timestamp', 'soon'], ['X-Slack-Signature', SLACK.sig]];
  assert.equal(ar.verifyWebhook('slack', pairs, SLACK.body, SLACK.secret, SLACK.ts).reason, 'malformed_header');
  assert.equal(ar.verifyWebhook('slack', {}, SLACK.body, SLACK.secret, SLACK.ts).reason, 'missing_header');
  assert.equal(ar.verifyWebhook('slack', h, SLACK.body, bytes(SLACK.secret), SLACK.ts).verified, true);
});

test('verifyWebhook refuses wrong argument types with AgentRulesError', () => {
  assert.throws(() => ar.verifyWebhook('gitlab', {}, '', 's', 0), (e) => e instanceof ar.AgentRulesError && e.code === 'invalid_arguments');
  assert.throws(() => ar.verifyWebhook('github', 42, '', 's', 0), (e) => e.code === 'invalid_arguments');
  assert.throws(() => ar.verifyWebhook('github', {}, 42, 's', 0), (e) => e.code === 'invalid_arguments');
  assert.throws(() => ar.verifyWebhook('github', [['only-a-name']], '', 's', 0), (e) => e.code === 'invalid_arguments');
});

test('connector lifecycle: degrade, fail, refuse, recover, sweep', () => {
  let i = { id: 'in_1', connector: 'slack', status: 'active', consecutiveFailures: 0, updatedAt: 100 };
  for (const at of [200, 300, 400]) {
    i = ar.applyConnectorEvent(i, { type: 'health', ok: false, at, reason: 'invalid_auth' });
  }
  assert.equal(i.status, 'failed');
  assert.equal(i.consecutiveFailures, 3);
  assert.equal(i.failingSince, 200);
  const s = ar.connectorSummary(i);
  assert.equal(s.nextStep, 'reauthorize');
  assert.match(s.message, /failed after 3 failures in a row/);
  assert.throws(
    () => ar.applyConnectorEvent(i, { type: 'health', ok: true, at: 500 }),
    (e) => e instanceof ar.AgentRulesError && e.code === 'invalid_state' && e.violations[0].code === 'invalid_transition',
  );
  assert.throws(
    () => ar.applyConnectorEvent(i, { type: 'refresh', ok: true, at: 10 }),
    (e) => e.violations[0].code === 'out_of_order',
  );
  assert.throws(() => ar.applyConnectorEvent({ id: 'x' }, { type: 'uninstall', at: 1 }), (e) => e.code === 'bad_request');
  i = ar.applyConnectorEvent(i, { type: 'refresh', ok: true, at: 500 });
  assert.equal(i.status, 'pending');
  const degraded = ar.applyConnectorEvent(
    { id: 'in_2', connector: 'github', status: 'active', updatedAt: 0 },
    { type: 'health', ok: false, at: 100 },
    { failureThreshold: 5 },
  );
  assert.deepEqual(ar.sweepConnectors([i, degraded], 400), ['in_2']);
  assert.deepEqual(ar.sweepConnectors([i, degraded], 399), []);
  assert.deepEqual(ar.sweepConnectors([degraded], 110, { sweepAfter: 10 }), ['in_2']);
});

test('thread, marketplace and Git import kinds are in the form entry too', async () => {
  const form = await import('../pkg/node.js');
  assert.equal(form.check('thread-rename', { title: 'a\nb' }).violations[0].code, 'control_character');
  assert.equal(form.check('git-import', { url: 'https://user:tok@github.com/a/b' }).violations[0].code, 'credentials_in_url');
  const ctx = { marketplace: { deny: ['acme/*'] } };
  assert.equal(form.check('marketplace-install', { packageId: 'acme/x' }, ctx).violations[0].code, 'package_denied');
  assert.equal(form.verifyWebhook, undefined, 'the form entry stays small: webhooks are in agentrules/table');
  assert.equal(form.verifyGoogleWebhook, undefined, 'RSA stays out of the form entry');
});

// W5: every Google Workspace case of the corpus through the typed function (the corpus runs them
// through `evaluate` too, in conformance.test.mjs).
import { readFileSync } from 'node:fs';
const W5 = JSON.parse(readFileSync(new URL('../../tests/conformance/google_workspace_ops.json', import.meta.url), 'utf8'));
const star = (want, got) =>
  want === '*' ? typeof got === 'string' && got !== '' : JSON.stringify(want) === JSON.stringify(got);
const same = (want, got) =>
  Object.keys(want).length === Object.keys(got).length && Object.keys(want).every((k) => star(want[k], got[k]));

test('W5: every Google Workspace case through verifyGoogleWebhook', () => {
  assert.ok(W5.length >= 60);
  for (const c of W5) {
    const a = c.args;
    const got = ar.verifyGoogleWebhook(a.headers, a.keys, a.expect, a.now);
    assert.ok(same(c.expect, got), `${c.name}: ${JSON.stringify(got)}`);
  }
});

test('W5: keys as text or object, channel tokens from fetch Headers, wrong argument types refused', () => {
  const c = W5.find((x) => x.expect.verified && x.args.expect.audience);
  const a = c.args;
  assert.equal(ar.verifyGoogleWebhook(a.headers, JSON.stringify(a.keys), a.expect, a.now).verified, true);
  assert.equal(ar.verifyGoogleWebhook(a.headers, '{', a.expect, a.now).reason, 'invalid_keys');
  assert.equal(ar.verifyGoogleWebhook(a.headers, null, a.expect, a.now).reason, 'invalid_keys');
  const h = new Headers({ 'X-Goog-Channel-Token': 'tok', 'X-Goog-Resource-State': 'sync' });
  assert.deepEqual(ar.verifyGoogleWebhook(h, undefined, { channelToken: 'tok' }, 0), { verified: true, message: 'verified' });
  assert.equal(ar.verifyGoogleWebhook(h, undefined, { channelToken: 'tok2' }, 0).reason, 'channel_token_mismatch');
  assert.throws(() => ar.verifyGoogleWebhook(h, null, { channel_token: 'tok' }, 0), (e) => e instanceof ar.AgentRulesError && e.code === 'invalid_arguments');
  assert.throws(() => ar.verifyGoogleWebhook(h, null, { channelToken: 'tok' }, 'now'), (e) => e.code === 'invalid_arguments');
  assert.throws(() => ar.verifyGoogleWebhook(42, null, { channelToken: 'tok' }, 0), (e) => e.code === 'invalid_arguments');
});
