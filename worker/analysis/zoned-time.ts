/** Wall-clock dates in an IANA time zone, without a date library (Intl only). */

export interface LocalDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const formats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone (building one costs far more than formatting with it). */
function formatter(timezone: string): Intl.DateTimeFormat {
  let format = formats.get(timezone);
  if (format) return format;
  format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
    hourCycle: 'h23',
  });
  formats.set(timezone, format);
  return format;
}

function parts(at: Date, timezone: string): Record<string, string> {
  return Object.fromEntries(formatter(timezone).formatToParts(at).map((part) => [part.type, part.value]));
}

/** The calendar date `at` falls on in `timezone`. */
export function localDate(at: Date, timezone: string): LocalDate {
  const p = parts(at, timezone);
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day), weekday: WEEKDAYS.indexOf(p.weekday ?? '') };
}

/** `timezone`'s offset from UTC at `at`, in ms (east positive). */
function offsetMs(at: Date, timezone: string): number {
  const p = parts(at, timezone);
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant at which the wall clock in `timezone` shows this date and time. */
export function zonedTime(date: Pick<LocalDate, 'year' | 'month' | 'day'>, hour: number, minute: number, timezone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const first = wall - offsetMs(new Date(wall), timezone);
  // Once more with the offset at the candidate instant (correct across a DST change).
  return new Date(wall - offsetMs(new Date(first), timezone));
}

/** `date` plus `days` calendar days. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate(), weekday: shifted.getUTCDay() };
}
