/** Signed out: the sign-in page. Signed in: the session (tenant, agents), the shell and the routed page. */
import { lazy, Suspense, useSyncExternalStore, type ReactNode } from 'react';
import { onTenantViewChange, readTenantView, writeTenantView, type ViewedTenant } from './api/tenant-view.ts';
import { onTokenChange, readToken, writeToken } from './api/token.ts';
import { AppShell } from './components/AppShell.tsx';
import { isUuid, NotFound } from './components/NotFound.tsx';
import './components/onboarding.css';
import { StatusGate } from './components/StatusGate.tsx';
import { useSession } from './hooks/use-session.ts';
import { AcceptInvitePage } from './pages/AcceptInvitePage.tsx';
import { ResetPasswordPage } from './pages/ResetPasswordPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { SignUpPage } from './pages/SignUpPage.tsx';
import { SettingsLayout } from './pages/settings/SettingsLayout.tsx';
import { matchPath, navigate, useLocation } from './router.ts';
import type { MemberRole, Session } from './session.ts';

/** The API's role text; anything unknown gets the least rights (the API decides anyway). */
function memberRole(role: string | null | undefined): MemberRole {
  return role === 'owner' || role === 'manager' ? role : 'viewer';
}

// The pages carry Recharts: loaded on demand, so sign-in stays small. Signed in, the overview's
// chunk starts downloading at once, beside the session query, rather than after it.
if (readToken() && window.location.pathname === '/') void import('./pages/OverviewPage.tsx');
const OverviewPage = lazy(() => import('./pages/OverviewPage.tsx').then((m) => ({ default: m.OverviewPage })));
const AgentPage = lazy(() => import('./pages/AgentPage.tsx').then((m) => ({ default: m.AgentPage })));
const AdminPage = lazy(() => import('./pages/AdminPage.tsx').then((m) => ({ default: m.AdminPage })));
const AuditPage = lazy(() => import('./pages/AuditPage.tsx').then((m) => ({ default: m.AuditPage })));
const PrivacyPage = lazy(() => import('./pages/PrivacyPage.tsx').then((m) => ({ default: m.PrivacyPage })));
const CallLogPage = lazy(() => import('./pages/CallLogPage.tsx').then((m) => ({ default: m.CallLogPage })));
const CallPage = lazy(() => import('./pages/CallPage.tsx').then((m) => ({ default: m.CallPage })));
const LeadsPage = lazy(() => import('./pages/LeadsPage.tsx').then((m) => ({ default: m.LeadsPage })));
const ContactPage = lazy(() => import('./pages/ContactPage.tsx').then((m) => ({ default: m.ContactPage })));
const ProvidersPage = lazy(() => import('./pages/settings/ProvidersPage.tsx').then((m) => ({ default: m.ProvidersPage })));
const AgentsSettingsPage = lazy(() => import('./pages/settings/AgentsSettingsPage.tsx').then((m) => ({ default: m.AgentsSettingsPage })));
const TargetsSettingsPage = lazy(() => import('./pages/settings/TargetsSettingsPage.tsx').then((m) => ({ default: m.TargetsSettingsPage })));
const AccountPage = lazy(() => import('./pages/settings/AccountPage.tsx').then((m) => ({ default: m.AccountPage })));
const ApiKeysPage = lazy(() => import('./pages/settings/ApiKeysPage.tsx').then((m) => ({ default: m.ApiKeysPage })));
const TeamPage = lazy(() => import('./pages/settings/TeamPage.tsx').then((m) => ({ default: m.TeamPage })));
const InsightsPage = lazy(() => import('./pages/InsightsPage.tsx').then((m) => ({ default: m.InsightsPage })));
const AppointmentsPage = lazy(() => import('./pages/AppointmentsPage.tsx').then((m) => ({ default: m.AppointmentsPage })));
const AnalysisSettingsPage = lazy(() => import('./pages/settings/AnalysisSettingsPage.tsx').then((m) => ({ default: m.AnalysisSettingsPage })));
const RescoringPage = lazy(() => import('./pages/settings/RescoringPage.tsx').then((m) => ({ default: m.RescoringPage })));

/** Settings pages by path; each is shown inside the settings navigation. */
const SETTINGS_PAGES: Record<string, (props: { session: Session }) => ReactNode> = {
  '/settings/providers': ProvidersPage,
  '/settings/agents': AgentsSettingsPage,
  '/settings/targets': TargetsSettingsPage,
  '/settings/account': AccountPage,
  '/settings/api-keys': ApiKeysPage,
  '/settings/team': TeamPage,
  '/settings/privacy': PrivacyPage,
  '/settings/analysis': AnalysisSettingsPage,
  '/settings/rescoring': RescoringPage,
};

