// The AgentRulesError codes the package documents: the refusal kinds of the core, generated into
// refusals.d.ts (the RefusalKindName union, one `  | 'kind'` line each) and refusals.js
// (RefusalKind) from schemas/refusals.json.
import { readFileSync } from 'node:fs';

const dts = readFileSync(new URL('../pkg/refusals.d.ts', import.meta.url), 'utf8');
const union = dts.slice(dts.indexOf('export type RefusalKindName'), dts.indexOf('export declare const RefusalKind'));
export const documentedCodes = [...union.matchAll(/^\s*\|\s*'([a-z_]+)'/gm)].map((m) => m[1]);
if (documentedCodes.length < 5) throw new Error(`no RefusalKindName union in refusals.d.ts: ${documentedCodes}`);
