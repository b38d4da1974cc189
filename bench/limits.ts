/**
 * `npm run bench:limits`: what the GraphQL request limits cost on the dashboard's own documents,
 * in microseconds per request, without a server or a database (seconds, not the full bench's
 * 35 minutes).
 *
 * For each document the dashboard sends (dashboard/src/api/documents.ts), parsed once as grafserv
 * does (it caches the parse and the validation of a repeated document), it times:
 * - before: the document-length and page-size checks alone (the limits before the input,
 *   nesting and introspection limits were added);
 * - after: the full per-request work (document length and bracket nesting, introspection access,
 *   page sizes, argument depth/size/relation filters, limits.ts `checkDocumentText` + `checkRequest`);
 * - validation, once per new document: GraphQL's rules plus the old limit rules vs plus the new ones.
 * Variables are the ones the bench and the dashboard send (nulls for the default range, an agent id).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSchema, getNamedType, Kind, parse, specifiedRules, typeFromAST, validate, type DocumentNode, type GraphQLSchema } from 'postgraphile/graphql';
import { DOCUMENTS } from '../dashboard/src/api/documents.ts';
import { readConfig } from '../kernel/config.ts';
import { maxAliasesRule, maxDepthRule } from '../server/graphql/limit-rules.ts';
import { checkDocumentText, checkRequest, graphqlLimits, limitValidationRules } from '../server/graphql/limits.ts';
import { checkPagination } from '../server/graphql/pagination.ts';

const ITERATIONS = 20_000;
const REPEATS = 7;

/** Plausible variables: null for optional dates (the default range), a value for the rest. */
function variablesFor(schema: GraphQLSchema, document: DocumentNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const type = typeFromAST(schema, variable.type);
      const name = type ? getNamedType(type).name : '';
      const required = variable.type.kind === Kind.NON_NULL_TYPE;
      const sample: Record<string, unknown> = { UUID: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', Date: '2026-11-01', Int: 20, String: 'someone@example.com', Boolean: true };
      variables[variable.variable.name.value] = required || name !== 'Date' ? (sample[name] ?? null) : null;
    }
  }
  return variables;
}

/** Median microseconds per call of `run` over REPEATS rounds of ITERATIONS. */
function time(run: () => void, iterations = ITERATIONS): number {
  for (let i = 0; i < 1000; i += 1) run(); // warm-up (JIT, caches)
  const rounds: number[] = [];
  for (let r = 0; r < REPEATS; r += 1) {
    const started = performance.now();
    for (let i = 0; i < iterations; i += 1) run();
    rounds.push(((performance.now() - started) * 1000) / iterations);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)] ?? NaN;
}

function main(): void {
  const schema = buildSchema(readFileSync(path.resolve(import.meta.dirname, '../server/graphql/schema.graphql'), 'utf8'));
  const config = readConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) });
  const limits = graphqlLimits(config);
  const oldRules = [...specifiedRules, maxDepthRule(limits.maxDepth), maxAliasesRule(limits.maxAliases)];
  const newRules = [...specifiedRules, ...limitValidationRules(limits)];

  const rows: string[] = [];
  rows.push(`limits cost per request on the dashboard's documents (median of ${REPEATS} x ${ITERATIONS}; microseconds)`);
  rows.push(`${'document'.padEnd(18)} ${'before'.padStart(8)} ${'after'.padStart(8)} ${'added'.padStart(8)}   ${'validate old'.padStart(12)} ${'validate new'.padStart(12)}`);
  for (const { name, query } of DOCUMENTS) {
    const document = parse(query);
    const variables = variablesFor(schema, document);
    const oldErrors = validate(schema, document, oldRules);
    const newErrors = validate(schema, document, newRules);
    const requestErrors = checkRequest(limits, { schema, document, variableValues: variables, anonymous: false });
    if (oldErrors.length || newErrors.length || requestErrors.length) {
      throw new Error(`${name}: ${[...oldErrors, ...newErrors, ...requestErrors].map((e) => e.message).join('; ')}`);
    }
    // A fresh body per request (new query string, new variables), as JSON.parse gives each request.
    const json = JSON.stringify({ query, variables });
    const before = time(() => {
      const body = JSON.parse(json) as { query: string; variables: Record<string, unknown> };
      if (body.query.length > limits.maxDocumentChars) throw new Error('too long');
      checkPagination({ schema, document, variableValues: body.variables, maxPageSize: limits.maxPageSize });
    });
    const after = time(() => {
      const body = JSON.parse(json) as { query: string; variables: Record<string, unknown> };
      checkDocumentText(limits, body.query);
      checkRequest(limits, { schema, document, variableValues: body.variables, anonymous: false });
    });
    const validateOld = time(() => validate(schema, document, oldRules), 500);
    const validateNew = time(() => validate(schema, document, newRules), 500);
    rows.push(
      `${name.padEnd(18)} ${before.toFixed(2).padStart(8)} ${after.toFixed(2).padStart(8)} ${(after - before).toFixed(2).padStart(8)}   ${validateOld.toFixed(1).padStart(12)} ${validateNew.toFixed(1).padStart(12)}`,
    );
  }
  rows.push('(before/after include JSON.parse of the body, the same in both; validation runs once per new document, grafserv caches it)');
  rows.push(`load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')} on ${os.availableParallelism()} cores`);
  process.stdout.write(`${rows.join('\n')}\n`);
}

main();
