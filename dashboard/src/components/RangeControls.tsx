/** Date range (7 / 30 / 90 days, custom) and agent filter; the values live in the URL. */
import { PRESETS, type DateRange, type ViewState } from '../view-state.ts';

export interface AgentOption {
  id: string;
  name: string;
  isActive: boolean;
}

export interface RangeControlsProps {
  view: ViewState;
  range: DateRange;
  onChange(change: Partial<ViewState>): void;
  /** Omitted: no agent filter (e.g. on the agent page). */
  agents?: readonly AgentOption[];
}

export function RangeControls({ view, range, onChange, agents }: RangeControlsProps) {
  return (
    <form className="controls" aria-label="View" onSubmit={(event) => event.preventDefault()}>
      <fieldset className="presets">
        <legend className="sr-only">Date range</legend>
        {PRESETS.map((preset) => (
          <label key={preset.value} className={`preset${view.range === preset.value ? ' active' : ''}`}>
            <input
              type="radio"
              name="range"
              value={preset.value}
              checked={view.range === preset.value}
              onChange={() =>
                onChange(
                  preset.value === 'custom'
                    ? { range: 'custom', from: view.from ?? range.fromDate, to: view.to ?? range.toDate }
                    : { range: preset.value, from: null, to: null },
                )
              }
            />
            {preset.label}
          </label>
        ))}
      </fieldset>
      {view.range === 'custom' ? (
        <div className="custom-range">
          <label>
            From{' '}
            <input type="date" name="from" value={view.from ?? range.fromDate} max={view.to ?? range.toDate} onChange={(event) => event.target.value && onChange({ from: event.target.value })} />
          </label>
          <label>
            To{' '}
            <input type="date" name="to" value={view.to ?? range.toDate} min={view.from ?? range.fromDate} onChange={(event) => event.target.value && onChange({ to: event.target.value })} />
          </label>
        </div>
      ) : null}
      {agents ? (
        <div className="agent-filter">
          <label htmlFor="agent-filter">Agent</label>
          <select id="agent-filter" name="agent" value={view.agent ?? ''} onChange={(event) => onChange({ agent: event.target.value || null })}>
            <option value="">All agents</option>
            {agents.map((agent) => (
              <option key={agent.id} value={agent.id}>
                {agent.name}
                {agent.isActive ? '' : ' (inactive)'}
              </option>
            ))}
          </select>
        </div>
      ) : null}
    </form>
  );
}
