// Structured random JS values (seeded) into every entry point of both entries: nested objects
// and arrays, strings with lone surrogates, NaN, ±Infinity, -0, 2**53 and beyond, typed
// arrays (detached ones too), getters, Proxies, toJSON, symbols, BigInts, functions. Every call
// returns or throws an AgentRulesError with a documented code other than `internal`, and the
// wasm instance is never replaced (no call failed it). AGENTRULES_RANDOM_SEED replays a seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as form from '../pkg/node.js';
import { rng, seedOr } from './random.mjs';
import * as table from '../pkg/table-node.js';
import { documentedCodes } from './documented-codes.mjs';
import { testHooks } from '../pkg/api.js';

const CALLS = 20000;
const seed = seedOr(0x5eed15);

function generator(random) {
  const int = (n) => Math.floor(random() * n);
  const pick = (xs) => xs[int(xs.length)];
  const numbers = [0, -0, 1, -1, 2, 1.5, 1.9, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53, 2 ** 53 + 2, 1e308, 5e-324, -1e-7, 16, 1024];
  const pieces = ['a', 'é', '😀', '\ud800', '\udfff', '\u0000', '"', '\\', '\n', '{', '}', '[', ':', ',', ' ', 'x', 'prompt', 'text', 'launch', 'running', 'image/png', 'github', 'data: x\n\n', '{"prompt":{"text":"x"}}', 'true', '1e999', 'sk-'];
  const keys = ['prompt', 'text', 'images', 'workflowId', 'fileIds', 'tools', 'maxCalls', 'roles', 'type', 'properties', 'key', 'value', 'limits', 'maxDocumentBytes', 'status', 'limit', 'id', 'connector', 'a', '__proto__', 'toJSON', ''];
  const string = () => Array.from({ length: int(6) }, () => pick(pieces)).join('');
  const bytes = () => Uint8Array.from({ length: int(24) }, () => int(256));
  function value(depth) {
    const leaf = depth <= 0;
    switch (int(leaf ? 8 : 22)) {
      case 0: return undefined;
      case 1: return null;
      case 2: return random() < 0.5;
      case 3: case 4: return pick(numbers);
      case 5: case 6: return string();
      case 7: return random() < 0.5 ? BigInt(int(1000)) - 500n : Symbol(string());
      case 8: case 9: case 10: {
        const o = {};
        // Own data properties (an assignment to `__proto__` would set the prototype instead).
        for (let i = int(5); i > 0; i--) Object.defineProperty(o, pick(keys), { value: value(depth - 1), enumerable: true, writable: true, configurable: true });
        return o;
      }
      case 11: case 12: return Array.from({ length: int(5) }, () => value(depth - 1));
      case 13: return pick([() => bytes(), () => new TextEncoder().encode(JSON.stringify({ prompt: { text: string() } })), () => new Uint16Array(int(8)), () => new Float64Array(2), () => new ArrayBuffer(int(8)), () => new DataView(new ArrayBuffer(4)), () => {
        const u = bytes();
        structuredClone(u.buffer, { transfer: [u.buffer] });
        return u;
      }])();
      case 14: {
        const inner = value(depth - 1);
        const o = {};
        Object.defineProperty(o, pick(keys), { enumerable: true, get() { if (random() < 0.5) throw new Error(string()); return inner; } });
        return o;
      }
      case 15: {
        const target = random() < 0.3 ? bytes() : random() < 0.5 ? [] : {};
        const trap = pick(['get', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'has']);
        return new Proxy(target, { [trap]() { throw new RangeError(string()); } });
      }
      case 16: {
        const inner = value(depth - 1);
        return { toJSON() { if (random() < 0.5) throw new TypeError(string()); return inner; } };
      }
      case 17: return pick([() => () => 1, () => new Date(int(2e12)), () => new Map([[1, 2]]), () => new Set([1]), () => /x/g, () => new Error(string())])();
      case 18: {
        let d = value(0);
        for (let i = int(400); i > 0; i--) d = random() < 0.5 ? [d] : { d };
        return d;
      }
      case 19: {
        const o = { a: value(depth - 1) };
        if (random() < 0.5) o.self = o;
        return o;
      }
      case 20: return { prompt: { text: string(), images: random() < 0.5 ? [] : [{ data: string(), media_type: 'image/png' }] }, fileIds: random() < 0.5 ? undefined : [string()] };
      default: return { [Symbol.iterator]: function* () { yield [string(), string()]; if (random() < 0.5) throw new Error('iterator'); yield value(depth - 1); } };
    }
  }
  return { value: () => value(3), pick, int, random };
}

