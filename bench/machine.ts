/** What the figures were measured on. */
import os from 'node:os';
import type { BenchServer } from './cluster.ts';

export interface MachineInfo {
  cpu_model: string;
  cores: number;
  memory_gib: number;
  load_average_1m_at_start: number;
  os: string;
  postgres_version: string;
  node_version: string;
  /** True when the bench started its own throwaway cluster (else BENCH_DATABASE_URL). */
  embedded_cluster: boolean;
  postgres_settings: Record<string, string>;
}

export async function machineInfo(server: BenchServer, loadAtStart: number): Promise<MachineInfo> {
  const settings = await server.settings();
  const cpus = os.cpus();
  return {
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memory_gib: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    load_average_1m_at_start: loadAtStart,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    postgres_version: settings.server_version ?? 'unknown',
    node_version: process.version,
    embedded_cluster: server.embedded,
    postgres_settings: settings,
  };
}
