/** The analyser the worker uses: OpenAI when a key is configured, else the built-in one. */
import { createBuiltinAnalyzer } from './builtin.ts';
import { createOpenAIAnalyzer, type OpenAISettings } from './openai.ts';
import type { Analyzer } from './types.ts';

export type { Analyzer } from './types.ts';
export type { OpenAISettings } from './openai.ts';

export function createAnalyzer(openai: OpenAISettings | null): Analyzer {
  return openai ? createOpenAIAnalyzer(openai) : createBuiltinAnalyzer();
}
