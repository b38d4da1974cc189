/**
 * Team: the logins of this business with their roles. Owners invite (a
 * one-time link, shown once to copy: there is no mail server), change roles,
 * remove members and issue one-time password-reset links; managers and viewers
 * see the list read-only. Everyone can change their own password. PostgreSQL
 * enforces all of it; this page only hides what the API would refuse.
 */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../api/client.ts';
import {
  CHANGE_PASSWORD,
  INVITATIONS,
  INVITE_MEMBER,
  ISSUE_PASSWORD_RESET,
  REMOVE_MEMBER,
  REVOKE_INVITATION,
  SET_MEMBER_ROLE,
  TEAM,
} from '../../api/operations/team.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import { formatDateTime } from '../../format.ts';
import { useMutation } from '../../hooks/use-mutation.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { isOwner, type MemberRole, type Session } from '../../session.ts';
import './team.css';

const ROLES: ReadonlyArray<{ value: MemberRole; label: string; description: string }> = [
  { value: 'owner', label: 'Owner', description: 'everything, including members, API keys and provider secrets' },
  { value: 'manager', label: 'Manager', description: 'everything except members, API keys and provider secrets' },
  { value: 'viewer', label: 'Viewer', description: 'reads everything, changes nothing' },
];

function roleLabel(role: string): string {
  return ROLES.find((r) => r.value === role)?.label ?? role;
}

function ErrorText({ error }: { error: ApiError | undefined }) {
  return error ? (
    <p className="form-error" role="alert">
      {error.message}
    </p>
  ) : null;
}

