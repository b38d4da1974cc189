/** The settings section: its own navigation beside (or, on a phone, above) the page. */
import type { ReactNode } from 'react';
import { navigate, useLocation } from '../../router.ts';
import { isOwner, type Session } from '../../session.ts';

interface Section {
  to: string;
  label: string;
  ownerOnly?: boolean;
}

export const SETTINGS_SECTIONS: readonly Section[] = [
  { to: '/settings/providers', label: 'Providers' },
  { to: '/settings/agents', label: 'Agents and numbers' },
  { to: '/settings/targets', label: 'Targets' },
  { to: '/settings/account', label: 'Account' },
  { to: '/settings/api-keys', label: 'API keys', ownerOnly: true },
  { to: '/settings/team', label: 'Team' },
  { to: '/settings/privacy', label: 'Data & privacy' },
  { to: '/settings/analysis', label: 'Analysis' },
  { to: '/settings/rescoring', label: 'Re-scoring' },
];

export function SettingsLayout({ session, children }: { session: Session; children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <div className="settings-layout">
      <nav aria-label="Settings" className="settings-nav">
        {SETTINGS_SECTIONS.filter((s) => !s.ownerOnly || isOwner(session)).map((s) => (
          <a
            key={s.to}
            href={s.to}
            aria-current={pathname.startsWith(s.to) ? 'page' : undefined}
            onClick={(event) => {
              if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
              event.preventDefault();
              navigate(s.to);
            }}
          >
            {s.label}
          </a>
        ))}
      </nav>
      <div className="settings-page">{children}</div>
    </div>
  );
}
