/** Pure statistics helpers for the benchmark (no I/O; unit-tested in tests/bench-stats.test.ts). */

function sorted(values: readonly number[]): number[] {
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * The p-th percentile (0-100) by linear interpolation between closest ranks
 * (the "R-7" / NumPy default definition): p=50 is the median, p=0 the minimum,
 * p=100 the maximum. Throws on an empty list, since there is no honest answer.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty list');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be between 0 and 100, got ${p}`);
  const xs = sorted(values);
  const rank = (p / 100) * (xs.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = xs[lower] ?? 0;
  const high = xs[upper] ?? low;
  return low + (high - low) * (rank - lower);
}

/** The median (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of an empty list');
  return sorted(values).reduce((sum, value) => sum + value, 0) / values.length;
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    min: percentile(values, 0),
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: percentile(values, 100),
    mean: mean(values),
  };
}

/** a / b, or null when b is not a positive number (a ratio of nothing is not 0 or infinity). */
export function ratio(a: number, b: number): number | null {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : null;
}

/** Rounds to `digits` decimals for display and JSON (keeps null). */
export function round(value: number | null, digits = 3): number | null {
  if (value === null) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * The targets of round `round` in side-by-side order: as given in even rounds, reversed in odd
 * ones (A B, B A, A B, ...), so that a drift of the machine's speed falls on every target alike.
 */
export function* sideBySide<T>(targets: readonly T[], round: number): Generator<[index: number, target: T]> {
  const indexes = targets.map((_, index) => index);
  if (round % 2 === 1) indexes.reverse();
  for (const index of indexes) {
    const target = targets[index];
    if (target !== undefined) yield [index, target];
  }
}
