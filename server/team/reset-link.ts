/**
 * One-time password-reset links for the platform operator (`npm run
 * password-reset -- <email>`): any login, found by email, gets a new link
 * (earlier unused ones stop working) through `app_hidden.password_reset_token`,
 * which also writes the audit trail. Runs on the owner pool.
 */
import type pg from 'pg';

export const RESET_PATH = '/reset-password/';
export const INVITE_PATH = '/invite/';

export interface OperatorResetLink {
  email: string;
  businessName: string;
  role: string;
  token: string;
  url: string;
}

/** The link for `email`, or undefined when no login has that email. */
export async function operatorResetLink(pool: pg.Pool, email: string, baseUrl: string): Promise<OperatorResetLink | undefined> {
  const { rows } = await pool.query<{ email: string; business_name: string; role: string; token: string }>(
    `select m.email::text as email, u.name as business_name, m.role, app_hidden.password_reset_token(m.id) as token
       from app_public.members m join app_public.users u on u.id = m.user_id
      where m.email = $1::public.citext`,
    [email.trim()],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    email: row.email,
    businessName: row.business_name,
    role: row.role,
    token: row.token,
    url: new URL(`${RESET_PATH}${encodeURIComponent(row.token)}`, baseUrl).toString(),
  };
}
