// The package's JavaScript surface, over the raw wasm exports of src/lib.rs.
//
// Two guarantees, for any argument a caller can build (getters, Proxies, iterators, `toJSON`,
// detached buffers, objects too deep for the stack, wrong types, bad numbers):
// 1. No JS code runs while a Rust frame is on the stack. Every argument is read here, inside
//    try/catch, into a string, a Uint8Array this module owns, a number or a boolean, before the
//    raw export is called; the raw exports call nothing in JS and answer bytes, which become
//    objects here after they returned. (A JS exception unwinding through Rust frames leaks the
//    wasm shadow stack and leaves borrows held: the instance used to fail for good after a few
//    thousand such calls, or 6 stack overflows.)
// 2. A wasm instance that failed anyway (a trap: out of memory, a Rust panic; or the JS stack
//    running out inside wasm) is never used again: the call throws AgentRulesError `internal`
//    and the next call runs on a fresh instance of the same compiled module. Objects made
//    before (PolicyMatrix, TableValidator, Poller) rebuild themselves from what made them; an
//    SseDecoder, whose buffered stream is gone, throws `internal` (make a new one).
import { AgentRulesError } from './errors.js';
import { RefusalKind } from './refusals.js';
import { codes } from './codes.js';
import { schemas } from './standard-schema.js';

const encoder = new TextEncoder();
// ignoreBOM: a U+FEFF that starts an answer is text (TextDecoder would drop it by default).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const { apply, getPrototypeOf } = Reflect;
const typedArray = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (proto, key) => Object.getOwnPropertyDescriptor(proto, key).get;
// The intrinsic accessors, read once: called on a value, they never run its code (a Proxy or an
// own property cannot intercept them).
const tagOf = getter(typedArray, Symbol.toStringTag);
const lengthOf = getter(typedArray, 'length');
const bufferOf = getter(typedArray, 'buffer');
const setBytes = typedArray.set;
const bufferLength = getter(ArrayBuffer.prototype, 'byteLength');
const sharedLength = typeof SharedArrayBuffer === 'function' ? getter(SharedArrayBuffer.prototype, 'byteLength') : undefined;

const argError = (message) => new AgentRulesError(message, RefusalKind.InvalidArguments);

/** What kind of binary value `v` is ('Uint8Array', another typed array's name, 'DataView',
 * 'ArrayBuffer', 'SharedArrayBuffer'), or undefined; runs none of `v`'s code. */
function binaryKind(v) {
  if (v === null || typeof v !== 'object') return undefined;
  if (ArrayBuffer.isView(v)) return apply(tagOf, v, []) ?? 'DataView';
  // What forms hold, objects and arrays of the ordinary prototypes, are told apart without the
  // brand checks below, which throw for them (an exception costs microseconds, more than a
  // whole check of a typical body). Only a Proxy's trap can throw here: a Proxy is no buffer.
  // (A buffer whose prototype was replaced by one of these is read as the object it poses as.)
  try {
    const proto = getPrototypeOf(v);
    if (proto === Object.prototype || proto === Array.prototype || proto === null) return undefined;
  } catch {
    return undefined;
  }
  try {
    apply(bufferLength, v, []);
    return 'ArrayBuffer';
  } catch {}
  if (sharedLength) {
    try {
      apply(sharedLength, v, []);
      return 'SharedArrayBuffer';
    } catch {}
  }
  return undefined;
}

/** The bytes of a genuine Uint8Array (a fresh copy unless it is a plain one), refusing a
 * detached buffer (transferred with postMessage or structuredClone). */
function uint8(v, what) {
  const n = apply(lengthOf, v, []);
  if (n === 0) {
    try {
      new Uint8Array(apply(bufferOf, v, []));
    } catch {
      throw argError(`${what} is a Uint8Array whose buffer was detached (transferred)`);
    }
  }
  if (Object.getPrototypeOf(v) === Uint8Array.prototype && !Object.hasOwn(v, 'length')) return v;
  const copy = new Uint8Array(n);
  apply(setBytes, copy, [v]);
  return copy;
}

