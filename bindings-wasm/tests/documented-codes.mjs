// The AgentRulesError codes the package documents: the refusal kinds of the core, generated into
// refusals.d.ts (the RefusalKindName union) and refusals.js (RefusalKind) from schemas/refusals.json.
import { readFileSync } from 'node:fs';

const dts = readFileSync(new URL('../pkg/refusals.d.ts', import.meta.url), 'utf8');
const union = dts.slice(dts.indexOf('export type RefusalKindName'), dts.indexOf(';', dts.indexOf('export type RefusalKindName')));
export const documentedCodes = [...union.matchAll(/\|\s*'([a-z_]+)'/g)].map((m) => m[1]);
if (documentedCodes.length < 5) throw new Error(`no RefusalKindName union in refusals.d.ts: ${documentedCodes}`);
