/**
 * The one "not found" page for a route with an id (/calls/:id, /agents/:id,
 * /contacts/:id): a malformed id (the API's INVALID_ID), an unknown one or
 * another business's (NOT_FOUND, or nothing returned) all end here, never in a
 * raw API error.
 */
import type { ApiError } from '../api/client.ts';
import { navigate } from '../router.ts';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** True for an id the API can look up (a UUID); anything else is not found without asking. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** True when a page's lookup error means "there is no such record for you". */
export function isNotFoundError(error: ApiError | undefined): boolean {
  return error?.code === 'INVALID_ID' || error?.code === 'NOT_FOUND';
}

export interface NotFoundProps {
  /** What was looked for: "call", "agent", "contact". */
  what: string;
  /** Where to go back to. */
  backHref: string;
  backLabel: string;
}

export function NotFound({ what, backHref, backLabel }: NotFoundProps) {
  return (
    <div className="page not-found" data-page="not-found" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{what.charAt(0).toUpperCase() + what.slice(1)} not found</h1>
      <p>
        There is no {what} at this address in your business: the link may be mistyped, or the {what} was deleted or belongs to
        another account.
      </p>
      <p>
        <a
          href={backHref}
          onClick={(event) => {
            event.preventDefault();
            navigate(backHref);
          }}
        >
          ← {backLabel}
        </a>
      </p>
    </div>
  );
}
