/**
 * A V8 CPU profile (.cpuprofile, from node:inspector in the API process: bench/graphql-server.ts) summed
 * up by where the time goes: each sample is charged to its leaf frame (self time), grouped by package
 * (node_modules/<package>), by Node's own modules (socket writes, HTTP, streams...), by this project's
 * files, and the V8 pseudo-frames (garbage collector, idle, program). Shares are of the busy time
 * (everything but idle), which is the event loop's CPU. `inclusive` charges each sample once to every
 * group that appears anywhere on its stack (so grafast's inclusive share holds what it calls).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileShare {
  group: string;
  /** Share of the busy (non-idle) time, 0-1. */
  self: number;
  inclusive: number;
}

export interface ProfileSummary {
  file: string;
  seconds: number;
  /** Share of the wall time the event loop was busy (not idle). */
  busy: number;
  groups: ProfileShare[];
  /** The heaviest functions by self time: `function (group, file:line)`. */
  topFunctions: Array<{ fn: string; self: number }>;
}

const SOCKET_WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writevGeneric', 'writeGeneric', 'handleWriteReq', '_writeGeneric', '_writev']);
const SOCKET_READS = new Set(['onStreamRead']);

/** The group of a frame: a package, a Node area, a project folder, or a V8 pseudo-frame. */
export function groupOf(frame: ProfileNode['callFrame'], projectRoot: string): string {
  const { functionName, url } = frame;
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)' || functionName === '(root)') return '(program: V8/native)';
  if (SOCKET_WRITES.has(functionName)) return 'socket writes';
  if (SOCKET_READS.has(functionName)) return 'socket reads';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '?');
    return name;
  }
  if (url.startsWith('node:')) {
    const module = url.slice('node:'.length);
    if (module.startsWith('internal/stream_base') || module === 'net') return 'socket writes';
    if (module.startsWith('_http') || module.startsWith('internal/http')) return 'node http';
    if (module.includes('stream')) return 'node streams';
    if (module.includes('async_hooks') || module.includes('async_local_storage')) return 'node async_hooks (AsyncLocalStorage)';
    if (module.includes('abort_controller') || module.includes('domexception')) return 'node AbortController';
    if (module.includes('task_queues') || module === 'internal/timers' || module === 'timers') return 'node ticks and timers';
    if (module === 'buffer' || module === 'internal/buffer') return 'node buffers';
    if (module === 'events') return 'node events';
    return 'node (other)';
  }
  if (url.startsWith('file://')) {
    const file = path.relative(projectRoot, new URL(url).pathname);
    const [top, second] = file.split('/');
    return top === 'server' || top === 'kernel' ? `switchboard ${top}/${second ?? ''}` : `switchboard ${top ?? file}`;
  }
  if (url === '') return `native ${functionName || '(anonymous)'}`;
  return url;
}

export async function summariseProfile(file: string, projectRoot: string, topN = 25): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const groupById = new Map(profile.nodes.map((node) => [node.id, groupOf(node.callFrame, projectRoot)]));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const fnSelf = new Map<string, number>();
  let idle = 0;
  let total = 0;
  // sample i lasted timeDeltas[i + 1] (the time until the next sample)
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i];
    if (id === undefined) continue;
    const us = profile.timeDeltas[i + 1] ?? 0;
    total += us;
    const group = groupById.get(id) ?? '?';
    if (group === '(idle)') {
      idle += us;
      continue;
    }
    self.set(group, (self.get(group) ?? 0) + us);
    const node = byId.get(id);
    if (node) {
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url ? `${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(server|kernel|bench)\//, '$1/')}:${lineNumber + 1}` : 'native';
      const key = `${functionName || '(anonymous)'} (${group}, ${where})`;
      fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
    }
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const g = groupById.get(at);
      if (g && !seen.has(g)) {
        seen.add(g);
        inclusive.set(g, (inclusive.get(g) ?? 0) + us);
      }
    }
  }
  const busy = total - idle;
  const share = (us: number): number => (busy > 0 ? us / busy : 0);
  return {
    file,
    seconds: total / 1e6,
    busy: total > 0 ? busy / total : 0,
    groups: [...self.entries()]
      .map(([group, us]) => ({ group, self: share(us), inclusive: share(inclusive.get(group) ?? us) }))
      .sort((a, b) => b.self - a.self),
    topFunctions: [...fnSelf.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([fn, us]) => ({ fn, self: share(us) })),
  };
}

/** The summary as lines of text (percentages of the busy time). */
export function formatProfile(summary: ProfileSummary, groups = 20): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(6);
  return [
    `CPU profile ${summary.file}: ${summary.seconds.toFixed(1)} s, event loop busy ${pct(summary.busy)}`,
    'self   incl.  group',
    ...summary.groups.slice(0, groups).map((g) => `${pct(g.self)} ${pct(g.inclusive)}  ${g.group}`),
    'top functions (self):',
    ...summary.topFunctions.map((f) => `${pct(f.self)}  ${f.fn}`),
  ].join('\n');
}
