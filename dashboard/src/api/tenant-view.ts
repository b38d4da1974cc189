/**
 * A platform operator's read-only view of one business (server/graphql/tenant-view.ts):
 * while set, every API request carries X-Switchboard-View-Tenant and the
 * server runs it as that business in a read-only transaction. Kept in
 * sessionStorage: the view ends with the tab (and on the server after an hour).
 */
const KEY = 'switchboard.viewTenant';
export const TENANT_VIEW_HEADER = 'x-switchboard-view-tenant';

export interface ViewedTenant {
  id: string;
  name: string;
}

type Listener = () => void;
const listeners = new Set<Listener>();
let cachedRaw: string | null | undefined;
let cached: ViewedTenant | null = null;

function isViewedTenant(value: unknown): value is ViewedTenant {
  return typeof value === 'object' && value !== null && typeof (value as ViewedTenant).id === 'string' && typeof (value as ViewedTenant).name === 'string';
}

/** The business being viewed, or null (stable between changes, for useSyncExternalStore). */
export function readTenantView(): ViewedTenant | null {
  let raw: string | null = null;
  try {
    raw = window.sessionStorage.getItem(KEY);
  } catch {
    raw = null;
  }
  if (raw === cachedRaw) return cached;
  cachedRaw = raw;
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    cached = isViewedTenant(parsed) ? parsed : null;
  } catch {
    cached = null;
  }
  return cached;
}

export function writeTenantView(tenant: ViewedTenant | null): void {
  try {
    if (tenant) window.sessionStorage.setItem(KEY, JSON.stringify(tenant));
    else window.sessionStorage.removeItem(KEY);
  } catch {
    // storage unavailable: nothing to keep
  }
  for (const listener of listeners) listener();
}

export function onTenantViewChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
