/**
 * API keys (owner only): create one (name, scopes, optional expiry; its secret
 * is shown once, with a copy button, since only its SHA-256 is stored), list
 * them (prefix, scopes, created, expires, last used, revoked) and revoke one
 * after a confirmation. The database refuses the same to non-owners.
 */
import { useState, type FormEvent } from 'react';
import type { ApiKeysData } from '../../api/operations/api-keys.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import { addDays, todayIn } from '../../dates.ts';
import { formatDateTime } from '../../format.ts';
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from '../../hooks/use-api-keys.ts';
import { isOwner, type Session } from '../../session.ts';
import { CopyBox, FieldError, FormError } from './settings-widgets.tsx';
import './providers.css';

type ApiKeyRow = NonNullable<NonNullable<ApiKeysData['allApiKeys']>['nodes'][number]>;

const NAME_CODES = ['API_KEY_NAME_INVALID'] as const;
const SCOPE_CODES = ['API_KEY_SCOPE_UNKNOWN', 'API_KEY_SCOPE_MISSING'] as const;
const EXPIRY_CODES = ['API_KEY_EXPIRY_PAST', 'INVALID_VALUE'] as const;
const FIELD_CODES = [...NAME_CODES, ...SCOPE_CODES, ...EXPIRY_CODES];

/** The wall-clock parts of `instant` in `timeZone`, as if they were UTC (ms). */
function wallClockAsUtc(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/** The end (23:59:59) of a YYYY-MM-DD day in the business's time zone, as an ISO instant. */
export function endOfDayIn(day: string, timeZone: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const guess = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1, 23, 59, 59);
  const offset = wallClockAsUtc(guess, timeZone) - guess;
  return new Date(guess - offset).toISOString();
}

function keyState(key: ApiKeyRow, now: number): 'revoked' | 'expired' | 'active' {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}

function CreateKey({ session, onCreated }: { session: Session; onCreated(): void }) {
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [write, setWrite] = useState(false);
  const [read, setRead] = useState(true);
  const [expires, setExpires] = useState('');
  const [secret, setSecret] = useState<{ value: string; name: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSecret(null);
    const scopes = [...(read ? ['read'] : []), ...(write ? ['write'] : [])];
    const result = await create.run({ name, scopes, expiresAt: expires ? endOfDayIn(expires, session.timeZone) : null });
    const created = result?.createApiKey?.result;
    if (created?.secret) {
      setSecret({ value: created.secret, name: created.apiKey?.name ?? name });
      setName('');
      setExpires('');
      onCreated();
    }
  };
  return (
    <section className="panel" aria-labelledby="create-key-title" data-testid="create-key">
      <h2 id="create-key-title">Create a key</h2>
      <form className="settings-form" onSubmit={(event) => void submit(event)} noValidate>
        <label>
          Name
          <input type="text" value={name} maxLength={200} onChange={(event) => setName(event.target.value)} placeholder="CRM sync" />
          <FieldError error={create.error} codes={NAME_CODES} />
        </label>
        <fieldset>
          <legend>Scopes</legend>
          <label className="check">
            <input type="checkbox" checked={read || write} disabled={write} onChange={(event) => setRead(event.target.checked)} /> Read
          </label>
          <label className="check">
            <input type="checkbox" checked={write} onChange={(event) => setWrite(event.target.checked)} /> Write (includes read)
          </label>
        </fieldset>
        <FieldError error={create.error} codes={SCOPE_CODES} />
        <label>
          Expires (optional, end of that day)
          <input type="date" value={expires} min={addDays(todayIn(session.timeZone), 1)} onChange={(event) => setExpires(event.target.value)} />
          <FieldError error={create.error} codes={EXPIRY_CODES} />
        </label>
        <div className="button-row">
          <button type="submit" className="primary" disabled={create.pending}>
            Create key
          </button>
        </div>
        <FormError error={create.error} fieldCodes={FIELD_CODES} />
      </form>
      {secret ? (
        <div data-testid="new-key">
          <CopyBox value={secret.value} label={`Secret of ${secret.name}`} testId="api-key-secret" />
          <p className="once-note small" role="status">
            Copy the key “{secret.name}” now: it is shown only once. Send it as <code>Authorization: Bearer …</code> to <code>/graphql</code>.
          </p>
        </div>
      ) : null}
    </section>
  );
}

