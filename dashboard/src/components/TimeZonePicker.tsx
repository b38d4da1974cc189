/**
 * A searchable time zone list (WAI-ARIA combobox with a listbox popup): the
 * zones the browser knows (Intl.supportedValuesOf('timeZone')), filtered by
 * what is typed ("berl", "new york", "kolkata"); arrow keys move, Enter or a
 * click chooses, Escape closes. The typed text is the value: a zone that is not
 * in the list is sent as typed and the API says why it is refused.
 */
import { useId, useMemo, useState, type KeyboardEvent } from 'react';

const MAX_SHOWN = 50;

/**
 * Browsers (ICU) list some zones under their old names; people search for the
 * current ones, and PostgreSQL knows both. Shown and sent: the current name.
 */
const CURRENT_NAMES: Readonly<Record<string, string>> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Europe/Kiev': 'Europe/Kyiv',
  'America/Godthab': 'America/Nuuk',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Louisville': 'America/Kentucky/Louisville',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Pacific/Truk': 'Pacific/Chuuk',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Enderbury': 'Pacific/Kanton',
};

function currentName(zone: string): string {
  return CURRENT_NAMES[zone] ?? zone;
}

function allZones(): string[] {
  try {
    return [...new Set(Intl.supportedValuesOf('timeZone').map(currentName))].sort();
  } catch {
    return ['UTC'];
  }
}

/** The browser's own zone (preselected on sign-up), by its current name. */
export function browserTimeZone(): string {
  try {
    return currentName(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  } catch {
    return 'UTC';
  }
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[_/\s-]+/g, ' ').trim();
}

export interface TimeZonePickerProps {
  id?: string;
  label: string;
  value: string;
  onChange(value: string): void;
  /** Id of the element describing an error, for aria-describedby. */
  errorId?: string;
  invalid?: boolean;
}

export function TimeZonePicker({ id, label, value, onChange, errorId, invalid = false }: TimeZonePickerProps) {
  const generated = useId();
  const inputId = id ?? `${generated}-input`;
  const listId = `${generated}-list`;
  const zones = useMemo(allZones, []);
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState<string | null>(null);
  const [active, setActive] = useState(0);

  const matches = useMemo(() => {
    const words = normalise(query ?? '').split(' ').filter(Boolean);
    const found = words.length ? zones.filter((zone) => words.every((word) => normalise(zone).includes(word))) : zones;
    return found.slice(0, MAX_SHOWN);
  }, [zones, query]);

  const choose = (zone: string): void => {
    onChange(zone);
    setQuery(null);
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!open) {
        setOpen(true);
        return;
      }
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current) => (matches.length ? (current + step + matches.length) % matches.length : 0));
    } else if (event.key === 'Enter' && open && matches[active]) {
      event.preventDefault();
      choose(matches[active]);
    } else if (event.key === 'Escape') {
      setOpen(false);
      setQuery(null);
    }
  };

  const describedBy = [`${generated}-hint`, invalid && errorId ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div className="tz-picker">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name="timezone"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && matches[active] ? `${listId}-${active}` : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        autoComplete="off"
        spellCheck={false}
        value={query ?? value}
        onChange={(event) => {
          setQuery(event.target.value);
          onChange(event.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(false)}
        onClick={() => setOpen((current) => !current)}
        onBlur={() => {
          setOpen(false);
          setQuery(null);
        }}
        onKeyDown={onKeyDown}
      />
      <span id={`${generated}-hint`} className="muted small">
        Type to search (e.g. “berlin”, “new york”); daily KPIs follow this zone.
      </span>
      {open ? (
        <ul id={listId} role="listbox" aria-label={`${label} suggestions`} className="tz-list">
          {matches.length === 0 ? <li className="muted small tz-empty">No time zone matches “{query}”.</li> : null}
          {matches.map((zone, index) => (
            <li
              key={zone}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className={index === active ? 'tz-option active' : 'tz-option'}
              // mousedown, not click: the input's blur would close the list first
              onMouseDown={(event) => {
                event.preventDefault();
                choose(zone);
              }}
            >
              {zone.replace(/_/g, ' ')}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
