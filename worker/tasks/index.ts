/** The task list (built from the worker's dependencies), and the payload type of every task identifier. */
import type { TaskList } from 'graphile-worker';
import type { Logger } from '../../kernel/log.ts';
import type { Analyzer } from '../analysis/types.ts';
import type { AnalyzePayload, MaintenancePayload, PrivacyExportPayload, RescoringPayload } from '../payloads.ts';
import type { SmsSender } from '../sms/twilio.ts';
import { createCallsAnalyze } from './calls__analyze.ts';
import { contacts__sync } from './contacts__sync.ts';
import { credits__post } from './credits__post.ts';
import { kpi__refresh } from './kpi__refresh.ts';
import { createPrivacyExport } from './privacy_requests__export.ts';
import { createRescoringProcess } from './rescoring_runs__process.ts';
import { createRetentionRun } from './retention__run.ts';
import { rollups__compact } from './rollups__compact.ts';
import { rollups__verify } from './rollups__verify.ts';
import { createUsageAlerts } from './usage__alerts.ts';
import { createWebhooksReplay } from './webhooks__replay.ts';

declare global {
  namespace GraphileWorker {
    interface Tasks {
      rollups__compact: MaintenancePayload;
      credits__post: MaintenancePayload;
      contacts__sync: MaintenancePayload;
      kpi__refresh: MaintenancePayload;
      rollups__verify: MaintenancePayload;
      calls__analyze: AnalyzePayload;
      retention__run: MaintenancePayload;
      webhooks__replay: MaintenancePayload;
      usage__alerts: MaintenancePayload;
      privacy_requests__export: PrivacyExportPayload;
      rescoring_runs__process: RescoringPayload;
    }
  }
}

export interface TaskDeps {
  analyzer: Analyzer;
  /** Null when Twilio is not configured (usage alerts stay 'pending'). */
  sms: SmsSender | null;
  logger: Logger;
}

export function createTaskList(deps: TaskDeps) {
  return {
    rollups__compact,
    credits__post,
    contacts__sync,
    kpi__refresh,
    rollups__verify,
    calls__analyze: createCallsAnalyze({ analyzer: deps.analyzer, logger: deps.logger.child('analyze') }),
    retention__run: createRetentionRun({ logger: deps.logger.child('retention') }),
    webhooks__replay: createWebhooksReplay({ logger: deps.logger.child('webhooks') }),
    usage__alerts: createUsageAlerts({ sms: deps.sms, logger: deps.logger.child('usage-alerts') }),
    privacy_requests__export: createPrivacyExport({ logger: deps.logger.child('privacy') }),
    rescoring_runs__process: createRescoringProcess({ analyzer: deps.analyzer, logger: deps.logger.child('rescoring') }),
  } satisfies TaskList;
}

export type TaskIdentifier = keyof ReturnType<typeof createTaskList>;
