// The AgentRulesError codes the package documents (js/errors.d.ts's AgentRulesErrorCode).
import { readFileSync } from 'node:fs';

const dts = readFileSync(new URL('../pkg/errors.d.ts', import.meta.url), 'utf8');
export const documentedCodes = [...dts.slice(dts.indexOf('AgentRulesErrorCode')).matchAll(/\|\s*'([a-z_]+)'/g)].map((m) => m[1]);
if (documentedCodes.length < 5) throw new Error(`no AgentRulesErrorCode union in errors.d.ts: ${documentedCodes}`);
