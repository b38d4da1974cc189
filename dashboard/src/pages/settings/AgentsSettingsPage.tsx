/**
 * Agents and numbers: the business's AI calling agents with their provider,
 * the agent's id at the provider (how deliveries find it) and its phone
 * number. Add, rename, change the number, deactivate and reactivate; an agent
 * whose calls count in the KPIs is never deleted (its history stays). The
 * database checks everything (save_agent, set_agent_active); its message is
 * shown next to the field. Viewers see the list only.
 */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../api/client.ts';
import { AGENTS_SETTINGS, DELETE_AGENT, SAVE_AGENT, SET_AGENT_ACTIVE } from '../../api/operations/settings.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import { useMutation } from '../../hooks/use-mutation.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { announceSessionChange } from '../../hooks/use-session.ts';
import { canWrite, type Session } from '../../session.ts';
import { Field, FieldError } from './settings-forms.tsx';

const PROVIDERS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'bolna', label: 'Bolna' },
  { value: 'twilio', label: 'Twilio' },
  { value: 'vapi', label: 'Vapi' },
  { value: 'retell', label: 'Retell' },
  { value: 'other', label: 'Other' },
];

function providerLabel(value: string): string {
  return PROVIDERS.find((p) => p.value === value)?.label ?? value;
}

interface AgentRow {
  rowId: string;
  name: string;
  provider: string;
  providerAgentId: string;
  isActive: boolean;
  phoneNumber?: string | null;
  hasHistory?: boolean | null;
}

interface AgentFormProps {
  agent?: AgentRow;
  onDone(): void;
  onCancel?(): void;
}

