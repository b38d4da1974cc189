/**
 * Formatting for humans, nothing else: every figure arrives computed by the API
 * (SQL) as exact decimal text; these functions only render it (grouping,
 * percent sign, units, dates in the tenant's time zone). A missing value
 * (null: e.g. a rate with nothing to divide by) renders as an em dash.
 */

export const MISSING = '—';

const LOCALE = 'en-US';
const integerFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

type Numeric = string | number | null | undefined;

function isMissing(value: Numeric): value is null | undefined {
  return value === null || value === undefined || value === '';
}

/** 1234567 -> "1,234,567" (exact for BigInt strings of any size). */
export function formatInteger(value: Numeric): string {
  if (isMissing(value)) return MISSING;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return integerFormat.format(BigInt(value));
  const n = Number(value);
  return Number.isFinite(n) ? integerFormat.format(n) : MISSING;
}

/** A rate as a fraction ("0.4531") -> "45.3%". */
export function formatPercent(rate: Numeric, fractionDigits = 1): string {
  if (isMissing(rate)) return MISSING;
  const n = Number(rate);
  if (!Number.isFinite(n)) return MISSING;
  return new Intl.NumberFormat(LOCALE, { style: 'percent', minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(n);
}

/** A relative change as a fraction ("0.125") -> "+12.5%", "-3.0%", "0.0%". */
export function formatRelativeChange(change: Numeric): string {
  if (isMissing(change)) return MISSING;
  const n = Number(change);
  if (!Number.isFinite(n)) return MISSING;
  return new Intl.NumberFormat(LOCALE, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(n);
}

/** A difference of two rates ("0.0320") -> "+3.2 pts" (percentage points). */
export function formatPointChange(change: Numeric): string {
  if (isMissing(change)) return MISSING;
  const n = Number(change);
  if (!Number.isFinite(n)) return MISSING;
  const points = new Intl.NumberFormat(LOCALE, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' })
    .format(n)
    .replace('%', '');
  return `${points} pts`;
}

/** Seconds -> "45s", "4m 05s", "2h 03m" (rounded to the second). */
export function formatDuration(seconds: Numeric): string {
  if (isMissing(seconds)) return MISSING;
  const n = Number(seconds);
  if (!Number.isFinite(n) || n < 0) return MISSING;
  const total = Math.round(n);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Seconds for an axis tick: "45 s", "12 min", "3 h", "1.5 h". */
export function formatDurationShort(seconds: Numeric): string {
  if (isMissing(seconds)) return MISSING;
  const n = Number(seconds);
  if (!Number.isFinite(n) || n < 0) return MISSING;
  if (n < 60) return `${Math.round(n)} s`;
  if (n < 3600) return `${new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 }).format(n / 60)} min`;
  return `${new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 }).format(n / 3600)} h`;
}

/** A calendar day "2026-11-03" -> "Nov 3" (or "Nov 3, 2026" with the year). Days are already tenant-local. */
export function formatDay(day: string | null | undefined, { year = false }: { year?: boolean } = {}): string {
  if (!day) return MISSING;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(LOCALE, { timeZone: 'UTC', month: 'short', day: 'numeric', ...(year ? { year: 'numeric' } : {}) }).format(date);
}

/** An instant in the tenant's time zone: "Nov 3, 2:05 PM". */
export function formatDateTime(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return MISSING;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return MISSING;
  return new Intl.DateTimeFormat(LOCALE, { timeZone, month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(date);
}

/** "just now", "updated 3 s ago", "updated 2 min ago". */
export function formatAge(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 1) return 'updated just now';
  if (seconds < 120) return `updated ${seconds} s ago`;
  return `updated ${Math.floor(seconds / 60)} min ago`;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** ISO weekday 1..7 -> "Mon".."Sun". */
export function formatWeekday(isoWeekday: number | null | undefined): string {
  if (!isoWeekday || isoWeekday < 1 || isoWeekday > 7) return MISSING;
  return WEEKDAYS[isoWeekday - 1] ?? MISSING;
}

/** Hour 0..23 -> "00:00". */
export function formatHour(hour: number | null | undefined): string {
  if (hour === null || hour === undefined) return MISSING;
  return `${String(hour).padStart(2, '0')}:00`;
}

/** "hot" -> "Hot"; snake_case -> words. */
export function formatLabel(value: string | null | undefined): string {
  if (!value) return MISSING;
  const words = value.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Bytes (a BigInt string or number) -> "840 B", "12.4 kB", "3.1 MB". */
export function formatBytes(bytes: Numeric): string {
  if (isMissing(bytes)) return MISSING;
  const n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return MISSING;
  if (n < 1000) return `${integerFormat.format(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 }).format(value)} ${units[unit]}`;
}
