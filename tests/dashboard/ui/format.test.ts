/** The dashboard's formatting: exact integers, rates, changes, durations, tenant-local dates. */
import { describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../../dashboard/src/dates.ts';
import {
  formatAge, formatDateTime, formatDay, formatDuration, formatDurationShort, formatHour, formatInteger, formatLabel, formatPercent,
  formatPointChange, formatRelativeChange, formatWeekday, MISSING,
} from '../../../dashboard/src/format.ts';
import { toCsv } from '../../../dashboard/src/csv.ts';
import { readView, resolveRange, viewSearch } from '../../../dashboard/src/view-state.ts';

describe('numbers', () => {
  it('groups integers exactly, even beyond 2^53', () => {
    expect(formatInteger('0')).toBe('0');
    expect(formatInteger('1234567')).toBe('1,234,567');
    expect(formatInteger('12345678901234567890')).toBe('12,345,678,901,234,567,890');
    expect(formatInteger(42)).toBe('42');
    expect(formatInteger(null)).toBe(MISSING);
  });

  it('renders rates (fractions) as percentages and null as missing', () => {
    expect(formatPercent('0.4531')).toBe('45.3%');
    expect(formatPercent('1')).toBe('100.0%');
    expect(formatPercent('0')).toBe('0.0%');
    expect(formatPercent('0.125', 0)).toBe('13%');
    expect(formatPercent(null)).toBe(MISSING);
  });

  it('signs relative changes and rate differences (percentage points)', () => {
    expect(formatRelativeChange('0.125')).toBe('+12.5%');
    expect(formatRelativeChange('-0.0300')).toBe('-3.0%');
    expect(formatRelativeChange('0')).toBe('0.0%');
    expect(formatRelativeChange(null)).toBe(MISSING);
    expect(formatPointChange('0.0320')).toBe('+3.2 pts');
    expect(formatPointChange('-0.1')).toBe('-10.0 pts');
    expect(formatPointChange(null)).toBe(MISSING);
  });
});

describe('durations and dates', () => {
  it('formats durations in seconds, minutes and hours', () => {
    expect(formatDuration('0')).toBe('0s');
    expect(formatDuration('45')).toBe('45s');
    expect(formatDuration('245.50')).toBe('4m 06s');
    expect(formatDuration(3600 + 180)).toBe('1h 03m');
    expect(formatDuration(null)).toBe(MISSING);
    expect(formatDuration('-1')).toBe(MISSING);
  });

  it('formats axis durations compactly', () => {
    expect(formatDurationShort(30)).toBe('30 s');
    expect(formatDurationShort(1200)).toBe('20 min');
    expect(formatDurationShort(5400)).toBe('1.5 h');
  });

  it('formats calendar days without shifting them', () => {
    expect(formatDay('2026-01-01')).toBe('Jan 1');
    expect(formatDay('2026-12-31', { year: true })).toBe('Dec 31, 2026');
    expect(formatDay(null)).toBe(MISSING);
  });

  it('formats instants in the tenant time zone', () => {
    const instant = '2026-03-01T23:30:00Z';
    expect(formatDateTime(instant, 'UTC')).toBe('Mar 1, 11:30 PM');
    expect(formatDateTime(instant, 'Asia/Kolkata')).toBe('Mar 2, 5:00 AM');
    expect(formatDateTime(instant, 'America/New_York')).toBe('Mar 1, 6:30 PM');
    expect(formatDateTime(null, 'UTC')).toBe(MISSING);
  });

  it('computes today and presets in the tenant time zone', () => {
    const now = new Date('2026-03-01T23:30:00Z');
    expect(todayIn('UTC', now)).toBe('2026-03-01');
    expect(todayIn('Asia/Kolkata', now)).toBe('2026-03-02');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(resolveRange(readView(new URLSearchParams('range=7')), 'Asia/Kolkata', now)).toEqual({ fromDate: '2026-02-24', toDate: '2026-03-02' });
    expect(resolveRange(readView(new URLSearchParams('')), 'UTC', now)).toEqual({ fromDate: '2026-01-31', toDate: '2026-03-01' });
    expect(resolveRange(readView(new URLSearchParams('range=custom&from=2026-02-10&to=2026-02-01')), 'UTC', now)).toEqual({ fromDate: '2026-02-01', toDate: '2026-02-10' });
  });

  it('round-trips the view through the URL', () => {
    const view = readView(new URLSearchParams('range=custom&from=2026-02-01&to=2026-02-10&agent=abc'));
    expect(view).toEqual({ range: 'custom', from: '2026-02-01', to: '2026-02-10', agent: 'abc' });
    expect(readView(new URLSearchParams(viewSearch(view).slice(1)))).toEqual(view);
    expect(viewSearch(readView(new URLSearchParams('range=bogus&from=nope')))).toBe('');
  });

  it('formats ages, weekdays, hours and labels', () => {
    expect(formatAge(300)).toBe('updated just now');
    expect(formatAge(3_400)).toBe('updated 3 s ago');
    expect(formatAge(600_000)).toBe('updated 10 min ago');
    expect(formatWeekday(1)).toBe('Mon');
    expect(formatWeekday(7)).toBe('Sun');
    expect(formatWeekday(8)).toBe(MISSING);
    expect(formatHour(7)).toBe('07:00');
    expect(formatLabel('no_answer')).toBe('No answer');
  });
});

describe('csv', () => {
  it('quotes per RFC 4180 and keeps exact values', () => {
    expect(toCsv(['a', 'b'], [['x,y', '0.4531'], ['say "hi"', null]])).toBe('a,b\r\n"x,y",0.4531\r\n"say ""hi""",\r\n');
  });
});
