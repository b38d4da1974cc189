/**
 * `setBolnaSigningSecret` and `setTwilioCredentials` mutations. The secret is
 * encrypted HERE (AES-256-GCM with SECRETS_KEY, server/webhooks/secrets.ts,
 * bound to the tenant and kind) and only the ciphertext goes to
 * `app_hidden.store_provider_secret`, through the request's own pg client:
 * its role and claims apply, so anonymous and API-key sessions are refused by
 * the database (42501 → FORBIDDEN). A Twilio account may be connected by
 * several tenants (callbacks go to the one whose auth token signed them, see
 * server/webhooks/twilio-route.ts). Both return the tenant's
 * `ingestSettings` (never the secrets).
 *
 * The key lives on the Express app (`attachSecretsKey` in server/app.ts); a
 * grafast middleware copies it into the GraphQL context of each request, so
 * building the schema (schema export) needs no key.
 */
import { sideEffectWithPgClientTransaction } from 'postgraphile/@dataplan/pg';
import { context, object, type FieldArgs } from 'postgraphile/grafast';
import { SafeError } from './safe-error.ts';
import { PROVIDER_INPUT_ERRORS, type ProviderInputErrorCode } from '../errors.ts';
import { extendSchema, gql } from 'postgraphile/utils';
import type { RequestAuth } from '../auth/request-auth.ts';
import { TWILIO_ACCOUNT_SID_FORMAT } from '../webhooks/credentials.ts';
import { encryptSecret, secretsKeyOf, type SecretKind } from '../webhooks/secrets.ts';

declare global {
  namespace Grafast {
    interface Context {
      /** SECRETS_KEY of the app serving the request (null outside Express). */
      providerSecretsKey: Buffer | null;
    }
  }
}

export const MIN_SECRET_LENGTH = 16;
const MAX_SECRET_LENGTH = 500;

interface StoreRequest {
  input: unknown;
  auth: RequestAuth;
  key: Buffer | null;
}

function field(input: unknown, name: string): unknown {
  return typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[name] : undefined;
}

/** An input error with its code, field and plain sentence from server/errors.ts. */
function invalid(code: ProviderInputErrorCode): SafeError {
  const { field: fieldName, message } = PROVIDER_INPUT_ERRORS[code];
  return new SafeError(message, { code, field: fieldName });
}

function secretText(value: unknown, code: ProviderInputErrorCode): string {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || value.length > MAX_SECRET_LENGTH) throw invalid(code);
  return value;
}

/** The signed-in tenant and the key; without them nothing can be encrypted. */
function encryptFor(request: StoreRequest, kind: SecretKind, plaintext: string): Buffer {
  if (request.auth.kind === 'anonymous') throw new SafeError('Sign in first.', { code: 'FORBIDDEN', statusCode: 403 });
  if (!request.key) throw new Error('no SECRETS_KEY is attached to the app serving this request');
  return encryptSecret(request.key, kind, request.auth.userId, plaintext);
}

function bolnaArguments(request: StoreRequest): [string, Buffer | null, null, boolean | null] {
  const secret = field(request.input, 'secret') ?? null;
  const requireSignature = field(request.input, 'requireSignature');
  const required = typeof requireSignature === 'boolean' ? requireSignature : null;
  if (secret === null) {
    if (required) throw invalid('SIGNATURE_NEEDS_SECRET');
    return ['bolna_signing_secret', null, null, false];
  }
  return ['bolna_signing_secret', encryptFor(request, 'bolna_signing_secret', secretText(secret, 'INVALID_SIGNING_SECRET')), null, required];
}

function twilioArguments(request: StoreRequest): [string, Buffer, string, null] {
  const accountSid = field(request.input, 'accountSid');
  if (typeof accountSid !== 'string' || !TWILIO_ACCOUNT_SID_FORMAT.test(accountSid)) {
    throw invalid('INVALID_ACCOUNT_SID');
  }
  const token = secretText(field(request.input, 'authToken'), 'INVALID_AUTH_TOKEN');
  return ['twilio_auth_token', encryptFor(request, 'twilio_auth_token', token), accountSid, null];
}

const STORE_SQL = 'select app_hidden.store_provider_secret($1, $2, $3, $4)';

export const ProviderSecretsPlugin: GraphileConfig.Plugin = {
  ...extendSchema((build) => {
    const executor = build.input.pgRegistry.pgExecutors.main;
    const settings = build.input.pgRegistry.pgResources.ingest_settings;
    if (!executor || !settings) throw new Error('ProviderSecretsPlugin: no main pg executor or ingest_settings function');
    const settingsType = build.inflection.tableType(settings.codec);

    const store = (toArguments: (request: StoreRequest) => unknown[]) =>
      function plan(_: unknown, fieldArgs: FieldArgs) {
        const $request = object({
          input: fieldArgs.getRaw('input'),
          auth: context().get('auth'),
          key: context().get('providerSecretsKey'),
        });
        sideEffectWithPgClientTransaction(executor, $request, async (client, request) => {
          await client.query({ text: STORE_SQL, values: toArguments(request) });
        });
        return settings.execute([]);
      };

    return {
      typeDefs: gql`
        input SetBolnaSigningSecretInput {
          "HMAC-SHA256 key for X-Switchboard-Signature (16-500 characters); null removes it."
          secret: String
          "Refuse deliveries without a valid signature (default: true when a secret is set)."
          requireSignature: Boolean
        }
        input SetTwilioCredentialsInput {
          "The Twilio account whose status callbacks come to /webhooks/twilio/status (AC + 32 hex digits)."
          accountSid: String!
          "Its auth token: Twilio signs every callback with it."
          authToken: String!
        }
        extend type Mutation {
          "Sets (or removes) the secret Bolna deliveries may be signed with. Password sessions only."
          setBolnaSigningSecret(input: SetBolnaSigningSecretInput!): ${settingsType}
          "Connects a Twilio account: its callbacks are verified with the auth token. Password sessions only."
          setTwilioCredentials(input: SetTwilioCredentialsInput!): ${settingsType}
        }
      `,
      objects: {
        Mutation: {
          plans: {
            setBolnaSigningSecret: store(bolnaArguments),
            setTwilioCredentials: store(twilioArguments),
          },
        },
      },
    };
  }, 'SwitchboardProviderSecretsPlugin'),
  grafast: {
    middleware: {
      prepareArgs(next, event) {
        event.args.contextValue.providerSecretsKey = secretsKeyOf(event.args.requestContext?.expressv4?.req.app) ?? null;
        return next();
      },
    },
  },
};
