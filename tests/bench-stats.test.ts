import { describe, expect, it } from 'vitest';
import { mean, median, percentile, ratio, round, sideBySide, summarize } from '../bench/stats.ts';

describe('bench statistics helpers', () => {
  it('median of odd and even counts, regardless of input order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('percentiles interpolate linearly between closest ranks', () => {
    const values = [10, 20, 30, 40, 50];
    expect(percentile(values, 0)).toBe(10);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile(values, 25)).toBe(20);
    expect(percentile(values, 90)).toBeCloseTo(46, 10);
    // 1..100: p95 sits between the 95th and 96th values.
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 95)).toBeCloseTo(95.05, 10);
    expect(percentile(hundred, 50)).toBe(50.5);
  });

  it('refuses empty lists, bad percentiles and non-finite values', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => mean([])).toThrow(RangeError);
    expect(() => percentile([1, 2], 101)).toThrow(RangeError);
    expect(() => percentile([1, 2], -1)).toThrow(RangeError);
    expect(() => percentile([1, Number.NaN], 50)).toThrow(RangeError);
  });

  it('summarize reports count, extremes, p50, p95 and mean', () => {
    const summary = summarize([2, 4, 6, 8]);
    expect(summary).toMatchObject({ n: 4, min: 2, p50: 5, max: 8, mean: 5 });
    expect(summary.p95).toBeCloseTo(7.7, 10);
  });

  it('ratio is null when the denominator is not positive', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(3, Number.NaN)).toBeNull();
  });

  it('round keeps null and rounds half away from zero for positives', () => {
    expect(round(null)).toBeNull();
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(0.8765, 3)).toBe(0.877);
  });

  it('side by side: targets in order, reversed every other round, with their indexes', () => {
    const order = (round: number): string[] => [...sideBySide(['1M', '4M'], round)].map(([i, t]) => `${i}:${t}`);
    expect(order(0)).toEqual(['0:1M', '1:4M']);
    expect(order(1)).toEqual(['1:4M', '0:1M']);
    expect(order(2)).toEqual(['0:1M', '1:4M']);
    expect([...sideBySide(['only'], 1)]).toEqual([[0, 'only']]);
  });
});