/** A one-time link, shown once, with a copy button. */
function OneTimeLink({ label, url, onDone }: { label: string; url: string; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="one-time-link" role="group" aria-label={label} data-testid="one-time-link">
      <p>
        <strong>{label}</strong> Copy it now and send it yourself: it is shown only once, and works once.
      </p>
      <div className="one-time-link-row">
        <input readOnly value={url} aria-label={label} onFocus={(event) => event.target.select()} data-testid="one-time-link-url" />
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(url).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="link-button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

function linkUrl(path: string, token: string): string {
  return `${window.location.origin}${path}${encodeURIComponent(token)}`;
}

interface MemberRow {
  rowId: string;
  name: string;
  email: string;
  role: string;
  lastSignInAt: string | null;
}

function MemberActions({ member, onChanged }: { member: MemberRow; onChanged(): void }) {
  const setRole = useMutation(SET_MEMBER_ROLE);
  const remove = useMutation(REMOVE_MEMBER);
  const reset = useMutation(ISSUE_PASSWORD_RESET);
  const [confirming, setConfirming] = useState(false);
  const [resetUrl, setResetUrl] = useState<string | null>(null);
  return (
    <div className="member-actions">
      <select
        aria-label={`Role of ${member.name}`}
        value={member.role}
        disabled={setRole.pending}
        onChange={async (event) => {
          if (await setRole.run({ memberId: member.rowId, role: event.target.value })) onChanged();
        }}
        data-testid="member-role"
      >
        {ROLES.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        disabled={reset.pending}
        onClick={async () => {
          const result = await reset.run({ memberId: member.rowId });
          const token = result?.issuePasswordReset?.result;
          if (token) setResetUrl(linkUrl('/reset-password/', token));
        }}
      >
        Reset link
      </button>
      <button type="button" className="danger" onClick={() => setConfirming(true)}>
        Remove
      </button>
      {confirming ? (
        <div className="confirm-box" role="group" aria-label={`Confirm removing ${member.name}`} data-testid="remove-confirm">
          <p>
            <strong>Remove {member.name} ({member.email})?</strong> They are signed out at once and can no longer sign in.
          </p>
          <div className="button-row">
            <button
              type="button"
              className="danger"
              disabled={remove.pending}
              onClick={async () => {
                if (await remove.run({ memberId: member.rowId })) {
                  setConfirming(false);
                  onChanged();
                }
              }}
            >
              {remove.pending ? 'Removing…' : 'Remove member'}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {resetUrl ? <OneTimeLink label={`Password-reset link for ${member.name}.`} url={resetUrl} onDone={() => setResetUrl(null)} /> : null}
      <ErrorText error={setRole.error ?? remove.error ?? reset.error} />
    </div>
  );
}

function MembersPanel({ session, members, me, onChanged }: { session: Session; members: MemberRow[]; me: string | null; onChanged(): void }) {
  const owner = isOwner(session);
  return (
    <section className="panel" aria-labelledby="members-title" data-testid="members">
      <h2 id="members-title">Members</h2>
      {owner ? null : <p className="muted small">Only owners invite, remove members or change roles.</p>}
      <div className="table-scroll">
        <table className="data-table members-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Last sign-in</th>
              {owner ? <th scope="col">Manage</th> : null}
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.rowId} data-testid="member-row" data-email={member.email}>
                <td>
                  {member.name}
                  {member.rowId === me ? <span className="muted small"> (you)</span> : null}
                </td>
                <td>{member.email}</td>
                <td>{roleLabel(member.role)}</td>
                <td>{member.lastSignInAt ? formatDateTime(member.lastSignInAt, session.timeZone) : 'never'}</td>
                {owner ? (
                  <td>{member.rowId === me ? <span className="muted small">—</span> : <MemberActions member={member} onChanged={onChanged} />}</td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function InvitePanel({ session, onChanged }: { session: Session; onChanged(): void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<MemberRole>('viewer');
  const [link, setLink] = useState<string | null>(null);
  const invite = useMutation(INVITE_MEMBER);
  const revoke = useMutation(REVOKE_INVITATION);
  const invitations = useQuery(INVITATIONS, {});
  const pending = (invitations.data?.allInvitations?.nodes ?? []).flatMap((i) =>
    i && !i.acceptedAt && !i.revokedAt && Date.parse(i.expiresAt) > Date.now() ? [i] : [],
  );
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const result = await invite.run({ email, role });
    const token = result?.inviteMember?.result?.token;
    if (token) {
      setLink(linkUrl('/invite/', token));
      setEmail('');
      invitations.refetch();
      onChanged();
    }
  };
  return (
    <section className="panel" aria-labelledby="invite-title" data-testid="invite">
      <h2 id="invite-title">Invite someone</h2>
      <p className="muted small">They get a link that works once; with it they choose their name and password.</p>
      <form className="inline-form" onSubmit={(event) => void submit(event)}>
        <label>
          Email
          <input type="email" required value={email} onChange={(event) => setEmail(event.target.value)} name="invite-email" />
        </label>
        <label>
          Role
          <select value={role} onChange={(event) => setRole(event.target.value as MemberRole)} name="invite-role">
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={invite.pending}>
          {invite.pending ? 'Inviting…' : 'Create invitation link'}
        </button>
      </form>
      <p className="muted small">
        {roleLabel(role)}: {ROLES.find((r) => r.value === role)?.description}.
      </p>
      <ErrorText error={invite.error ?? revoke.error} />
      {link ? <OneTimeLink label="Invitation link." url={link} onDone={() => setLink(null)} /> : null}
      {pending.length > 0 ? (
        <>
          <h3>Waiting to be accepted</h3>
          <ul className="invitation-list">
            {pending.map((i) => (
              <li key={i.rowId}>
                {i.email} · {roleLabel(i.role)} · expires {formatDateTime(i.expiresAt, session.timeZone)}{' '}
                <button
                  type="button"
                  className="link-button"
                  onClick={async () => {
                    if (await revoke.run({ invitationId: i.rowId })) invitations.refetch();
                  }}
                >
                  Cancel invitation
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function ChangePasswordPanel() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const change = useMutation(CHANGE_PASSWORD);
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setDone(false);
    if ((await change.run({ currentPassword: current, newPassword: next }))?.changePassword) {
      setDone(true);
      setCurrent('');
      setNext('');
    }
  };
  return (
    <section className="panel" aria-labelledby="password-title" data-testid="change-password">
      <h2 id="password-title">Change my password</h2>
      <form className="stacked-form" onSubmit={(event) => void submit(event)}>
        <label>
          Current password
          <input type="password" autoComplete="current-password" required value={current} onChange={(event) => setCurrent(event.target.value)} />
        </label>
        <label>
          New password <span className="muted small">(at least 8 characters)</span>
          <input type="password" autoComplete="new-password" required minLength={8} value={next} onChange={(event) => setNext(event.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={change.pending}>
          {change.pending ? 'Saving…' : 'Change password'}
        </button>
      </form>
      <ErrorText error={change.error} />
      {done ? <p role="status">Your password was changed.</p> : null}
    </section>
  );
}

export function TeamPage({ session }: { session: Session }) {
  const { data, loading, error, refetch } = useQuery(TEAM, {});
  const members = (data?.allMembers?.nodes ?? []).flatMap((m) => (m ? [m] : []));
  return (
    <div className="page" data-page="team">
      <div className="page-head">
        <div>
          <h1>Team</h1>
          <p className="muted">Everyone who signs in to {session.tenantName}, with what they may do.</p>
        </div>
      </div>
      <StatusGate label="team" loading={loading} error={error} onRetry={refetch}>
        <MembersPanel session={session} members={members} me={data?.currentMember?.rowId ?? null} onChanged={refetch} />
        {isOwner(session) ? <InvitePanel session={session} onChanged={refetch} /> : null}
        <ChangePasswordPanel />
      </StatusGate>
    </div>
  );
}