function entryPoints(mod) {
  const ctor = (C, ...a) => {
    const o = new C(...a);
    o.free();
  };
  const e = [
    ['check', (g) => mod.check(g.random() < 0.7 ? g.pick(mod.kinds()) : g.value(), g.value(), g.value())],
    ['validateLaunch', (g) => mod.validateLaunch(g.value(), g.random() < 0.5 ? undefined : g.value())],
    ['validateFollowUp', (g) => mod.validateFollowUp(g.value(), g.value())],
    ['assertValidLaunch', (g) => mod.assertValidLaunch(g.value(), g.value())],
    ['checkImage', (g) => mod.checkImage(g.value(), g.value(), g.value(), g.value())],
    ['isTerminal', (g) => mod.isTerminal(g.value())],
    ['canTransition', (g) => mod.canTransition(g.value(), g.value(), g.value())],
    ['applyAction', (g) => mod.applyAction(g.value(), g.value())],
    ['renderListQuery', (g) => mod.renderListQuery(g.value(), g.value())],
    ['parseErrorEnvelope', (g) => mod.parseErrorEnvelope(g.value())],
    ['retryAfterMs', (g) => mod.retryAfterMs(g.value(), g.value())],
    ['replayJson', (g) => mod.replayJson(g.value())],
    ['Poller', (g) => new mod.Poller(g.value()).observe(g.value(), g.value())],
    ['PolicyMatrix', (g) => ctor(mod.PolicyMatrix, g.value())],
    ['PolicyMatrix.decide', (g) => new mod.PolicyMatrix({ tools: { t: { maxCalls: 2, approval: 'none', offline: 'allow', roles: ['member'] } } }).decide(g.value(), g.value(), g.value(), g.value())],
    ['SseDecoder', (g) => {
      const d = new mod.SseDecoder(g.random() < 0.5 ? undefined : g.value());
      d.push(g.value());
      return [d.lastEventId, d.retry];
    }],
  ];
  if (mod.TableValidator) {
    const t = new mod.TableValidator({ type: 'object', properties: { issue: { type: 'string' } } });
    e.push(
      ['evaluate', (g) => mod.evaluate(g.value(), g.value())],
      ['TableValidator', (g) => ctor(mod.TableValidator, g.value(), g.random() < 0.5 ? undefined : g.value())],
      ['TableValidator.validateValue', (g) => t.validateValue(g.value())],
      ['TableValidator.validateElements', (g) => t.validateElements(g.random() < 0.5 ? g.value() : [{ key: g.value(), value: g.value() }])],
      ['verifyWebhook', (g) => mod.verifyWebhook(g.value(), g.value(), g.value(), g.value(), g.value())],
      ['applyConnectorEvent', (g) => mod.applyConnectorEvent(g.value(), g.value(), g.value())],
      ['connectorSummary', (g) => mod.connectorSummary(g.value())],
      ['sweepConnectors', (g) => mod.sweepConnectors(g.value(), g.value(), g.value())],
    );
  }
  return e;
}

for (const [name, mod] of [['form', form], ['table', table]]) {
  test(`random JS values into every entry point of the ${name} entry (seed ${seed})`, () => {
    const g = generator(rng(seed));
    const before = testHooks(mod.check).instances();
    const points = entryPoints(mod);
    const seen = {};
    for (let i = 0; i < CALLS; i++) {
      const [point, call] = points[i % points.length];
      let outcome = 'returned';
      try {
        call(g);
      } catch (e) {
        assert.ok(e instanceof mod.AgentRulesError, `${point} (call ${i}, seed ${seed}): threw ${e?.name}: ${e?.message}`);
        assert.ok(documentedCodes.includes(e.code) && e.code !== 'internal', `${point} (call ${i}): code ${e.code}: ${e.message}`);
        outcome = e.code;
      }
      seen[`${point}: ${outcome}`] = (seen[`${point}: ${outcome}`] ?? 0) + 1;
    }
    console.log(`random values, ${name} entry: ${CALLS} calls over ${points.length} entry points, ${Object.keys(seen).length} distinct outcomes`);
    assert.equal(testHooks(mod.check).instances(), before, 'no call may fail the wasm instance');
    // Every entry point was reached and some calls returned: the generator is not all rejects.
    for (const [point] of points) assert.ok(Object.keys(seen).some((k) => k.startsWith(`${point}: `)), point);
    assert.ok(Object.keys(seen).filter((k) => k.endsWith(': returned')).length >= points.length / 3, JSON.stringify(seen));
    assert.equal(mod.validateLaunch({ prompt: { text: 'still fine' } }).ok, true);
  });
}
