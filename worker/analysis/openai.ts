/**
 * The OpenAI analyser: chat completions with a strict JSON Schema response
 * format (generated from the zod schema), the answer parsed and validated with
 * zod. The client never retries by itself (maxRetries 0): graphile-worker owns
 * retries and their backoff, so a job's attempts are the true number of tries.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { z } from 'zod';
import { AnalysisAbortedError, AnalysisError } from './errors.ts';
import { userMessage } from './messages.ts';
import { ANALYSIS_SCHEMA_NAME, analysisJsonSchema, parseAnalysis, type AnalysisContext, type LeadAnalysis } from './schema.ts';
import type { AnalysisInput, Analyzer } from './types.ts';

export interface OpenAISettings {
  apiKey: string;
  /** Another OpenAI-compatible endpoint (default the official API). */
  baseURL?: string;
  model: string;
  /** One request's timeout in ms. */
  timeoutMs: number;
}

const SNIPPET = 200;

function snippet(text: string): string {
  return text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text;
}

/** An OpenAI client error as an AnalysisError (or an abort). */
export function classifyOpenAIError(error: unknown, timeoutMs: number): Error {
  if (error instanceof APIUserAbortError) return new AnalysisAbortedError('analysis request aborted', { cause: error });
  if (error instanceof APIConnectionTimeoutError) {
    return new AnalysisError('transient', `OpenAI request timed out after ${timeoutMs} ms`, { cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new AnalysisError('transient', `OpenAI connection error: ${error.message}`, { cause: error });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const { status } = error;
    const transient = status === 408 || status === 409 || status === 429 || status >= 500;
    return new AnalysisError(transient ? 'transient' : 'rejected', `OpenAI HTTP ${status}: ${snippet(error.message.replace(/^\d{3}\s+/, ''))}`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AnalysisError('transient', `OpenAI request failed: ${snippet(message)}`, { cause: error });
}

/** The assistant's answer as a validated analysis, or an `invalid_output` AnalysisError. */
export function readCompletion(completion: OpenAI.Chat.Completions.ChatCompletion, context: AnalysisContext): LeadAnalysis {
  const choice = completion.choices[0];
  if (!choice) throw new AnalysisError('invalid_output', 'OpenAI returned no choices');
  if (choice.message.refusal) throw new AnalysisError('invalid_output', `the model refused: ${snippet(choice.message.refusal)}`);
  if (choice.finish_reason === 'length') throw new AnalysisError('invalid_output', 'the answer was cut off (max tokens)');
  if (choice.finish_reason === 'content_filter') throw new AnalysisError('invalid_output', 'the answer was withheld by the content filter');
  const content = choice.message.content;
  if (!content?.trim()) throw new AnalysisError('invalid_output', 'the answer was empty');
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    throw new AnalysisError('invalid_output', `malformed JSON from the model: ${snippet(content)}`, { cause: error });
  }
  try {
    return parseAnalysis(json, context);
  } catch (error) {
    if (error instanceof z.ZodError) {
      const issues = error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
      throw new AnalysisError('invalid_output', `the answer does not match the schema: ${issues.join('; ')}`, { cause: error });
    }
    throw error;
  }
}

export function createOpenAIAnalyzer(settings: OpenAISettings): Analyzer {
  const client = new OpenAI({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    timeout: settings.timeoutMs,
    maxRetries: 0,
  });
  return {
    name: 'openai',
    model: settings.model,
    async analyze(input: AnalysisInput): Promise<LeadAnalysis> {
      const schema = analysisJsonSchema(input.context);
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await client.chat.completions.create(
          {
            model: settings.model,
            messages: [
              { role: 'system', content: input.instructions },
              { role: 'user', content: userMessage(input) },
            ],
            response_format: { type: 'json_schema', json_schema: { name: ANALYSIS_SCHEMA_NAME, strict: true, schema } },
          },
          { signal: input.signal },
        );
      } catch (error) {
        throw classifyOpenAIError(error, settings.timeoutMs);
      }
      return readCompletion(completion, input.context);
    },
  };
}
