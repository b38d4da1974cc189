/** How a figure is printed, in the table and in the figures without a target. */
export function formatValue(value: number | boolean | null): string {
  if (value === null) return 'not run';
  if (typeof value === 'boolean') return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(3);
}
