/** The task list, and the payload type of every task identifier. */
import type { TaskList } from 'graphile-worker';
import type { MaintenancePayload } from '../payloads.ts';
import { contacts__sync } from './contacts__sync.ts';
import { credits__post } from './credits__post.ts';
import { kpi__refresh } from './kpi__refresh.ts';
import { rollups__compact } from './rollups__compact.ts';
import { rollups__verify } from './rollups__verify.ts';

declare global {
  namespace GraphileWorker {
    interface Tasks {
      rollups__compact: MaintenancePayload;
      credits__post: MaintenancePayload;
      contacts__sync: MaintenancePayload;
      kpi__refresh: MaintenancePayload;
      rollups__verify: MaintenancePayload;
    }
  }
}

export const taskList = {
  rollups__compact,
  credits__post,
  contacts__sync,
  kpi__refresh,
  rollups__verify,
} satisfies TaskList;

export type TaskIdentifier = keyof typeof taskList;
