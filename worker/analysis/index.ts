/** The analyser the worker uses: OpenAI when a key is configured, else the built-in one. */
import { createBuiltinAnalyzer } from './builtin.ts';
import type { GradeLead } from './grade.ts';
import { createOpenAIAnalyzer, type OpenAISettings } from './openai.ts';
import type { Analyzer } from './types.ts';

export type { Analyzer } from './types.ts';
export type { OpenAISettings } from './openai.ts';

/** `grade`: the lead rules in SQL, for the built-in analyser (see grade.ts). */
export function createAnalyzer(openai: OpenAISettings | null, grade: GradeLead): Analyzer {
  return openai ? createOpenAIAnalyzer(openai) : createBuiltinAnalyzer(grade);
}
