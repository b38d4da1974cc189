/**
 * SMS through the real `twilio` client with the platform's credentials.
 * `apiBaseUrl` points the client somewhere other than https://api.twilio.com
 * (a local fake in tests): twilio 6 has no base-URL option, but every REST call
 * goes through the client's `httpClient` (a RequestClient) with an absolute
 * URI, so a RequestClient subclass rewrites the origin. No automatic retries
 * (the job retries on its next run).
 */
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as TwilioResponseModule from 'twilio/lib/http/response.js';

export interface SmsSettings {
  accountSid: string;
  authToken: string;
  /** An E.164 number, or a Messaging Service SID (MG…). */
  from: string;
  /** Instead of https://api.twilio.com (and the other *.twilio.com hosts). */
  apiBaseUrl?: string;
  /** Per request (default 15000 ms). */
  timeoutMs?: number;
}

export interface SmsSender {
  /** Resolves with the message SID; rejects with an SmsError. */
  send(to: string, body: string): Promise<string>;
}

export class SmsError extends Error {
  override readonly name = 'SmsError';
  /** True when sending the same message again cannot succeed (bad number, rejected by Twilio). */
  readonly permanent: boolean;

  constructor(message: string, permanent: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.permanent = permanent;
  }
}

/** Sends every request to `baseUrl` instead of the *.twilio.com host it names. */
class RedirectingRequestClient extends twilio.RequestClient {
  readonly #base: URL;

  constructor(baseUrl: string, timeoutMs: number) {
    super({ timeout: timeoutMs });
    this.#base = new URL(baseUrl);
    this.axios.defaults.proxy = false;
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioResponseModule.default<TData>> {
    const target = new URL(opts.uri);
    const base = this.#base.pathname.replace(/\/$/, '');
    const uri = new URL(`${base}${target.pathname}${target.search}`, this.#base.origin).href;
    return super.request({ ...opts, uri });
  }
}

function describe(error: unknown): SmsError {
  if (error instanceof twilio.RestException) {
    // 429 and 5xx may pass; any other 4xx (invalid or unverified number, blocked, bad sender) will not.
    const permanent = error.status >= 400 && error.status < 500 && error.status !== 429;
    return new SmsError(`Twilio ${error.status}${error.code ? ` (${error.code})` : ''}: ${error.message}`, permanent, { cause: error });
  }
  return new SmsError(`Twilio request failed: ${error instanceof Error ? error.message : String(error)}`, false, { cause: error });
}

export function createSmsSender(settings: SmsSettings): SmsSender {
  const timeout = settings.timeoutMs ?? 15_000;
  const client = twilio(settings.accountSid, settings.authToken, {
    timeout,
    autoRetry: false,
    ...(settings.apiBaseUrl ? { httpClient: new RedirectingRequestClient(settings.apiBaseUrl, timeout) } : {}),
  });
  const sender = settings.from.startsWith('MG') ? { messagingServiceSid: settings.from } : { from: settings.from };
  return {
    async send(to, body) {
      try {
        const message = await client.messages.create({ to, body, ...sender });
        return message.sid;
      } catch (error) {
        throw describe(error);
      }
    },
  };
}
