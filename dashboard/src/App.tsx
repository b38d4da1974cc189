/** Signed out: the sign-in page. Signed in: the session (tenant, agents), the shell and the routed page. */
import { lazy, Suspense, useSyncExternalStore } from 'react';
import { onTokenChange, readToken, writeToken } from './api/token.ts';
import { AppShell } from './components/AppShell.tsx';
import { StatusGate } from './components/StatusGate.tsx';
import { useSession } from './hooks/use-session.ts';
import { SignInPage } from './pages/SignInPage.tsx';
import { matchPath, navigate, useLocation } from './router.ts';
import type { Session } from './session.ts';

// The pages carry Recharts: loaded on demand, so sign-in stays small. Signed in, the overview's
// chunk starts downloading at once, beside the session query, rather than after it.
if (readToken() && window.location.pathname === '/') void import('./pages/OverviewPage.tsx');
const OverviewPage = lazy(() => import('./pages/OverviewPage.tsx').then((m) => ({ default: m.OverviewPage })));
const AgentPage = lazy(() => import('./pages/AgentPage.tsx').then((m) => ({ default: m.AgentPage })));
const AdminPage = lazy(() => import('./pages/AdminPage.tsx').then((m) => ({ default: m.AdminPage })));
const AuditPage = lazy(() => import('./pages/AuditPage.tsx').then((m) => ({ default: m.AuditPage })));
const PrivacyPage = lazy(() => import('./pages/PrivacyPage.tsx').then((m) => ({ default: m.PrivacyPage })));

function Routes({ session }: { session: Session }) {
  const { pathname } = useLocation();
  const agent = matchPath('/agents/:agentId', pathname);
  if (agent?.agentId) return <AgentPage key={agent.agentId} agentId={agent.agentId} session={session} />;
  if (pathname === '/admin') return <AdminPage session={session} />;
  if (pathname === '/audit') return <AuditPage session={session} />;
  if (pathname === '/settings/privacy') return <PrivacyPage session={session} />;
  if (pathname === '/' || pathname === '/sign-in') return <OverviewPage session={session} />;
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>
        <a href="/">Back to the overview</a>
      </p>
    </div>
  );
}

function SignedIn() {
  const { data, loading, error, refetch } = useSession(false);
  const tenant = data?.currentTenant ?? null;
  const session: Session | null = tenant
    ? {
        tenantName: tenant.name,
        timeZone: tenant.timezone,
        isAdmin: data?.currentUserIsAdmin === true,
        agents: (data?.allAgents?.nodes ?? []).flatMap((a) => (a ? [{ id: a.rowId, name: a.name, isActive: a.isActive }] : [])),
      }
    : null;
  return (
    <AppShell tenantName={session?.tenantName} isAdmin={session?.isAdmin ?? false} onSignOut={() => writeToken(null)}>
      <StatusGate label="account" loading={loading} error={error} onRetry={refetch} empty={data !== undefined && !session} emptyText="This account has no tenant.">
        {session ? (
          <Suspense fallback={<StatusGate label="page" loading error={undefined}>{null}</StatusGate>}>
            <Routes session={session} />
          </Suspense>
        ) : null}
      </StatusGate>
    </AppShell>
  );
}

export function App() {
  const token = useSyncExternalStore(onTokenChange, readToken, () => null);
  if (!token) {
    return <SignInPage onSignedIn={() => window.location.pathname === '/sign-in' && navigate('/', { replace: true })} />;
  }
  return <SignedIn />;
}
