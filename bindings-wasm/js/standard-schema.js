// Standard Schema v1 (https://standardschema.dev) objects over the core's `check`, for form
// libraries (react-hook-form's standardSchemaResolver, TanStack Form, tRPC, …). No rule here:
// an issue is a violation of the core's report, its message, code and params as the core wrote
// them; only its JSON Pointer becomes path segments.
import { AgentRulesError } from './errors.js';
import { RefusalKind } from './refusals.js';
import { launch, followup } from './json-schemas.js';

const INDEX = /^(?:0|[1-9][0-9]*)$/;

/** The segments of RFC 6901 pointer `pointer` (`~1` is `/`, `~0` is `~`), a number where the
 * value validated holds an array at that step (read as JSON.stringify reads it: through
 * `toJSON`), else a string: `/items/0` names index 0 of an array but key "0" of an object. Where
 * reading the value throws, the rest of the segments stay strings. */
export function segments(pointer, value) {
  if (pointer === '') return [];
  let at = value;
  let readable = true;
  let key = '';
  return pointer.slice(1).split('/').map((raw) => {
    const parent = key;
    key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!readable) return key;
    try {
      if (at !== null && typeof at === 'object' && typeof at.toJSON === 'function') at = at.toJSON(parent);
      const index = Array.isArray(at) && INDEX.test(key);
      at = at == null ? undefined : at[key];
      return index ? Number(key) : key;
    } catch {
      readable = false;
      return key;
    }
  });
}

/** draft-07's form of one of our draft 2020-12 schemas: `$defs` are `definitions` (names in
 * `properties` and `$defs` are left as they are; `enum` values are data). */
function draft07(s, data = false) {
  if (data || s === null || typeof s !== 'object') return s;
  if (Array.isArray(s)) return s.map((x) => draft07(x));
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$schema') out[k] = 'http://json-schema.org/draft-07/schema#';
    else if (k === '$ref') out[k] = v.replace(/^#\/\$defs\//, '#/definitions/');
    else if (k === '$defs' || k === 'properties') out[k === '$defs' ? 'definitions' : k] = Object.fromEntries(Object.entries(v).map(([n, x]) => [n, draft07(x)]));
    else out[k] = draft07(v, k === 'enum' || k === 'const' || k === 'required');
  }
  return out;
}

/** `~standard.jsonSchema` (Standard JSON Schema v1) of a generated schema's JSON text: a fresh
 * object each call; input and output are the same (validate answers the value it was given). */
function converter(kind, text) {
  const convert = (options) => {
    const target = options?.target;
    if (target === 'draft-2020-12') return JSON.parse(text);
    if (target === 'draft-07') return draft07(JSON.parse(text));
    throw new AgentRulesError(`the ${kind} JSON Schema is written for the targets draft-2020-12 and draft-07, not ${String(target)}`, RefusalKind.InvalidArguments);
  };
  return Object.freeze({ input: convert, output: convert });
}

/** `launchSchema`, `followUpSchema` and `schemaFor` over makeApi's `checkValue(kind, v, ctx)`,
 * which checks `v` as a JS value (always JSON.stringify: a string is a JSON string here, not
 * JSON text). The context is written once, when the schema is made; the kind and the context are
 * checked then (`unknown_kind`, `invalid_context`). */
export function schemas(checkValue, optionalJson, string) {
  const jsonSchemas = { launch, followup };
  const schemaFor = (kind, context) => {
    const k = string(kind, 'kind');
    const ctx = optionalJson(context, 'the context');
    checkValue(k, null, ctx);
    const props = {
      version: 1,
      vendor: 'agentrules',
      validate(v) {
        const report = checkValue(k, v, ctx);
        if (report.ok) return { value: v };
        return { issues: report.violations.map((x) => ({ message: x.message, path: segments(x.path, v), code: x.code, params: x.params })) };
      },
    };
    if (Object.hasOwn(jsonSchemas, k)) props.jsonSchema = converter(k, jsonSchemas[k]);
    return Object.freeze({ '~standard': Object.freeze(props) });
  };
  return {
    schemaFor,
    launchSchema: (context) => schemaFor('launch', context),
    followUpSchema: (context) => schemaFor('followup', context),
  };
}
