/** Small pieces the Providers and API keys pages share: a copy box for a value shown once, and an error next to a field. */
import { useState } from 'react';
import type { ApiError } from '../../api/client.ts';

/** The API's error when it is about this field (its code is one of `codes`). */
export function FieldError({ error, codes }: { error: ApiError | undefined; codes: readonly string[] }) {
  return error && codes.includes(error.code) ? (
    <span className="form-error field-error" role="alert" data-code={error.code}>
      {error.message}
    </span>
  ) : null;
}

/** The API's error when no field claims it. */
export function FormError({ error, fieldCodes }: { error: ApiError | undefined; fieldCodes: readonly string[] }) {
  return error && !fieldCodes.includes(error.code) ? (
    <p className="form-error" role="alert" data-code={error.code}>
      {error.message}
    </p>
  ) : null;
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** A read-only value with a Copy button (the clipboard, or the text selected to copy by hand). */
export function CopyBox({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  return (
    <div className="copy-box">
      <input
        readOnly
        value={value}
        aria-label={label}
        data-testid={testId}
        onFocus={(event) => event.currentTarget.select()}
        spellCheck={false}
      />
      <button
        type="button"
        onClick={async (event) => {
          const ok = await copyText(value);
          if (!ok) event.currentTarget.parentElement?.querySelector('input')?.select();
          setState(ok ? 'copied' : 'manual');
        }}
      >
        {state === 'copied' ? 'Copied' : 'Copy'}
      </button>
      {state === 'manual' ? <span className="muted small">Selected: press Ctrl+C (⌘C) to copy.</span> : null}
    </div>
  );
}
