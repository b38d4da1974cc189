/** The worker's external services, from the configuration (kernel/config.ts). */
import { readConfig, type Config } from '../kernel/config.ts';
import type { OpenAISettings } from './analysis/openai.ts';
import type { SmsSettings } from './sms/twilio.ts';

export interface ServiceSettings {
  /** Null: the built-in analyser. */
  openai: OpenAISettings | null;
  /** Null: usage-alert SMS stay pending. */
  sms: SmsSettings | null;
}

export function serviceSettings(config: Config = readConfig(process.env)): ServiceSettings {
  const { openaiApiKey, twilioAccountSid, twilioAuthToken, twilioSmsFrom } = config;
  return {
    openai: openaiApiKey
      ? { apiKey: openaiApiKey, baseURL: config.openaiBaseUrl, model: config.openaiModel, timeoutMs: config.openaiTimeoutMs }
      : null,
    sms:
      twilioAccountSid && twilioAuthToken && twilioSmsFrom
        ? { accountSid: twilioAccountSid, authToken: twilioAuthToken, from: twilioSmsFrom, apiBaseUrl: config.twilioApiBaseUrl }
        : null,
  };
}
