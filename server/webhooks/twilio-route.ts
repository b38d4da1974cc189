/**
 * Twilio voice status callbacks (form-encoded), on two URLs:
 *
 *   POST /webhooks/twilio/status/:token   per business (the tenant's webhook token, as Bolna's)
 *   POST /webhooks/twilio/status          global, routed by AccountSid
 *
 *   media type (415) → [token format (401, charged to the sender's address)]
 *   → sender's address has credit (429) → body (413, 408) → form (400) → AccountSid present (400)
 *   → tenant: by token (401), or every tenant that named this AccountSid (403; 503 database down)
 *   → X-Twilio-Signature over the public URL + parameters (401, 403): on the global URL the
 *     tenant whose auth token validates it is the one, so naming someone else's AccountSid
 *     (a squatter) neither receives nor blocks that account's callbacks
 *   → rate limit: the token / AccountSid when verified, else the sender's address (429)
 *   → tenant active (403) → required fields (400) → store + apply (200, 422; 503)
 *
 * The signature covers every parameter, so it is checked before the other
 * fields: an unsigned request learns nothing about what we expect. Nothing is
 * stored before the last step. Only a verified callback is charged to the
 * tenant's bucket (see ./rate-limit.ts).
 */
import type { Request, RequestHandler, Response } from 'express';
import { RequestError } from '../errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { noteRequest } from '../observability/request-notes.ts';
import { rawBody } from './body.ts';
import {
  BOLNA_TOKEN_FORMAT,
  BOLNA_TOKEN_PREFIX_LENGTH,
  findTwilioTenantByToken,
  findTwilioTenants,
  TWILIO_ACCOUNT_SID_FORMAT,
  type TwilioTenant,
} from './credentials.ts';
import { ingestDelivery, keptHeaders } from './ingest.ts';
import { chargeAfterVerify, ipSource, type WebhookLimiter } from './rate-limit.ts';
import { refuse, sendIngestResult, webhookHandler } from './respond.ts';
import type { RouteDeps } from './route-deps.ts';
import { TWILIO_SIGNATURE_HEADER, twilioRequestUrl, twilioSignatureRefusal, validTwilioSignature, verifyTwilioSignature } from './signatures.ts';
import { parseForm, parseTwilioCallback, twilioEventKey, type FormParams } from './twilio-payload.ts';
import { trimPadding } from './validation.ts';

const UNKNOWN_ACCOUNT_MESSAGE = 'No business has connected this Twilio account: enter its account SID and auth token in Settings → Providers in the Switchboard dashboard.';
const UNKNOWN_TOKEN_MESSAGE = 'Unknown webhook token: copy the status callback URL from Settings → Providers in the Switchboard dashboard (rotating the token there replaces the old URL).';

function tokenOf(req: Request): string {
  const token = req.params.token;
  return typeof token === 'string' ? token : '';
}

function requireAccountSid(form: FormParams): string {
  const accountSid = form.AccountSid;
  if (accountSid === undefined || accountSid === '') {
    throw new RequestError('MISSING_FIELD', "'AccountSid' is required.", { field: 'AccountSid' });
  }
  return accountSid;
}

/** Our number in the callback (From of an outbound call, To of an inbound one), unverified: only orders candidates. */
function ourNumber(form: FormParams): string | undefined {
  const number = trimPadding(form.Direction === 'inbound' ? form.To : form.From);
  return typeof number === 'string' ? number : undefined;
}

/** Stores and applies a callback whose signature was verified for `tenant`. */
async function ingest(deps: RouteDeps, log: Logger, req: Request, res: Response, tenant: TwilioTenant, form: FormParams): Promise<void> {
  noteRequest(req, { business: tenant.userId });
  if (!tenant.active) throw new RequestError('TENANT_INACTIVE', 'This account is deactivated; deliveries are not accepted.');
  const { params, callback } = parseTwilioCallback(form);
  const result = await ingestDelivery(deps.pool, {
    provider: 'twilio',
    userId: tenant.userId,
    eventKey: twilioEventKey(callback),
    payloadJson: JSON.stringify(params),
    headers: keptHeaders(req.headers, req.socket.remoteAddress),
  });
  sendIngestResult(res, result, log);
}

/** POST /webhooks/twilio/status: the tenant whose auth token validates the signature. */
export function twilioHandler(deps: RouteDeps, log: Logger): RequestHandler {
  return webhookHandler(log, 'twilio webhook', async (req: Request, res: Response) => {
    if (!deps.limiter.senderHasCredit(req, res)) return;
    const verified = await chargeAfterVerify(deps.limiter, req, res, async () => {
      const form = parseForm(rawBody(req));
      const accountSid = requireAccountSid(form);
      const candidates = TWILIO_ACCOUNT_SID_FORMAT.test(accountSid)
        ? await findTwilioTenants(deps.pool, deps.secretsKey, accountSid, ourNumber(form))
        : [];
      if (candidates.length === 0) throw new RequestError('UNKNOWN_ACCOUNT', UNKNOWN_ACCOUNT_MESSAGE);
      const signature = req.get(TWILIO_SIGNATURE_HEADER);
      const url = twilioRequestUrl(req, deps.publicBaseUrl);
      const tenant = candidates.find((candidate) => candidate.authToken !== undefined && validTwilioSignature(candidate.authToken, signature, url, form));
      // Says what is wrong with the request (missing / invalid), never which tenants were tried.
      if (!tenant) throw twilioSignatureRefusal(signature);
      return { source: `twilio:${accountSid}`, value: { form, tenant } };
    });
    if (verified) await ingest(deps, log, req, res, verified.tenant, verified.form);
  });
}

/** Before the body is read: a well-formed token (a malformed one is charged to the sender), from a sender with credit. */
export function twilioTokenGate(limiter: WebhookLimiter): RequestHandler {
  return (req, res, next) => {
    if (!BOLNA_TOKEN_FORMAT.test(tokenOf(req))) {
      if (limiter.admit(ipSource(req), res)) refuse(res, 'UNKNOWN_TOKEN', UNKNOWN_TOKEN_MESSAGE);
      return;
    }
    if (limiter.senderHasCredit(req, res)) next();
  };
}

/** POST /webhooks/twilio/status/:token: the token's tenant, whose auth token must have signed the callback. */
export function twilioTokenHandler(deps: RouteDeps, log: Logger): RequestHandler {
  return webhookHandler(log, 'twilio webhook', async (req: Request, res: Response) => {
    const token = tokenOf(req);
    const verified = await chargeAfterVerify(deps.limiter, req, res, async () => {
      const form = parseForm(rawBody(req));
      const tenant = await findTwilioTenantByToken(deps.pool, deps.secretsKey, token);
      if (!tenant) throw new RequestError('UNKNOWN_TOKEN', UNKNOWN_TOKEN_MESSAGE);
      const accountSid = requireAccountSid(form);
      if (!tenant.authToken || tenant.accountSid !== accountSid) throw new RequestError('UNKNOWN_ACCOUNT', UNKNOWN_ACCOUNT_MESSAGE);
      verifyTwilioSignature(tenant.authToken, req.get(TWILIO_SIGNATURE_HEADER), twilioRequestUrl(req, deps.publicBaseUrl), form);
      return { source: `twilio-token:${token.slice(0, BOLNA_TOKEN_PREFIX_LENGTH)}`, value: { form, tenant } };
    });
    if (verified) await ingest(deps, log, req, res, verified.tenant, verified.form);
  });
}
