// What the consumer app's pages render: a report as "ok" or one "path code" line per violation.
import type { Report } from 'agentrules';

export function lines(...reports: Report[]): string {
  return reports.flatMap((r) => r.violations.map((v) => `${v.path} ${v.code}`)).join('\n');
}

export function show(id: string, text: string): void {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  el.textContent = text;
}

export const shown = (report: Report): string => (report.ok ? 'ok' : lines(report));

/** The schema of the loading pages' one-column table. */
export const ISSUE_TABLE = { type: 'object', properties: { issue: { type: 'string' } }, required: ['issue'] };
