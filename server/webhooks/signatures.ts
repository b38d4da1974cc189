/**
 * Signature checks, both before anything is stored:
 *
 * - Bolna documents no signature, so the URL token authenticates; a tenant may
 *   additionally require `X-Switchboard-Signature: sha256=<hex HMAC-SHA256(secret,
 *   raw body)>` (for senders that can add a header, e.g. a relay), compared in
 *   constant time.
 * - Twilio signs the URL it called plus the sorted POST parameters with the
 *   account's auth token (`X-Twilio-Signature`); the official package checks it.
 *   Behind a proxy, the URL Twilio called is the public one (PUBLIC_BASE_URL +
 *   path), not the one the request arrived at.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { RequestError } from '../errors.ts';

export const BOLNA_SIGNATURE_HEADER = 'x-switchboard-signature';
export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

const SHA256_HEADER = /^sha256=([0-9a-f]{64})$/i;

export function bolnaSignature(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Throws MISSING_SIGNATURE / INVALID_SIGNATURE unless `header` signs `body` with `secret`. */
export function verifyBolnaSignature(secret: string, header: string | undefined, body: Uint8Array): void {
  if (header === undefined || header.trim() === '') {
    throw new RequestError('MISSING_SIGNATURE', `This endpoint requires the ${BOLNA_SIGNATURE_HEADER} header (sha256=<hex HMAC-SHA256 of the body>).`);
  }
  const given = SHA256_HEADER.exec(header.trim())?.[1];
  const expected = createHmac('sha256', secret).update(body).digest();
  if (!given || !timingSafeEqual(Buffer.from(given, 'hex'), expected)) {
    throw new RequestError('INVALID_SIGNATURE', 'The signature does not match the body.');
  }
}

/** The URL Twilio called: the public base URL (when configured) + the path and query as received. */
export function twilioRequestUrl(req: Request, publicBaseUrl: string | undefined): string {
  const base = publicBaseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return `${base}${req.originalUrl}`;
}

/** True when `header` is Twilio's signature of `url` + `params` with `authToken`. */
export function validTwilioSignature(authToken: string, header: string | undefined, url: string, params: Record<string, string>): boolean {
  return header !== undefined && header.trim() !== '' && validateRequest(authToken, header.trim(), url, params);
}

/** The refusal of a Twilio request whose signature `header` validated for no auth token tried. */
export function twilioSignatureRefusal(header: string | undefined): RequestError {
  return header === undefined || header.trim() === ''
    ? new RequestError('MISSING_SIGNATURE', `Twilio deliveries must carry the ${TWILIO_SIGNATURE_HEADER} header.`)
    : new RequestError('INVALID_SIGNATURE', 'The Twilio signature does not match this URL and these parameters.');
}

/** Throws MISSING_SIGNATURE / INVALID_SIGNATURE unless Twilio signed `url` + `params` with `authToken`. */
export function verifyTwilioSignature(authToken: string, header: string | undefined, url: string, params: Record<string, string>): void {
  if (!validTwilioSignature(authToken, header, url, params)) throw twilioSignatureRefusal(header);
}
