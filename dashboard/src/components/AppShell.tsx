/** Header (tenant, navigation, sign out) and the page. */
import type { ReactNode } from 'react';
import { navigate, useLocation } from '../router.ts';

export interface AppShellProps {
  tenantName: string | undefined;
  isAdmin: boolean;
  onSignOut(): void;
  children: ReactNode;
}

function NavLink({ to, label }: { to: string; label: string }) {
  const { pathname } = useLocation();
  const current = to === '/' ? pathname === '/' : pathname.startsWith(to);
  return (
    <a
      href={to}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
}

export function AppShell({ tenantName, isAdmin, onSignOut, children }: AppShellProps) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Switchboard</span>
        <nav aria-label="Main">
          <NavLink to="/" label="Overview" />
          <NavLink to="/calls" label="Calls" />
          <NavLink to="/leads" label="Leads" />
          <NavLink to="/insights" label="Insights" />
          <NavLink to="/appointments" label="Appointments" />
          <NavLink to="/settings" label="Settings" />
          <NavLink to="/audit" label="Audit log" />
          {isAdmin ? <NavLink to="/admin" label="Admin" /> : null}
        </nav>
        <span className="tenant muted" data-testid="tenant-name">{tenantName}</span>
        <button type="button" className="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
