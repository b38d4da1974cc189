/** The printed table: every check with its target and PASS / MISS, then the figures without a target. */
import { formatValue } from './format.ts';
import type { BenchResults } from './report.ts';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const line = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function renderTable(results: BenchResults): string {
  const rows: string[][] = [
    ['figure', 'value', 'target', 'result'],
    ...results.checks.map((c) => [c.figure, formatValue(c.value), c.target, c.pass === null ? 'not run' : c.pass ? 'PASS' : 'MISS']),
    ...results.info.map((row) => [row.figure, row.value, '', 'info']),
  ];
  const verdict = results.all_targets_met ? 'all targets met' : 'NOT all targets met (see MISS / not run above)';
  return `\nSwitchboard benchmark (${results.mode}, ${results.measured_at})\n${table(rows)}\n\n${verdict}\n`;
}
