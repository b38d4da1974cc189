/**
 * Recurring jobs (graphile-worker crontab syntax, times in the process's time
 * zone). Every entry has a job key, so a run still waiting in the queue is
 * replaced rather than duplicated, and its own queue, so runs of one task are
 * strictly serial (a new job whose key belongs to a running job waits behind it).
 *
 * There is no separate clean-up entry: retention__run also removes old login
 * attempts, trigger errors, audit rows and applied webhook deliveries (they are
 * retention data types), and sessions are stateless JWTs. It runs before the
 * nightly verification, which then also covers what it purged.
 */
export const crontab = [
  '* * * * * rollups__compact ?jobKey=rollups__compact&queue=rollups__compact&max=3',
  '* * * * * credits__post ?jobKey=credits__post&queue=credits__post&max=3',
  '* * * * * contacts__sync ?jobKey=contacts__sync&queue=contacts__sync&max=3',
  '*/5 * * * * kpi__refresh ?jobKey=kpi__refresh&queue=kpi__refresh&max=3',
  '30 3 * * * rollups__verify ?jobKey=rollups__verify&queue=rollups__verify&max=3',
  '0 3 * * * retention__run ?jobKey=retention__run&queue=retention__run&max=3',
  '* * * * * webhooks__replay ?jobKey=webhooks__replay&queue=webhooks__replay&max=3',
  '* * * * * usage__alerts ?jobKey=usage__alerts&queue=usage__alerts&max=3',
].join('\n');