function KeyRow({ apiKey, timeZone, now, onRevoked }: { apiKey: ApiKeyRow; timeZone: string; now: number; onRevoked(): void }) {
  const revoke = useRevokeApiKey();
  const [confirming, setConfirming] = useState(false);
  const state = keyState(apiKey, now);
  return (
    <tr data-testid="api-key-row" data-state={state}>
      <td className="key-name">
        {apiKey.name}
        <span className={`badge badge-${state === 'expired' ? 'expired-key' : state}`}>{state}</span>
      </td>
      <td>
        <code>sbk_{apiKey.keyPrefix}_…</code>
      </td>
      <td>{apiKey.scopes.filter((s): s is string => s !== null).join(', ')}</td>
      <td>{formatDateTime(apiKey.createdAt, timeZone)}</td>
      <td>{apiKey.expiresAt ? formatDateTime(apiKey.expiresAt, timeZone) : 'never'}</td>
      <td data-testid="last-used">{apiKey.lastUsedAt ? formatDateTime(apiKey.lastUsedAt, timeZone) : 'never'}</td>
      <td>{apiKey.revokedAt ? formatDateTime(apiKey.revokedAt, timeZone) : '—'}</td>
      <td className="button-cell">
        {state === 'revoked' ? null : confirming ? (
          <div className="confirm-box" role="group" aria-label={`Confirm revoking ${apiKey.name}`}>
            <p className="small">Requests with this key are refused at once. This cannot be undone.</p>
            <div className="button-row">
              <button
                type="button"
                className="danger"
                disabled={revoke.pending}
                onClick={async () => {
                  if (await revoke.run({ keyId: apiKey.rowId })) {
                    setConfirming(false);
                    onRevoked();
                  }
                }}
              >
                Revoke key
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
            <FormError error={revoke.error} fieldCodes={[]} />
          </div>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Revoke…
          </button>
        )}
      </td>
    </tr>
  );
}

export function ApiKeysPage({ session }: { session: Session }) {
  const owner = isOwner(session);
  const { data, loading, error, refetch, receivedAt } = useApiKeys(!owner);
  const keys = (data?.allApiKeys?.nodes ?? []).filter((k): k is ApiKeyRow => k !== null);
  return (
    <div className="page" data-page="api-keys">
      <div className="page-head">
        <div>
          <h1>API keys</h1>
          <p className="muted">Keys let your own systems read (and, with the write scope, change) your data through the API.</p>
        </div>
      </div>
      {owner ? (
        <div className="keys-grid">
          <CreateKey session={session} onCreated={refetch} />
          <section className="panel" aria-labelledby="keys-title">
            <h2 id="keys-title">Keys</h2>
            <StatusGate label="API keys" loading={loading} error={error} onRetry={refetch} empty={keys.length === 0} emptyText="No keys yet.">
              <div className="table-scroll">
                <table className="data-table keys-table">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Prefix</th>
                      <th scope="col">Scopes</th>
                      <th scope="col">Created</th>
                      <th scope="col">Expires</th>
                      <th scope="col">Last used</th>
                      <th scope="col">Revoked</th>
                      <th scope="col" aria-label="Actions" />
                    </tr>
                  </thead>
                  <tbody>
                    {keys.map((k) => (
                      <KeyRow key={k.rowId} apiKey={k} timeZone={session.timeZone} now={receivedAt ?? 0} onRevoked={refetch} />
                    ))}
                  </tbody>
                </table>
              </div>
            </StatusGate>
          </section>
        </div>
      ) : (
        <p className="muted">Only the business owner manages API keys.</p>
      )}
    </div>
  );
}
