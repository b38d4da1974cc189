/**
 * The view in the URL, so a link shares it: `range` (7 | 30 | 90 | custom),
 * `from` / `to` (custom days), `agent` (agent filter on the overview).
 */
import { addDays, isDay, todayIn } from './dates.ts';
import { navigate, useLocation } from './router.ts';

export type RangePreset = '7' | '30' | '90' | 'custom';
export const PRESETS: ReadonlyArray<{ value: RangePreset; label: string }> = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: 'custom', label: 'Custom' },
];

export interface ViewState {
  range: RangePreset;
  from: string | null;
  to: string | null;
  agent: string | null;
}

export interface DateRange {
  fromDate: string;
  toDate: string;
}

function readRange(value: string | null): RangePreset {
  return value === '7' || value === '90' || value === 'custom' ? value : '30';
}

export function readView(search: URLSearchParams): ViewState {
  const from = search.get('from');
  const to = search.get('to');
  return {
    range: readRange(search.get('range')),
    from: isDay(from) ? from : null,
    to: isDay(to) ? to : null,
    agent: search.get('agent') || null,
  };
}

/** The days a view covers, in the tenant's time zone (presets end today). */
export function resolveRange(view: ViewState, timeZone: string, now: Date = new Date()): DateRange {
  const today = todayIn(timeZone, now);
  if (view.range === 'custom' && view.from && view.to) {
    return view.from <= view.to ? { fromDate: view.from, toDate: view.to } : { fromDate: view.to, toDate: view.from };
  }
  const days = view.range === 'custom' ? 30 : Number(view.range);
  return { fromDate: addDays(today, -(days - 1)), toDate: today };
}

export function viewSearch(view: ViewState): string {
  const params = new URLSearchParams();
  if (view.range !== '30') params.set('range', view.range);
  if (view.range === 'custom') {
    if (view.from) params.set('from', view.from);
    if (view.to) params.set('to', view.to);
  }
  if (view.agent) params.set('agent', view.agent);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function useView(): [ViewState, (change: Partial<ViewState>) => void] {
  const location = useLocation();
  const view = readView(location.search);
  const update = (change: Partial<ViewState>): void => navigate(location.pathname + viewSearch({ ...view, ...change }));
  return [view, update];
}
