/**
 * The overview of a business without real calls yet: a short checklist that
 * reads the real state from the API (onboardingStatus: providers, agents,
 * calls), a "send a test call" action (sendTestCall: a realistic Bolna
 * delivery through the webhook ingest path) and "remove test calls". It
 * disappears once a real call arrives.
 */
import type { OnboardingData } from '../api/operations/onboarding.ts';
import { REMOVE_TEST_CALLS, SEND_TEST_CALL } from '../api/operations/onboarding.ts';
import { useMutation } from '../hooks/use-mutation.ts';
import { navigate } from '../router.ts';
import { canWrite, type Session } from '../session.ts';
import './onboarding.css';

export type OnboardingState = NonNullable<OnboardingData['onboardingStatus']>;

interface Step {
  key: string;
  done: boolean;
  title: string;
  detail: string;
  href?: string;
  action?: string;
}

function link(href: string, text: string) {
  return (
    <a href={href} onClick={(event) => { event.preventDefault(); navigate(href); }}>
      {text}
    </a>
  );
}

export function Onboarding({ status, session, onChanged }: { status: OnboardingState; session: Session; onChanged(): void }) {
  const send = useMutation(SEND_TEST_CALL);
  const remove = useMutation(REMOVE_TEST_CALLS);
  const testCalls = Number(status.testCalls ?? 0);
  const connected = status.bolnaConnected === true || status.twilioConnected === true;
  const steps: Step[] = [
    {
      key: 'provider',
      done: connected,
      title: 'Connect a provider',
      detail: connected
        ? `Connected: ${[status.bolnaConnected ? 'Bolna' : '', status.twilioConnected ? 'Twilio' : ''].filter(Boolean).join(' and ')}.`
        : 'Paste your Switchboard webhook URL into Bolna, or your Twilio account into Switchboard.',
      href: '/settings/providers',
      action: 'Open Providers',
    },
    {
      key: 'agent',
      done: (status.activeAgents ?? 0) > 0,
      title: 'Add an agent',
      detail:
        (status.activeAgents ?? 0) > 0
          ? `${status.activeAgents} active agent${status.activeAgents === 1 ? '' : 's'}.`
          : "Add each Bolna agent (its agent id) or Twilio number, so calls are counted for it.",
      href: '/settings/agents',
      action: 'Open Agents',
    },
    {
      key: 'call',
      done: false,
      title: 'See your first call',
      detail: 'Calls appear here as your provider sends them, without reloading. Send a test call to see the whole pipeline work now.',
    },
  ];

  const sendTestCall = async (): Promise<void> => {
    if (await send.run({})) onChanged();
  };
  const removeTestCalls = async (): Promise<void> => {
    if (await remove.run({})) onChanged();
  };

  return (
    <section className="panel onboarding" aria-labelledby="onboarding-title" data-testid="onboarding">
      <h2 id="onboarding-title">Get your calls into Switchboard</h2>
      <ol className="onboarding-steps">
        {steps.map((step) => (
          <li key={step.key} data-step={step.key} data-done={step.done} className={step.done ? 'done' : ''}>
            <span className="onboarding-mark" aria-hidden="true">{step.done ? '✓' : ''}</span>
            <div>
              <strong>{step.title}</strong>
              <span className="sr-only">{step.done ? ' (done)' : ' (to do)'}</span>
              <p className="muted small">{step.detail}</p>
              {step.href && step.action && !step.done ? link(step.href, step.action) : null}
            </div>
          </li>
        ))}
      </ol>
      <div className="onboarding-test">
        {canWrite(session) ? (
          <button type="button" className="primary" onClick={() => void sendTestCall()} disabled={send.pending}>
            {send.pending ? 'Sending a test call…' : 'Send a test call'}
          </button>
        ) : null}
        {testCalls > 0 && canWrite(session) ? (
          <button type="button" onClick={() => void removeTestCalls()} disabled={remove.pending} data-testid="remove-test-calls">
            {remove.pending ? 'Removing…' : `Remove test call${testCalls === 1 ? '' : 's'}`}
          </button>
        ) : null}
      </div>
      {send.error ? (
        <p className="state-error" role="alert" data-testid="test-call-error">
          {send.error.message}
        </p>
      ) : null}
      {remove.error ? (
        <p className="state-error" role="alert">
          {remove.error.message}
        </p>
      ) : null}
      <p className="muted small" role="status" data-testid="test-calls">
        {testCalls > 0 ? (
          <>
            {testCalls} test call{testCalls === 1 ? '' : 's'} received
            {status.latestTestCallId ? <> (latest: {status.latestTestCallStatus ?? 'received'}, {link(`/calls/${status.latestTestCallId}`, 'open it')})</> : null}. Test calls are
            marked and count in the KPIs below until you remove them.
          </>
        ) : (
          'A test call is a realistic Bolna delivery for your first active Bolna agent, marked as a test; you can remove it again.'
        )}
      </p>
    </section>
  );
}
