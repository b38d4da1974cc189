/** KPI definitions by card id (camelCase: answerRate), from the API's kpiDefinitions (the SQL comments); fetched once per page. */
import { useMemo } from 'react';
import { KPI_DEFINITIONS } from '../api/operations/kpi-definitions.ts';
import { useQuery } from './use-query.ts';

const EMPTY = {};

/** answer_rate -> answerRate */
export function camelKpi(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

export function useKpiDefinitions(): ReadonlyMap<string, string> {
  const { data } = useQuery(KPI_DEFINITIONS, EMPTY);
  return useMemo(
    () => new Map((data?.kpiDefinitions ?? []).flatMap((d) => (d?.kpi && d.definition ? [[camelKpi(d.kpi), d.definition] as const] : []))),
    [data],
  );
}
