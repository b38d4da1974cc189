/**
 * The layers, and no import cycles. kernel/ (config, logging, database, shutdown, metrics) imports
 * nothing of ours; worker/ imports only kernel/; server/ imports kernel/ and worker/ (it starts the
 * worker in-process), and dashboard source only from its build-time CLIs. No import cycles between our own modules (type-only imports and dynamic imports included): a
 * cycle makes load order matter and hides which module owns what. Imports are read by a parser
 * (Vite's `parseSync`, oxc), not by a regular expression; only relative specifiers are followed
 * (packages cannot cycle back).
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseSync } from 'vite';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../kernel/config.ts';

const FOLDERS = ['bench', 'dashboard/src', 'kernel', 'server', 'tests', 'worker'];
const SOURCE = /\.tsx?$/;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return SOURCE.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

function resolveRelative(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')];
  return candidates.find((candidate) => known.has(candidate));
}

/** Module graph: file -> the project files it imports. */
async function importGraph(files: readonly string[]): Promise<Map<string, string[]>> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = await readFile(file, 'utf8');
    const { module, errors } = parseSync(file, source, { lang: file.endsWith('.tsx') ? 'tsx' : 'ts' });
    if (errors.length > 0) throw new Error(`${file}: ${errors.map((e) => e.message).join('; ')}`);
    const specifiers = [
      ...module.staticImports.map((entry) => entry.moduleRequest.value),
      ...module.staticExports.flatMap((entry) => entry.entries.map((e) => e.moduleRequest?.value)),
      // import('...') with a literal: the request's span holds the quoted string.
      ...module.dynamicImports.map((entry) => source.slice(entry.moduleRequest.start, entry.moduleRequest.end).replace(/^['"`]|['"`]$/g, '')),
    ];
    const targets = specifiers
      .filter((specifier): specifier is string => specifier !== undefined && (specifier.startsWith('./') || specifier.startsWith('../')))
      .map((specifier) => resolveRelative(file, specifier, known))
      .filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('import cycles', () => {
  it('the cycle finder finds a cycle, a self-import, and none in a tree', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', ['a']]]))).toEqual([['a']]);
    expect(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });

  it(`none among the modules of ${FOLDERS.join(', ')}`, async () => {
    const files = FOLDERS.flatMap((folder) => sourceFiles(path.join(PROJECT_ROOT, folder)));
    const graph = await importGraph(files);
    // The graph really is read: bench/main.ts imports its report.
    expect(graph.get(path.join(PROJECT_ROOT, 'bench/main.ts'))).toContain(path.join(PROJECT_ROOT, 'bench/report.ts'));
    const found = cycles(graph).map((component) => component.map((file) => path.relative(PROJECT_ROOT, file)));
    expect(found).toEqual([]);
  });

  it('kernel/ imports nothing of server/, worker/ or dashboard/; worker/ nothing of server/; server/ no dashboard source outside its CLIs', async () => {
    const files = FOLDERS.flatMap((folder) => sourceFiles(path.join(PROJECT_ROOT, folder)));
    const graph = await importGraph(files);
    const top = (file: string): string => path.relative(PROJECT_ROOT, file);
    const forbidden: Array<[from: RegExp, to: RegExp]> = [
      [/^kernel\//, /^(server|worker|dashboard|bench|tests)\//],
      [/^worker\//, /^(server|dashboard|bench|tests)\//],
      [/^server\/(?!cli\/)/, /^(dashboard|bench|tests)\//],
    ];
    const crossings = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => forbidden.some(([from, to]) => from.test(top(file)) && to.test(top(target))))
        .map((target) => `${top(file)} -> ${top(target)}`),
    );
    // The rule is really checked: the worker does import the kernel.
    expect([...graph].some(([file, targets]) => top(file).startsWith('worker/') && targets.some((target) => top(target).startsWith('kernel/')))).toBe(true);
    expect(crossings).toEqual([]);
  });
});