/** Bytes: a Uint8Array, or (where `also` allows) a string's UTF-8 or an ArrayBuffer's bytes. */
function bytes(v, what, also = {}) {
  if (typeof v === 'string' && also.string) return encoder.encode(v);
  const kind = binaryKind(v);
  if (kind === 'Uint8Array') return uint8(v, what);
  if ((kind === 'ArrayBuffer' || kind === 'SharedArrayBuffer') && also.buffer) {
    try {
      return new Uint8Array(new Uint8Array(v));
    } catch {
      throw argError(`${what} is an ArrayBuffer that was detached (transferred)`);
    }
  }
  const want = ['a Uint8Array', also.buffer && 'an ArrayBuffer', also.string && 'a string'].filter(Boolean).join(' or ');
  throw argError(`${what} must be ${want}, not ${typeName(v)}`);
}

/** How to name a value's type in a message; runs none of its code. */
function typeName(v) {
  if (v === null) return 'null';
  const kind = binaryKind(v);
  if (kind) return `${/^[AEIO]/.test(kind) ? 'an' : 'a'} ${kind}`;
  try {
    if (Array.isArray(v)) return 'an array';
  } catch {
    return 'a revoked Proxy';
  }
  return typeof v === 'object' ? 'an object' : typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`;
}

/** A thrown value for a message, never throwing itself (its name or message may be getters
 * that throw): its name (an identifier, else `Error`), NUL, its message cut to 200 characters
 * (src/lib.rs quotes at most 40 of them). */
function describe(e) {
  try {
    if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
      const { name, message } = e;
      const id = typeof name === 'string' && /^[A-Za-z_$][\w$]{0,39}$/.test(name) ? name : 'Error';
      return `${id}\0${typeof message === 'string' ? message.slice(0, 200) : ''}`;
    }
    return `${typeof e}\0${String(e).slice(0, 200)}`;
  } catch {
    return 'Error\0(a value whose name or message throws)';
  }
}

/** `describe(e)` for a message written here: `name: message`. */
const said = (e) => describe(e).replace('\0', ': ');

/** A JSON argument as the raw exports take it: [its UTF-8 JSON bytes, ''], or [undefined, why]
 * (see `document` in src/lib.rs). A string is JSON text and a Uint8Array JSON bytes; other
 * binary values are refused; anything else is written by JSON.stringify, whose exceptions (a
 * BigInt, a cycle, a throwing getter, toJSON or Proxy trap, a value too deep) are caught here. */
function json(v, what) {
  if (typeof v === 'string') return [encoder.encode(v), ''];
  const kind = binaryKind(v);
  if (kind === 'Uint8Array') return [uint8(v, what), ''];
  if (kind) throw notJson(v, what);
  return jsonValue(v);
}

const notJson = (v, what) => argError(`${what} must be JSON text, JSON bytes (a Uint8Array) or a JS value, not ${typeName(v)}`);

/** A JS value as JSON.stringify writes it, as `json` answers (a string is a JSON string). */
function jsonValue(v) {
  let text;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    return [undefined, `e${describe(e)}`];
  }
  return text === undefined ? [undefined, 'u'] : [encoder.encode(text), ''];
}

/** An optional JSON argument: `undefined` and `null` are none ([undefined, '']). */
const optionalJson = (v, what) => (v === undefined || v === null ? [undefined, ''] : json(v, what));

function string(v, what) {
  if (typeof v !== 'string') throw argError(`${what} must be a string, not ${typeName(v)}`);
  return v;
}
function optionalString(v, what) {
  return v === undefined || v === null ? undefined : string(v, what);
}
function number(v, what) {
  if (typeof v !== 'number') throw argError(`${what} must be a number, not ${typeName(v)}`);
  return v;
}
function boolean(v, what) {
  if (typeof v !== 'boolean') throw argError(`${what} must be a boolean, not ${typeName(v)}`);
  return v;
}

// Three lengths per violation: path, code and message; then the params of every violation,
// one JSON array (src/lib.rs, `pack_violations`).
function unpackViolations(text, meta, m, at) {
  const violations = [];
  for (; m + 2 < meta.length; m += 3) {
    const p = at + meta[m];
    const c = p + meta[m + 1];
    const end = c + meta[m + 2];
    violations.push({ path: text.slice(at, p), code: text.slice(p, c), message: text.slice(c, end), params: undefined });
    at = end;
  }
  if (violations.length > 0) {
    const params = JSON.parse(text.slice(at));
    for (let i = 0; i < violations.length; i++) violations[i].params = params[i];
  }
  return violations;
}

// Builds the items of one SseDecoder.push: four numbers per item, [0, type, data and id
// lengths] for an event (its fields one after another in `text`) or [1, milliseconds, 0, 0]
// for a retry. Each field is a slice of `text` (V8 shares the characters of slices of 13 or
// more).
function unpackSse(text, meta) {
  const out = [];
  let at = 0;
  for (let m = 1; m + 3 < meta.length; m += 4) {
    if (meta[m] === 0) {
      const e = at + meta[m + 1];
      const d = e + meta[m + 2];
      const end = d + meta[m + 3];
      out.push({ event: text.slice(at, e), data: text.slice(e, d), id: text.slice(d, end) });
      at = end;
    } else {
      out.push({ retry: meta[m + 1] });
    }
  }
  return out;
}

/** One answer of a raw export (see `Out` in src/lib.rs) as its JS value, or thrown. */
function read(answer, meta) {
  let text = '';
  try {
    // (A clean report's answer is empty: TextDecoder's fixed cost is not paid for it.)
    if (answer.length > 0) text = decoder.decode(answer);
  } catch (e) {
    throw new AgentRulesError(`the answer (${answer.length} bytes) is too large for a JavaScript string: ${said(e)}`, RefusalKind.Internal);
  }
  switch (meta[0]) {
    case 0: {
      const violations = unpackViolations(text, meta, 1, 0);
      return { ok: violations.length === 0, violations };
    }
    case 1: {
      const c = meta[1];
      const m = c + meta[2];
      throw new AgentRulesError(text.slice(c, m), text.slice(0, c), unpackViolations(text, meta, 3, m));
    }
    case 2:
      return JSON.parse(text);
    case 3:
      return text;
    case 4:
      return unpackSse(text, meta);
    case 5:
      return meta[1];
    default:
      throw new AgentRulesError(`an answer of unknown shape ${meta[0]}`, RefusalKind.Internal);
  }
}

/** Writes `input` (a string: its UTF-8, by `encodeInto`; else a Uint8Array's bytes) into the
 * input buffer of raw instance `r` (src/lib.rs, `inputBuffer`), reused from call to call instead
 * of a fresh array each; answers the number of bytes written. Runs no caller code (the bytes are
 * copied by the intrinsic `set`). */
function write(r, input) {
  if (typeof input === 'string') {
    const n = input.length;
    // One byte per UTF-16 unit first (exact for ASCII); then room for the rest at three each.
    // (The address first: growing the buffer may grow the memory, detaching an older view.)
    let at = r.inputBuffer(n);
    const first = encoder.encodeInto(input, new Uint8Array(r.memory.buffer, at, n));
    let written = first.written;
    if (first.read < n) {
      const need = written + 3 * (n - first.read);
      at = r.inputBuffer(need);
      written += encoder.encodeInto(input.slice(first.read), new Uint8Array(r.memory.buffer, at + written, need - written)).written;
    }
    return written;
  }
  const n = apply(lengthOf, input, []);
  const at = r.inputBuffer(n);
  apply(setBytes, new Uint8Array(r.memory.buffer, at, n), [input]);
  return n;
}

/** The wasm instance in use, replaced after a failure. `create()` instantiates the compiled
 * module synchronously; where that is refused (a browser's main thread may refuse large
 * modules), `createAsync()` is started and calls fail with `internal` until it is ready. */
function engine(create, createAsync, initial) {
  let raw = initial;
  let generation = initial ? 1 : 0;
  let pending;
  const self = {
    get generation() {
      return generation;
    },
    get() {
      if (raw) return raw;
      try {
        raw = create();
      } catch (e) {
        if (createAsync && !pending) {
          pending = createAsync().then(
            (r) => {
              raw = r;
              generation += 1;
              pending = undefined;
            },
            () => {
              pending = undefined;
            },
          );
        }
        throw new AgentRulesError(`the wasm instance is being restored after a failure; try again (${said(e)})`, RefusalKind.Internal);
      }
      generation += 1;
      return raw;
    },
    /** Runs raw export `name`: its answer, or, when the instance failed, `internal`. */
    call(name, ...args) {
      return self.run((r) => r[name](...args));
    },
    /** Runs raw export `name` on `input` (JSON text or bytes) written into the instance's input
     * buffer, the length written first among the export's arguments. */
    callInput(name, input, ...args) {
      return self.run((r) => r[name](write(r, input), ...args));
    },
    /** Runs `f` on the raw instance: its answer read (see `read`). An `f` that answers `true`
     * has a clean report (`checkClean`), `false` an answer kept for `takeAnswer`. */
    run(f) {
      const r = self.get();
      let answer;
      let meta;
      try {
        answer = f(r);
        if (answer === true) return { ok: true, violations: [] };
        if (answer === false) answer = r.takeAnswer();
        meta = r.takeMeta();
      } catch (e) {
        // A trap or a stack overflow inside wasm: the instance's memory may be inconsistent.
        let memory = '';
        try {
          memory = `, wasm memory at ${Math.round(r.memory.buffer.byteLength / 1048576)} MiB`;
        } catch {}
        raw = undefined;
        throw new AgentRulesError(
          `the wasm instance failed (${said(e)}${memory}: out of memory, out of stack, or a library bug) and is replaced by a fresh one for the next call`,
          RefusalKind.Internal,
        );
      }
      return read(answer, meta);
    },
    /** Frees handle `h` of generation `g` if that instance is still the one in use. */
    free(h, g) {
      if (raw && g === generation) {
        try {
          raw.freeObject(h);
        } catch {
          raw = undefined;
        }
      }
    },
  };
  return self;
}

/** The package's API over the raw exports (`create()` makes a raw instance, `initial` is
 * the first one if made already; see engine). */
/** The test suites' hooks of each entry's API, keyed by its `check`. They are reachable only
 * through this module's path (`pkg/api.js`), which the package's `exports` map does not offer, so
 * no entry exports them. */
const TEST_HOOKS = new WeakMap();

/** The test hooks (`panic`, `hoard`, `instances`) of the entry whose `check` this is. */
export function testHooks(check) {
  return TEST_HOOKS.get(check);
}

export function makeApi(create, createAsync, initial) {
  const e = engine(create, createAsync, initial ?? create());
  const call = e.call;
  const finalizer = new FinalizationRegistry((cell) => e.free(cell.h, cell.g));

  // An object living in wasm, by handle: rebuilt by `make()` in a fresh instance when the one
  // it lived in failed, or lost (`make` undefined: an SseDecoder).
  class Held {
    constructor(make, what) {
      this.make = make;
      this.what = what;
      this.cell = { h: make(), g: e.generation };
      finalizer.register(this, this.cell, this);
    }
    handle() {
      const cell = this.cell;
      if (cell.h === undefined) throw new AgentRulesError(`this ${this.what} was freed`, RefusalKind.Internal);
      e.get();
      if (cell.g !== e.generation) {
        if (!this.remake) throw new AgentRulesError(`this ${this.what} was lost when the wasm instance was replaced after a failure; make a new one`, RefusalKind.Internal);
        cell.h = this.make();
        cell.g = e.generation;
      }
      return cell.h;
    }
    free() {
      finalizer.unregister(this);
      if (this.cell.h !== undefined) e.free(this.cell.h, this.cell.g);
      this.cell.h = undefined;
    }
  }
  const hold = (target, make, what, remake = true) => {
    const held = new Held(make, what);
    held.remake = remake;
    Object.defineProperty(target, '_held', { value: held });
  };
  const withDispose = (cls) => {
    if (typeof Symbol.dispose === 'symbol') cls.prototype[Symbol.dispose] = cls.prototype.free;
    return cls;
  };

  // Image data texts of at least STAND_IN_MIN characters are checked once: the core's stand-in
  // of each (its verdict: src/lib.rs `standIn`, core `stand_in`) is kept here, keyed by the text
  // (the STAND_IN_KEEP most recent), and a body holding them is sent with each replaced by a
  // short token (`checkStandingIn`); the core answers the original body's report, or asks for
  // the original (then sent as usual). Only after a call met a long text: until then, and
  // STAND_IN_CALLS calls after the last that did, a JS value is written by JSON.stringify alone.
  const STAND_IN_MIN = 65536;
  const STAND_IN_KEEP = 8;
  const STAND_IN_CALLS = 64;
  const standIns = new Map();
  let standInCalls = 0;
  let standInAnswers = 0;
  let prefix;
  const NONE = Symbol('no stand-in');

  /** The stand-in of data text `text` (kept, or made by the core now), or NONE. */
  function standInOf(text) {
    let s = standIns.get(text);
    if (s === undefined) {
      s = e.callInput('standIn', JSON.stringify(text));
      if (standIns.size >= STAND_IN_KEEP) standIns.delete(standIns.keys().next().value);
    } else {
      standIns.delete(text);
    }
    standIns.set(text, s);
    return s === '' ? NONE : s;
  }

  /** Whether this entry has stand-ins (the launch and table entries are built without: their
   * prefix is ''; Cargo.toml's feature `speed`). */
  function standsIn() {
    prefix ??= call('standInPrefix');
    return prefix !== '';
  }

  // This build's kinds by their index in `kinds()`, for `checkClean` (read once).
  let kindIndex;

  /** `checkInput` of `input` (JSON text or bytes) as `kind` with `ctx` (as optionalJson
   * answers it). Without a context, through `checkClean`: a clean report costs one call into
   * the wasm, the kind crossing as a number. */
  function checkInput(input, kind, ctx) {
    if (ctx[0] === undefined && ctx[1] === '') {
      kindIndex ??= new Map(call('kinds').map((k, i) => [k, i]));
      const i = kindIndex.get(kind);
      if (i !== undefined) return e.run((r) => r.checkClean(write(r, input), i));
    }
    return e.callInput('checkInput', input, kind, ...ctx);
  }

  /** `check` of a JS value through stand-ins: the report, or undefined when the value must be
   * sent whole (no stand-in, or the core asks for the original). */
  function checkStandingIn(kind, v, ctx) {
    const found = [];
    let text;
    try {
      text = JSON.stringify(v, function (key, value) {
        if (key !== 'data' || typeof value !== 'string' || value.length < STAND_IN_MIN) return value;
        const s = standInOf(value);
        if (s === NONE) throw NONE;
        found.push(s);
        return `${prefix}${found.length - 1}`;
      });
    } catch {
      return undefined;
    }
    if (found.length === 0) {
      // Nothing stood in for: the text is JSON.stringify's own.
      standInCalls -= 1;
      return text === undefined ? undefined : checkInput(text, kind, ctx);
    }
    standInCalls = STAND_IN_CALLS;
    const r = e.callInput('checkStandingIn', text, kind, found.join('\n'), ...ctx);
    if (typeof r === 'string') return undefined;
    standInAnswers += 1;
    return r;
  }

  /** `check` of input `input` (JSON text, JSON bytes or a JS value; `asValue`: always a JS
   * value, a string included) with `ctx` (as optionalJson answers it). */
  function checkDocument(kind, input, ctx, asValue) {
    if (!asValue) {
      if (typeof input === 'string') return checkInput(input, kind, ctx);
      const binary = binaryKind(input);
      if (binary === 'Uint8Array') return checkInput(uint8(input, 'the input'), kind, ctx);
      if (binary) throw notJson(input, 'the input');
    }
    if (standInCalls > 0 && input !== null && typeof input === 'object') {
      const r = checkStandingIn(kind, input, ctx);
      if (r !== undefined) return r;
    }
    let text;
    try {
      text = JSON.stringify(input);
    } catch (err) {
      return call('check', kind, undefined, `e${describe(err)}`, ...ctx);
    }
    if (text === undefined) return call('check', kind, undefined, 'u', ...ctx);
    if (text.length >= STAND_IN_MIN && input !== null && typeof input === 'object' && standsIn()) {
      // A long body: its long data texts, if any, are checked now and stood in for from now on
      // (the value is written a second time, through the stand-ins).
      standInCalls = STAND_IN_CALLS;
      const r = checkStandingIn(kind, input, ctx);
      if (r !== undefined) return r;
    }
    return checkInput(text, kind, ctx);
  }

  const api = {
    check(kind, input, context) {
      const k = string(kind, 'kind');
      return checkDocument(k, input, optionalJson(context, 'the context'), false);
    },
    validateLaunch(input, context) {
      return checkDocument('launch', input, optionalJson(context, 'the context'), false);
    },
    validateFollowUp(input, context) {
      return checkDocument('followup', input, optionalJson(context, 'the context'), false);
    },
    assertValidLaunch(input, context) {
      call('assertValidLaunch', ...json(input, 'the input'), ...optionalJson(context, 'the context'));
    },
    checkImage(mediaType, head, byteLength, context) {
      return call('checkImage', string(mediaType, 'mediaType'), bytes(head, 'head'), number(byteLength, 'byteLength'), ...optionalJson(context, 'the context'));
    },
    codes,
    kinds: () => call('kinds'),
    refusalKinds: () => call('refusalKinds'),
    isTerminal: (status) => call('isTerminal', string(status, 'status')),
    canTransition: (from, to, via) => call('canTransition', string(from, 'from'), string(to, 'to'), optionalString(via, 'via')),
    applyAction: (status, action) => call('applyAction', string(status, 'status'), string(action, 'action')),
    renderListQuery: (query, context) => call('renderListQuery', ...json(query, 'the query'), ...optionalJson(context, 'the context')),
    parseErrorEnvelope: (body) => call('parseErrorEnvelope', ...json(body, 'the body')),
    retryAfterMs(value, nowUnixSeconds) {
      const ms = call('retryAfterMs', string(value, 'value'), number(nowUnixSeconds, 'nowUnixSeconds'));
      return ms === '' ? undefined : Number(ms);
    },
    replayJson: (log) => call('replayJson', ...json(log, 'the log')),
  };
  TEST_HOOKS.set(api.check, {
    /** A Rust panic inside the wasm (the instance is replaced). */
    panic: () => call('internalPanicForTests'),
    /** Keeps `mib` MiB allocated inside the wasm (the out-of-memory test). */
    hoard: (mib) => call('internalHoardForTests', number(mib, 'mib')),
    /** How many wasm instances this entry has made (1 until one failed). */
    instances: () => e.generation,
    /** How many stand-ins are kept, and how many checks the core answered through them. */
    standIns: () => ({ kept: standIns.size, answered: standInAnswers }),
  });

  Object.assign(api, schemas((kind, v, ctx) => checkDocument(kind, v, ctx, true), optionalJson, string));

  api.Poller = withDispose(class Poller {
    /** A poller for a launched agent, or, given `followUpFrom`, for one that just accepted a
     * follow-up in that terminal status. */
    constructor(followUpFrom) {
      const from = optionalString(followUpFrom, 'followUpFrom');
      this.history = [];
      // Rebuilt in a fresh instance by replaying what it observed.
      hold(this, () => {
        const h = call('pollerNew', from);
        for (const [s, ms] of this.history) call('pollerObserve', h, s, ms);
        return h;
      }, 'Poller');
    }
    observe(status, elapsedMs) {
      const s = string(status, 'status');
      const ms = elapsedMs === undefined || elapsedMs === null ? 0 : number(elapsedMs, 'elapsedMs');
      const step = call('pollerObserve', this._held.handle(), s, ms);
      this.history.push([s, ms]);
      return step;
    }
    free() {
      this._held.free();
    }
  });

  api.PolicyMatrix = withDispose(class PolicyMatrix {
    /** Parses a matrix (JSON text, bytes or an object); `invalid_matrix` when invalid. */
    constructor(matrix) {
      const arg = json(matrix, 'the matrix');
      hold(this, () => call('matrixNew', ...arg), 'PolicyMatrix');
    }
    /** P2: allow, needs_approval, queued or deny with its reason. `callsMade` must be a
     * non-negative integer (at most 2^53) and `online` a boolean. */
    decide(tool, role, callsMade, online) {
      const args = [string(tool, 'tool'), string(role, 'role'), number(callsMade, 'callsMade'), boolean(online, 'online')];
      return call('matrixDecide', this._held.handle(), ...args);
    }
    free() {
      this._held.free();
    }
  });

  api.SseDecoder = withDispose(class SseDecoder {
    /** A decoder; `maxLineBytes` (an integer from 1 to 256 MiB) bounds one line (default 1 MiB). */
    constructor(maxLineBytes) {
      const max = maxLineBytes === undefined || maxLineBytes === null ? undefined : number(maxLineBytes, 'maxLineBytes');
      hold(this, () => call('sseNew', max), 'SseDecoder', false);
    }
    /** Decodes a chunk (a Uint8Array); `invalid_stream` past a line or event limit. */
    push(chunk) {
      const b = bytes(chunk, 'chunk');
      return call('ssePush', this._held.handle(), b);
    }
    finish() {
      call('sseFinish', this._held.handle());
    }
    get lastEventId() {
      return call('sseState', this._held.handle()).lastEventId;
    }
    get retry() {
      return call('sseState', this._held.handle()).retry ?? undefined;
    }
    free() {
      this._held.free();
    }
  });

  return { api, call, hold, withDispose, json, optionalJson, string, number, bytes, describe, engine: e };
}

/** The table entry's additions (TableValidator, evaluate, errorEnvelope, NOME rules) over `makeApi`'s. */
export function makeTableApi(create, createAsync, initial) {
  const base = makeApi(create, createAsync, initial);
  const { api, call, hold, withDispose, json, optionalJson, string, number, bytes } = base;

  api.evaluate = (op, args) => call('evaluate', string(op, 'op'), ...json(args, 'the arguments'));
  api.errorEnvelope = (report) => call('errorEnvelope', ...json(report, 'the report')) ?? undefined;

  api.TableValidator = withDispose(class TableValidator {
    /** Compiles a table schema (JSON text, bytes or an object); `invalid_schema` when invalid. */
    constructor(schema, options) {
      const arg = json(schema, 'the schema');
      const opt = optionalJson(options, 'the options');
      hold(this, () => call('tableNew', ...arg, ...opt), 'TableValidator');
    }
    validateElements(elements) {
      const arg = json(elements, 'elements');
      return call('tableValidateElements', this._held.handle(), ...arg);
    }
    validateValue(value) {
      const arg = json(value, 'the value');
      return call('tableValidateValue', this._held.handle(), ...arg);
    }
    free() {
      this._held.free();
    }
  });

  api.verifyWebhook = (provider, headers, body, secret, nowUnixSeconds) => {
    const p = string(provider, 'provider');
    const [joined, lengths] = headerList(headers, call);
    const b = bytes(body, 'body', { string: true, buffer: true });
    const s = bytes(secret, 'secret', { string: true, buffer: true });
    return call('verifyWebhook', p, joined, lengths, b, s, number(nowUnixSeconds, 'nowUnixSeconds'));
  };
  api.verifyGoogleWebhook = (headers, keys, expect, nowUnixSeconds) => {
    const [joined, lengths] = headerList(headers, call);
    // A string is the JWKS document's text, handed over as a JSON string (the core reads it).
    const k = typeof keys === 'string' ? jsonValue(keys) : optionalJson(keys, 'keys');
    return call('verifyGoogleWebhook', joined, lengths, ...k, ...json(expect, 'the expectations'), number(nowUnixSeconds, 'nowUnixSeconds'));
  };
  api.applyConnectorEvent = (install, event, policy) =>
    call('applyConnectorEvent', ...json(install, 'the install'), ...json(event, 'the event'), ...optionalJson(policy, 'the policy'));
  api.connectorSummary = (install) => call('connectorSummary', ...json(install, 'the install'));
  api.sweepConnectors = (installs, nowUnixSeconds, policy) =>
    call('sweepConnectors', ...json(installs, 'the installs'), number(nowUnixSeconds, 'nowUnixSeconds'), ...optionalJson(policy, 'the policy'));
  return base;
}

/** The most header pairs verifyWebhook reads (an endless iterator must not hang it). */
const MAX_HEADERS = 10000;

/** Header pairs from a fetch `Headers`, an iterable of [name, value] pairs or an object of
 * strings, as [every name and value back to back, their UTF-16 lengths]. Whatever reading them
 * throws (a getter, a Proxy trap, an iterator) is an `invalid_arguments` refusal. */
function headerList(headers, call) {
  const shape = 'headers must be a Headers, [name, value] pairs or an object of strings';
  if (headers === null || (typeof headers !== 'object' && typeof headers !== 'function')) throw argError(`${shape}, not ${typeName(headers)}`);
  const parts = [];
  const add = (name, value) => {
    if (typeof name !== 'string' || typeof value !== 'string') throw argError(`${shape}: a name or value is not a string`);
    if (parts.length >= 2 * MAX_HEADERS) throw argError(`${shape}: more than ${MAX_HEADERS} headers`);
    parts.push(name, value);
  };
  try {
    if (headers[Symbol.iterator] != null) {
      for (const pair of headers) {
        if (!Array.isArray(pair) || pair.length !== 2) throw argError(`${shape}: a pair is not a [name, value] array`);
        add(pair[0], pair[1]);
      }
    } else {
      for (const name of Object.keys(headers)) add(name, headers[name]);
    }
  } catch (e) {
    if (e instanceof AgentRulesError) throw e;
    call('unreadableArgument', 'headers', describe(e));
  }
  return [parts.join(''), Uint32Array.from(parts, (p) => p.length)];
}

/** The launch entry's API (`agentrules/launch`): `makeApi`'s, less what its wasm lacks (built
 * without the crate's `form` feature: no list queries, envelopes, Retry-After, run logs, policy
 * matrices or SSE). */
export function makeLaunchApi(create, createAsync, initial) {
  const base = makeApi(create, createAsync, initial);
  base.api = Object.fromEntries(LAUNCH_EXPORTS.map((name) => [name, base.api[name]]));
  return base;
}

/** The names each entry exports (scripts/entries.mjs writes the entry modules from them and
 * checks them against the API objects above). */
export const FORM_EXPORTS = [
  'check', 'validateLaunch', 'validateFollowUp', 'assertValidLaunch', 'checkImage', 'codes', 'kinds', 'refusalKinds',
  'isTerminal', 'canTransition', 'applyAction', 'renderListQuery', 'parseErrorEnvelope', 'retryAfterMs', 'replayJson',
  'Poller', 'launchSchema', 'followUpSchema', 'schemaFor',
  'PolicyMatrix', 'SseDecoder',
];
export const LAUNCH_EXPORTS = [
  'check', 'validateLaunch', 'validateFollowUp', 'assertValidLaunch', 'checkImage', 'codes', 'kinds', 'refusalKinds',
  'isTerminal', 'canTransition', 'applyAction', 'Poller', 'launchSchema', 'followUpSchema', 'schemaFor',
];
export const TABLE_EXPORTS = [
  ...FORM_EXPORTS, 'evaluate', 'errorEnvelope', 'TableValidator', 'verifyWebhook', 'verifyGoogleWebhook', 'applyConnectorEvent', 'connectorSummary', 'sweepConnectors',
];