function AgentForm({ agent, onDone, onCancel }: AgentFormProps) {
  const save = useMutation(SAVE_AGENT);
  const [provider, setProvider] = useState(agent?.provider ?? 'bolna');
  const [providerAgentId, setProviderAgentId] = useState(agent?.providerAgentId ?? '');
  const [name, setName] = useState(agent?.name ?? '');
  const [phoneNumber, setPhoneNumber] = useState(agent?.phoneNumber ?? '');
  const editing = agent !== undefined;
  const prefix = editing ? `agent-${agent.rowId}` : 'new-agent';

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await save.run({
      agentId: agent?.rowId ?? null,
      provider: editing ? null : provider,
      providerAgentId: editing ? null : providerAgentId,
      name,
      phoneNumber,
    });
    if (result?.saveAgent?.result) {
      if (!editing) {
        setProviderAgentId('');
        setName('');
        setPhoneNumber('');
      }
      announceSessionChange();
      onDone();
    }
  }

  const error: ApiError | undefined = save.error;
  return (
    <form className="settings-form" aria-label={editing ? `Edit ${agent.name}` : 'Add an agent'} onSubmit={submit} noValidate>
      <Field id={`${prefix}-provider`} label="Provider" error={error} field="provider">
        {editing ? (
          <input id={`${prefix}-provider`} value={providerLabel(provider)} readOnly aria-readonly="true" />
        ) : (
          <select id={`${prefix}-provider`} value={provider} onChange={(e) => setProvider(e.target.value)}>
            {PROVIDERS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        id={`${prefix}-pid`}
        label="Provider agent id"
        help={editing ? 'Fixed: deliveries are matched by it.' : 'As the provider names it; deliveries are matched by it.'}
        error={error}
        field="providerAgentId"
      >
        <input
          id={`${prefix}-pid`}
          value={providerAgentId}
          onChange={(e) => setProviderAgentId(e.target.value)}
          readOnly={editing}
          aria-readonly={editing ? 'true' : undefined}
          aria-describedby={`${prefix}-pid-help ${prefix}-pid-error`}
        />
      </Field>
      <Field id={`${prefix}-name`} label="Name" error={error} field="name">
        <input id={`${prefix}-name`} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} aria-describedby={`${prefix}-name-error`} />
      </Field>
      <Field id={`${prefix}-phone`} label="Phone number" help="Optional. International format, like +14155550123." error={error} field="phoneNumber">
        <input
          id={`${prefix}-phone`}
          value={phoneNumber}
          onChange={(e) => setPhoneNumber(e.target.value)}
          inputMode="tel"
          aria-describedby={`${prefix}-phone-help ${prefix}-phone-error`}
        />
      </Field>
      <div className="form-actions">
        <button type="submit" disabled={save.pending}>
          {editing ? 'Save changes' : 'Add agent'}
        </button>
        {onCancel ? (
          <button type="button" className="link-button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <FieldError error={error} field={undefined} />
      </div>
    </form>
  );
}

export function AgentsSettingsPage({ session }: { session: Session }) {
  const writable = canWrite(session);
  const { data, loading, error, refetch } = useQuery(AGENTS_SETTINGS, {});
  const setActive = useMutation(SET_AGENT_ACTIVE);
  const remove = useMutation(DELETE_AGENT);
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const agents: AgentRow[] = (data?.allAgents?.nodes ?? []).filter((agent): agent is NonNullable<typeof agent> => agent !== null);

  async function toggle(agent: AgentRow) {
    const result = await setActive.run({ agentId: agent.rowId, active: !agent.isActive });
    if (result) {
      announceSessionChange();
      refetch();
    }
  }

  async function deleteAgent(agent: AgentRow) {
    setConfirming(null);
    const result = await remove.run({ agentId: agent.rowId });
    if (result) {
      announceSessionChange();
      refetch();
    }
  }

  return (
    <div className="page">
      <h1>Agents and numbers</h1>
      <p className="muted">
        Each agent is one AI calling agent at a provider. Its provider agent id is how incoming deliveries find it; its phone number is
        the number it calls from or answers (international format, like +14155550123). Agents with calls are never deleted: deactivate
        them instead, and their calls stay in every figure. An agent without calls can be deleted.
      </p>
      {writable ? (
        <section className="settings-section" aria-labelledby="add-agent">
          <h2 id="add-agent">Add an agent</h2>
          <AgentForm onDone={refetch} />
        </section>
      ) : null}
      <section className="settings-section" aria-labelledby="agent-list">
        <h2 id="agent-list">Your agents</h2>
        <StatusGate label="agents" loading={loading} error={error} onRetry={refetch} empty={data !== undefined && agents.length === 0} emptyText="No agents yet.">
          {setActive.error ?? remove.error ? (
            <p className="form-error" role="alert">
              {(setActive.error ?? remove.error)?.message}
            </p>
          ) : null}
          <div className="table-scroll">
            <table className="data-table settings-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Provider agent id</th>
                  <th scope="col">Phone number</th>
                  <th scope="col">Status</th>
                  {writable ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {agents.map((agent) =>
                  editing === agent.rowId && writable ? (
                    <tr key={agent.rowId}>
                      <td colSpan={6}>
                        <AgentForm
                          agent={agent}
                          onDone={() => {
                            setEditing(null);
                            refetch();
                          }}
                          onCancel={() => setEditing(null)}
                        />
                      </td>
                    </tr>
                  ) : (
                    <tr key={agent.rowId} data-agent={agent.providerAgentId}>
                      <td data-label="Name">{agent.name}</td>
                      <td data-label="Provider">{providerLabel(agent.provider)}</td>
                      <td data-label="Provider id">
                        <code>{agent.providerAgentId}</code>
                      </td>
                      <td data-label="Phone">{agent.phoneNumber ?? <span className="muted">none</span>}</td>
                      <td data-label="Status">
                        <span className={`status-pill ${agent.isActive ? 'ok' : 'inactive'}`}>{agent.isActive ? 'Active' : 'Inactive'}</span>
                      </td>
                      {writable ? (
                        <td className="actions" data-label="Actions">
                          <div className="button-row">
                            <button type="button" onClick={() => setEditing(agent.rowId)} aria-label={`Edit ${agent.name}`}>
                              Edit
                            </button>
                            <button
                              type="button"
                              onClick={() => void toggle(agent)}
                              disabled={setActive.pending}
                              aria-label={`${agent.isActive ? 'Deactivate' : 'Reactivate'} ${agent.name}`}
                            >
                              {agent.isActive ? 'Deactivate' : 'Reactivate'}
                            </button>
                            {agent.hasHistory ? null : confirming === agent.rowId ? (
                              <>
                                <button type="button" className="danger" onClick={() => void deleteAgent(agent)} disabled={remove.pending}>
                                  Delete {agent.name} for good
                                </button>
                                <button type="button" className="link-button" onClick={() => setConfirming(null)}>
                                  Keep
                                </button>
                              </>
                            ) : (
                              <button type="button" onClick={() => setConfirming(agent.rowId)} aria-label={`Delete ${agent.name}`} title="Only agents without calls can be deleted">
                                Delete
                              </button>
                            )}
                          </div>
                        </td>
                      ) : null}
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          </div>
        </StatusGate>
      </section>
    </div>
  );
}
