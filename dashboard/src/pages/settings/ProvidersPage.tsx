/**
 * Providers: connect Bolna and Twilio from the dashboard.
 *
 * - Bolna: the webhook URL with its token. Only the token's SHA-256 is stored,
 *   so the full URL exists only in the answer of the mutation that creates or
 *   rotates it: shown then, once, with a copy button; afterwards masked (its
 *   visible prefix). Rotating asks first: the old URL stops working at once.
 *   The optional signing secret: set, replace, remove.
 * - Twilio: account SID and auth token (encrypted by the server), and the
 *   status callback URL to paste into Twilio.
 * - For each: when the last delivery arrived, the failed ones with the code
 *   and plain message the webhook answered, and a replay button.
 *
 * Secrets are the owner's: managers see the delivery status and can replay,
 * not the secret controls; viewers only read. PostgreSQL enforces the same.
 */
import { useState, type FormEvent } from 'react';
import type { ProvidersData } from '../../api/operations/providers.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import { formatDateTime, formatInteger } from '../../format.ts';
import { useProviders, useReplayDeliveries, useRotateBolnaToken, useSetBolnaSecret, useSetTwilio } from '../../hooks/use-providers.ts';
import { canWrite, isOwner, type Session } from '../../session.ts';
import { CopyBox, FieldError, FormError } from './settings-widgets.tsx';
import './providers.css';

type Settings = NonNullable<ProvidersData['ingestSettings']>;
type Summary = NonNullable<NonNullable<ProvidersData['providerDeliverySummaries']>[number]>;
type Failed = NonNullable<NonNullable<ProvidersData['failedDeliveries']>[number]>;
type Provider = 'bolna' | 'twilio';

const SECRET_CODES = ['INVALID_SIGNING_SECRET', 'SIGNATURE_NEEDS_SECRET'] as const;
const TWILIO_CODES = ['INVALID_ACCOUNT_SID', 'INVALID_AUTH_TOKEN'] as const;

function origin(): string {
  return window.location.origin;
}

function bolnaUrl(token: string): string {
  return `${origin()}/webhooks/bolna/${token}`;
}

function DeliveryLine({ summary, timeZone }: { summary: Summary | undefined; timeZone: string }) {
  if (!summary?.lastDeliveryAt) {
    return <p className="muted delivery-line" data-testid="last-delivery">No deliveries yet.</p>;
  }
  return (
    <p className="delivery-line" data-testid="last-delivery">
      Last delivery {formatDateTime(summary.lastDeliveryAt, timeZone)}
      {summary.lastAppliedAt && summary.lastAppliedAt !== summary.lastDeliveryAt
        ? ` · last applied ${formatDateTime(summary.lastAppliedAt, timeZone)}`
        : ''}
      {summary.failedDeliveries ? (
        <span className="badge badge-failed">{formatInteger(summary.failedDeliveries)} failed</span>
      ) : null}
    </p>
  );
}

