/**
 * Recurring jobs (graphile-worker crontab syntax, times in the process's time
 * zone). Every entry has a job key, so a run still waiting in the queue is
 * replaced rather than duplicated, and its own queue, so runs of one task are
 * strictly serial (a new job whose key belongs to a running job waits behind it).
 */
export const crontab = [
  '* * * * * rollups__compact ?jobKey=rollups__compact&queue=rollups__compact&max=3',
  '* * * * * credits__post ?jobKey=credits__post&queue=credits__post&max=3',
  '* * * * * contacts__sync ?jobKey=contacts__sync&queue=contacts__sync&max=3',
  '*/5 * * * * kpi__refresh ?jobKey=kpi__refresh&queue=kpi__refresh&max=3',
  '30 3 * * * rollups__verify ?jobKey=rollups__verify&queue=rollups__verify&max=3',
].join('\n');