function Routes({ session }: { session: Session }) {
  const { pathname } = useLocation();
  // A malformed id is "not found" at once (no request); unknown and foreign ids are the pages' to map.
  const agent = matchPath('/agents/:agentId', pathname);
  if (agent?.agentId && !isUuid(agent.agentId)) return <NotFound what="agent" backHref="/" backLabel="Back to the overview" />;
  if (agent?.agentId) return <AgentPage key={agent.agentId} agentId={agent.agentId} session={session} />;
  const call = matchPath('/calls/:callId', pathname);
  if (call?.callId && !isUuid(call.callId)) return <NotFound what="call" backHref="/calls" backLabel="Back to the call log" />;
  if (call?.callId) return <CallPage key={call.callId} callId={call.callId} session={session} />;
  const contact = matchPath('/contacts/:contactId', pathname);
  if (contact?.contactId && !isUuid(contact.contactId)) return <NotFound what="contact" backHref="/leads" backLabel="Back to the leads" />;
  if (contact?.contactId) return <ContactPage key={contact.contactId} contactId={contact.contactId} session={session} />;
  if (pathname === '/calls') return <CallLogPage session={session} />;
  if (pathname === '/leads') return <LeadsPage session={session} />;
  if (pathname === '/insights') return <InsightsPage session={session} />;
  if (pathname === '/appointments') return <AppointmentsPage session={session} />;
  if (pathname === '/admin') return <AdminPage session={session} />;
  if (pathname === '/audit') return <AuditPage session={session} />;
  const settingsPath = pathname.replace(/\/$/, '');
  const Settings = SETTINGS_PAGES[settingsPath === '/settings' ? '/settings/providers' : settingsPath];
  if (Settings) {
    return (
      <SettingsLayout session={session}>
        <Settings session={session} />
      </SettingsLayout>
    );
  }
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

/** A platform operator looking at a business: read-only, recorded in its audit log. */
function TenantViewBanner({ tenant }: { tenant: ViewedTenant }) {
  return (
    <div className="tenant-view-banner" role="status" data-testid="tenant-view-banner">
      Viewing <strong>{tenant.name}</strong> read-only as a platform operator (recorded in its audit log).{' '}
      <button type="button" className="link-button" onClick={() => { writeTenantView(null); navigate('/admin'); }}>
        Stop viewing
      </button>
    </div>
  );
}

function SignedIn({ view }: { view: ViewedTenant | null }) {
  const { data, loading, error, refetch } = useSession(false);
  const tenant = data?.currentTenant ?? null;
  const session: Session | null = tenant
    ? {
        tenantName: tenant.name,
        timeZone: tenant.timezone,
        isAdmin: data?.currentUserIsAdmin === true,
        // The login's role (owner, manager, viewer), as the API enforces it on every request; an operator's
        // view of a business is read-only (PostgreSQL runs it read-only): no write controls.
        role: view ? 'viewer' : memberRole(data?.currentMember?.role),
        agents: (data?.allAgents?.nodes ?? []).flatMap((a) => (a ? [{ id: a.rowId, name: a.name, isActive: a.isActive }] : [])),
      }
    : null;
  return (
    <AppShell tenantName={session?.tenantName} isAdmin={session?.isAdmin ?? false} onSignOut={() => { writeTenantView(null); writeToken(null); }}>
      {view ? <TenantViewBanner tenant={view} /> : null}
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
  const view = useSyncExternalStore(onTenantViewChange, readTenantView, () => null);
  // Keyed by the viewed business: starting or stopping a view starts from a clean session.
  return token ? <SignedIn key={view?.id ?? 'own'} view={view} /> : <SignedOut />;
}

/** Signed out: sign in, sign up, accept an invitation or reset a password (one-time links). */
function SignedOut() {
  const { pathname } = useLocation();
  const invite = matchPath('/invite/:token', pathname);
  if (invite?.token) return <AcceptInvitePage token={invite.token} />;
  const reset = matchPath('/reset-password/:token', pathname);
  if (reset?.token) return <ResetPasswordPage token={reset.token} />;
  if (pathname === '/sign-up') return <SignUpPage />;
  return <SignInPage onSignedIn={() => window.location.pathname === '/sign-in' && navigate('/', { replace: true })} />;
}