function FailedDeliveries({
  provider,
  failed,
  timeZone,
  writable,
  onChanged,
}: {
  provider: Provider;
  failed: Failed[];
  timeZone: string;
  writable: boolean;
  onChanged(): void;
}) {
  const replay = useReplayDeliveries();
  const [outcome, setOutcome] = useState<string | null>(null);
  if (failed.length === 0 && !outcome) return null;
  const run = async (eventKeys: string[] | null) => {
    setOutcome(null);
    const result = (await replay.run({ provider, eventKeys }))?.replayFailedDeliveries?.result;
    if (result) {
      setOutcome(
        result.replayed === 0
          ? 'Nothing left to replay.'
          : `Replayed ${formatInteger(result.replayed)}: ${formatInteger(result.applied)} applied${result.stillFailed ? `, ${formatInteger(result.stillFailed)} still failing (fix the cause first)` : ''}.`,
      );
      onChanged();
    }
  };
  return (
    <div className="provider-section" data-testid={`${provider}-failed`}>
      <div className="panel-head">
        <h3>Failed deliveries</h3>
        {writable && failed.length > 1 ? (
          <button type="button" disabled={replay.pending} onClick={() => void run(null)}>
            Replay all
          </button>
        ) : null}
      </div>
      {failed.length ? (
        <p className="muted small">Stored but not applied. Fix the cause (for example add the agent or number), then replay: a delivery is never counted twice.</p>
      ) : null}
      <ul className="failed-list">
        {failed.map((f) => (
          <li key={f.eventKey} className="failed-item" data-testid="failed-delivery">
            <div className="failed-main">
              <div>
                <strong>{f.errorCode}</strong> <span className="muted small">{formatDateTime(f.receivedAt, timeZone)}</span>
              </div>
              <div>{f.errorMessage}</div>
              <div className="muted small">
                Call <code>{f.providerCallId ?? '—'}</code>, status {f.providerStatus ?? '—'}; {formatInteger(f.attempts)}{' '}
                {f.attempts === 1 ? 'attempt' : 'attempts'}
              </div>
            </div>
            {writable && f.eventKey ? (
              <button type="button" disabled={replay.pending} onClick={() => void run([f.eventKey ?? ''])}>
                Replay
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {outcome ? (
        <p role="status" className="small" data-testid={`${provider}-replay-outcome`}>
          {outcome}
        </p>
      ) : null}
      <FormError error={replay.error} fieldCodes={[]} />
    </div>
  );
}

function BolnaUrl({ settings, onChanged }: { settings: Settings | null; onChanged(): void }) {
  const rotate = useRotateBolnaToken();
  const [token, setToken] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const prefix = settings?.bolnaTokenPrefix ?? null;
  const create = async () => {
    const result = (await rotate.run({}))?.rotateBolnaIngestToken?.result;
    if (result) {
      setToken(result);
      setConfirming(false);
      onChanged();
    }
  };
  return (
    <div>
      <h3>Webhook URL</h3>
      {token ? (
        <>
          <CopyBox value={bolnaUrl(token)} label="Bolna webhook URL" testId="bolna-url" />
          <p className="once-note small" role="status">
            Copy it now and paste it as the webhook URL of your Bolna agents: it is shown only once (we keep only a fingerprint of it).
          </p>
        </>
      ) : prefix ? (
        <p className="masked-url" data-testid="bolna-url-masked">
          {bolnaUrl(`${prefix}…`)}
        </p>
      ) : (
        <p className="muted small">No URL yet. Create one, then paste it as the webhook URL of your Bolna agents.</p>
      )}
      {!prefix && !token ? (
        <button type="button" className="primary" disabled={rotate.pending} onClick={() => void create()}>
          Create webhook URL
        </button>
      ) : confirming ? (
        <div className="confirm-box" role="group" aria-label="Confirm rotation" data-testid="rotate-confirm">
          <p>
            <strong>Replace the webhook URL?</strong> The current URL stops working at once: Bolna's deliveries to it are refused until you
            paste the new URL into your Bolna agents.
          </p>
          <div className="button-row">
            <button type="button" className="danger" disabled={rotate.pending} onClick={() => void create()}>
              Rotate URL
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Rotate…
        </button>
      )}
      <FormError error={rotate.error} fieldCodes={[]} />
    </div>
  );
}

function BolnaSecret({ settings, onChanged }: { settings: Settings | null; onChanged(): void }) {
  const save = useSetBolnaSecret();
  const [secret, setSecret] = useState('');
  const [require, setRequire] = useState(true);
  const [saved, setSaved] = useState<string | null>(null);
  const isSet = settings?.bolnaSigningSecretSet === true;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    if (await save.run({ secret, requireSignature: require })) {
      setSecret('');
      setSaved(isSet ? 'Signing secret replaced.' : 'Signing secret set.');
      onChanged();
    }
  };
  const remove = async () => {
    setSaved(null);
    if (await save.run({ secret: null, requireSignature: false })) {
      setSaved('Signing secret removed.');
      onChanged();
    }
  };
  return (
    <div className="provider-section">
      <h3>Signing secret (optional)</h3>
      <p className="small" data-testid="bolna-secret-state">
        {isSet
          ? `Set${settings?.bolnaRequireSignature ? ': deliveries without a valid X-Switchboard-Signature are refused.' : ': signatures are checked when sent.'}`
          : 'Not set: deliveries are authenticated by the URL token alone.'}
      </p>
      <form className="settings-form" onSubmit={(event) => void submit(event)}>
        <label>
          {isSet ? 'New signing secret' : 'Signing secret'}
          <input
            type="password"
            autoComplete="new-password"
            value={secret}
            onChange={(event) => setSecret(event.target.value)}
            aria-invalid={save.error ? SECRET_CODES.some((c) => c === save.error?.code) : undefined}
          />
          <span className="muted small">16 to 500 characters; HMAC-SHA256 of the body, hex, in X-Switchboard-Signature.</span>
          <FieldError error={save.error} codes={SECRET_CODES} />
        </label>
        <label className="check">
          <input type="checkbox" checked={require} onChange={(event) => setRequire(event.target.checked)} /> Refuse unsigned deliveries
        </label>
        <div className="button-row">
          <button type="submit" disabled={save.pending || secret === ''}>
            {isSet ? 'Replace secret' : 'Set secret'}
          </button>
          {isSet ? (
            <button type="button" className="link-button" disabled={save.pending} onClick={() => void remove()}>
              Remove secret
            </button>
          ) : null}
        </div>
        <FormError error={save.error} fieldCodes={SECRET_CODES} />
        {saved ? <p role="status" className="small">{saved}</p> : null}
      </form>
    </div>
  );
}

function TwilioCredentials({ settings, onChanged }: { settings: Settings | null; onChanged(): void }) {
  const save = useSetTwilio();
  const [accountSid, setAccountSid] = useState('');
  const [authToken, setAuthToken] = useState('');
  const [saved, setSaved] = useState(false);
  const connected = settings?.twilioAuthTokenSet === true && settings.twilioAccountSid;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    if (await save.run({ accountSid: accountSid.trim(), authToken: authToken.trim() })) {
      setAuthToken('');
      setAccountSid('');
      setSaved(true);
      onChanged();
    }
  };
  return (
    <div className="provider-section">
      <h3>Account</h3>
      <p className="small" data-testid="twilio-state">
        {connected ? (
          <>
            Connected: account <code>{settings?.twilioAccountSid}</code>, auth token stored encrypted.
          </>
        ) : (
          'Not connected.'
        )}
      </p>
      <form className="settings-form" onSubmit={(event) => void submit(event)}>
        <label>
          Account SID
          <input
            type="text"
            autoComplete="off"
            spellCheck={false}
            placeholder="AC…"
            value={accountSid}
            onChange={(event) => setAccountSid(event.target.value)}
            aria-invalid={save.error?.code === 'INVALID_ACCOUNT_SID' || undefined}
          />
          <FieldError error={save.error} codes={['INVALID_ACCOUNT_SID']} />
        </label>
        <label>
          Auth token
          <input
            type="password"
            autoComplete="new-password"
            value={authToken}
            onChange={(event) => setAuthToken(event.target.value)}
            aria-invalid={save.error?.code === 'INVALID_AUTH_TOKEN' || undefined}
          />
          <FieldError error={save.error} codes={['INVALID_AUTH_TOKEN']} />
        </label>
        <div className="button-row">
          <button type="submit" disabled={save.pending || accountSid === '' || authToken === ''}>
            {connected ? 'Replace credentials' : 'Connect Twilio'}
          </button>
        </div>
        <FormError error={save.error} fieldCodes={TWILIO_CODES} />
        {saved ? <p role="status" className="small">Twilio credentials saved.</p> : null}
      </form>
    </div>
  );
}

function OwnerOnlyNote() {
  return <p className="muted small">Only the business owner can see and change the webhook URL and secrets.</p>;
}

export function ProvidersPage({ session }: { session: Session }) {
  const { data, loading, error, refetch } = useProviders();
  const owner = isOwner(session);
  const writable = canWrite(session);
  const settings = data?.ingestSettings ?? null;
  const summaries = (data?.providerDeliverySummaries ?? []).filter((s): s is Summary => s !== null);
  const failed = (data?.failedDeliveries ?? []).filter((f): f is Failed => f !== null);
  const summaryOf = (provider: Provider) => summaries.find((s) => s.provider === provider);
  const failedOf = (provider: Provider) => failed.filter((f) => f.provider === provider);
  return (
    <div className="page" data-page="providers">
      <div className="page-head">
        <div>
          <h1>Providers</h1>
          <p className="muted">Connect Bolna and Twilio: their webhooks send every call here, and the figures update as calls arrive.</p>
        </div>
      </div>
      <StatusGate label="provider settings" loading={loading} error={error} onRetry={refetch}>
        <div className="providers-grid">
          <section className="panel" aria-labelledby="bolna-title" data-testid="bolna">
            <h2 id="bolna-title">Bolna</h2>
            <DeliveryLine summary={summaryOf('bolna')} timeZone={session.timeZone} />
            {owner ? (
              <>
                <BolnaUrl settings={settings} onChanged={refetch} />
                <BolnaSecret settings={settings} onChanged={refetch} />
              </>
            ) : (
              <OwnerOnlyNote />
            )}
            <FailedDeliveries provider="bolna" failed={failedOf('bolna')} timeZone={session.timeZone} writable={writable} onChanged={refetch} />
          </section>
          <section className="panel" aria-labelledby="twilio-title" data-testid="twilio">
            <h2 id="twilio-title">Twilio</h2>
            <DeliveryLine summary={summaryOf('twilio')} timeZone={session.timeZone} />
            <h3>Status callback URL</h3>
            <CopyBox value={`${origin()}/webhooks/twilio/status`} label="Twilio status callback URL" testId="twilio-url" />
            <p className="muted small">
              Paste it as the Status Callback URL of your Twilio numbers or calls (events initiated, ringing, answered, completed). Each
              callback is verified with your auth token.
            </p>
            {owner ? <TwilioCredentials settings={settings} onChanged={refetch} /> : <OwnerOnlyNote />}
            <FailedDeliveries provider="twilio" failed={failedOf('twilio')} timeZone={session.timeZone} writable={writable} onChanged={refetch} />
          </section>
        </div>
      </StatusGate>
    </div>
  );
}
