/** Shapes of call volume: when in the day and the week people take calls (tenant-local time). */
import { lowerBounds } from './random.ts';

/** Relative calls per local hour 0-23 on a weekday: business hours, a lunch dip, quiet nights. */
const WEEKDAY_HOURS = [
  0.08, 0.04, 0.03, 0.03, 0.05, 0.12, 0.35, 0.9, 2.1, 3.6, 4.3, 4.1, 2.9, 3.3, 4.0, 3.9, 3.3, 2.3, 1.4, 0.95, 0.6,
  0.4, 0.25, 0.14,
];

/** Weekends: fewer calls (see DAY_OF_WEEK), later start, flatter peak. */
const WEEKEND_HOURS = [
  0.12, 0.06, 0.04, 0.03, 0.04, 0.08, 0.2, 0.5, 1.1, 2.0, 2.8, 3.1, 3.0, 2.8, 2.7, 2.5, 2.2, 1.8, 1.4, 1.1, 0.8,
  0.55, 0.35, 0.2,
];

/** Relative daily volume by ISO day of week (Monday = 1). */
export const DAY_OF_WEEK = [1.0, 1.06, 1.04, 1.0, 0.9, 0.42, 0.28] as const;

function sqlFloatArray(values: readonly number[]): string {
  return `'{${values.join(',')}}'::float8[]`;
}

export const WEEKDAY_HOUR_BOUNDS_SQL = sqlFloatArray(lowerBounds(WEEKDAY_HOURS));
export const WEEKEND_HOUR_BOUNDS_SQL = sqlFloatArray(lowerBounds(WEEKEND_HOURS));
export const DAY_OF_WEEK_SQL = sqlFloatArray(DAY_OF_WEEK);
