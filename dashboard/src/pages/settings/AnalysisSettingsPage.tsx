/**
 * Settings → Analysis (issue 17, helper "analysis"): the topic taxonomy the
 * analysis tags calls with, the fixed objection classes, and the business's
 * success criteria (a name and a yes/no question answered for every analysed
 * call). Viewers read; PostgreSQL refuses their writes anyway.
 */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../api/client.ts';
import {
  ANALYSIS_SETTINGS, CREATE_ANALYSIS_TOPIC, CREATE_SUCCESS_CRITERION, DELETE_ANALYSIS_TOPIC, DELETE_SUCCESS_CRITERION,
  UPDATE_SUCCESS_CRITERION,
} from '../../api/operations/conversation.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import { useMutation } from '../../hooks/use-mutation.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { canWrite, type Session } from '../../session.ts';
import './analysis-settings.css';

const OBJECTIONS: ReadonlyArray<[string, string]> = [
  ['price', 'Price: cost or budget'], ['timing', 'Timing: not now'], ['authority', 'Authority: someone else decides'],
  ['need', 'No need'], ['competitor', 'Competitor: uses or prefers another vendor'], ['trust', 'Trust: doubts the caller or company'],
  ['other', 'Other'],
];

function words(text: string): string[] {
  return text.split(',').map((word) => word.trim().toLowerCase()).filter(Boolean);
}

function Problem({ error }: { error: ApiError | undefined }) {
  return error ? <p className="form-error" role="alert">{error.message}</p> : null;
}

export function AnalysisSettingsPage({ session }: { session: Session }) {
  const writable = canWrite(session);
  const query = useQuery(ANALYSIS_SETTINGS, {});
  const createTopic = useMutation(CREATE_ANALYSIS_TOPIC);
  const deleteTopic = useMutation(DELETE_ANALYSIS_TOPIC);
  const createCriterion = useMutation(CREATE_SUCCESS_CRITERION);
  const updateCriterion = useMutation(UPDATE_SUCCESS_CRITERION);
  const deleteCriterion = useMutation(DELETE_SUCCESS_CRITERION);
  const [topic, setTopic] = useState({ key: '', label: '', keywords: '' });
  const [criterion, setCriterion] = useState({ name: '', question: '', keywords: '' });
  const topics = (query.data?.allAnalysisTopics?.nodes ?? []).flatMap((t) => (t ? [t] : []));
  const criteria = (query.data?.allSuccessCriteria?.nodes ?? []).flatMap((c) => (c ? [c] : []));

  const addTopic = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const done = await createTopic.run({ key: topic.key.trim(), label: topic.label.trim(), description: undefined, keywords: words(topic.keywords) });
    if (done) {
      setTopic({ key: '', label: '', keywords: '' });
      query.refetch();
    }
  };
  const addCriterion = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const done = await createCriterion.run({ name: criterion.name.trim(), question: criterion.question.trim(), keywords: words(criterion.keywords) });
    if (done) {
      setCriterion({ name: '', question: '', keywords: '' });
      query.refetch();
    }
  };

  return (
    <div className="settings-page" data-page="analysis">
      <h1>Analysis</h1>
      <p className="muted">
        What every call analysis reports besides the lead score. Keywords are what the built-in (offline) analyser looks for;
        the AI model reads the names, descriptions and questions instead.{writable ? '' : ' You can read these settings; a manager or owner changes them.'}
      </p>
      <StatusGate label="analysis settings" loading={query.loading} error={query.error} onRetry={query.refetch}>
        <section className="panel" data-testid="topics">
          <h2>Topics</h2>
          <div className="analysis-table-wrap"><table>
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Key</th>
                <th scope="col">Keywords</th>
                {writable ? <th scope="col" aria-label="Actions" /> : null}
              </tr>
            </thead>
            <tbody>
              {topics.map((t) => (
                <tr key={t.rowId}>
                  <td>{t.label}{t.description ? <div className="muted">{t.description}</div> : null}</td>
                  <td><code>{t.key}</code></td>
                  <td>{(t.keywords ?? []).join(', ')}</td>
                  {writable ? (
                    <td>
                      <button type="button" className="link-button" onClick={async () => { if (await deleteTopic.run({ rowId: t.rowId })) query.refetch(); }}>
                        Remove
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table></div>
          <Problem error={deleteTopic.error} />
          {writable ? (
            <form className="inline-form" onSubmit={addTopic} aria-label="Add a topic">
              <label>Key <input value={topic.key} onChange={(e) => setTopic({ ...topic, key: e.target.value })} placeholder="contracts" required /></label>
              <label>Name <input value={topic.label} onChange={(e) => setTopic({ ...topic, label: e.target.value })} placeholder="Contracts" required /></label>
              <label>Keywords <input value={topic.keywords} onChange={(e) => setTopic({ ...topic, keywords: e.target.value })} placeholder="contract, terms" /></label>
              <button type="submit" disabled={createTopic.pending}>Add topic</button>
              <Problem error={createTopic.error} />
            </form>
          ) : null}
        </section>

        <section className="panel" data-testid="objections">
          <h2>Objections</h2>
          <p className="muted">Every analysis classifies the caller's objections into these fixed classes.</p>
          <ul>
            {OBJECTIONS.map(([key, label]) => (
              <li key={key}><code>{key}</code> — {label}</li>
            ))}
          </ul>
        </section>

        <section className="panel" data-testid="criteria">
          <h2>Success criteria</h2>
          <p className="muted">A yes/no question the analysis answers for every call; Insights shows each criterion's pass rate.</p>
          {criteria.length === 0 ? <p className="muted">No success criteria yet.</p> : (
            <div className="analysis-table-wrap"><table>
              <thead>
                <tr>
                  <th scope="col">Criterion</th>
                  <th scope="col">Keywords</th>
                  <th scope="col">Active</th>
                  {writable ? <th scope="col" aria-label="Actions" /> : null}
                </tr>
              </thead>
              <tbody>
                {criteria.map((c) => (
                  <tr key={c.rowId}>
                    <td><strong>{c.name}</strong><div className="muted">{c.question}</div></td>
                    <td>{(c.keywords ?? []).join(', ')}</td>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`${c.name} active`}
                        checked={c.isActive}
                        disabled={!writable || updateCriterion.pending}
                        onChange={async (e) => { if (await updateCriterion.run({ rowId: c.rowId, isActive: e.target.checked, name: undefined, question: undefined, keywords: undefined })) query.refetch(); }}
                      />
                    </td>
                    {writable ? (
                      <td>
                        <button type="button" className="link-button" onClick={async () => { if (await deleteCriterion.run({ rowId: c.rowId })) query.refetch(); }}>
                          Remove
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table></div>
          )}
          <Problem error={updateCriterion.error ?? deleteCriterion.error} />
          {writable ? (
            <form className="inline-form" onSubmit={addCriterion} aria-label="Add a success criterion">
              <label>Name <input value={criterion.name} onChange={(e) => setCriterion({ ...criterion, name: e.target.value })} placeholder="Budget confirmed" required /></label>
              <label>Question <input value={criterion.question} onChange={(e) => setCriterion({ ...criterion, question: e.target.value })} placeholder="Did the agent confirm the budget?" required /></label>
              <label>Keywords <input value={criterion.keywords} onChange={(e) => setCriterion({ ...criterion, keywords: e.target.value })} placeholder="budget" /></label>
              <button type="submit" disabled={createCriterion.pending}>Add criterion</button>
              <Problem error={createCriterion.error} />
            </form>
          ) : null}
        </section>
      </StatusGate>
    </div>
  );
}
