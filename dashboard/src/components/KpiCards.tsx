/** The overview's KPI cards from a range summary (values and changes as the API computed them). */
import type { RangeSummary } from '../api/operations/fragments.ts';
import { useKpiDefinitions } from '../hooks/use-kpi-definitions.ts';
import { formatDuration, formatInteger, formatPercent, formatPointChange, formatRelativeChange } from '../format.ts';
import { KpiCard, type KpiCardProps } from './KpiCard.tsx';

export function kpiCardsOf(summary: RangeSummary): KpiCardProps[] {
  const c = summary.current;
  const d = summary.change;
  const count = (id: string, label: string, value: string | null | undefined, change: string | null | undefined, higherIsBetter = true): KpiCardProps => ({
    id, label, value: formatInteger(value), raw: value ?? null, change: formatRelativeChange(change), changeRaw: change ?? null, higherIsBetter,
  });
  const rate = (id: string, label: string, value: string | null | undefined, change: string | null | undefined): KpiCardProps => ({
    id, label, value: formatPercent(value), raw: value ?? null, change: formatPointChange(change), changeRaw: change ?? null,
  });
  return [
    { ...count('calls', 'Calls', c?.calls, d?.calls), hint: 'counts calls started in the period' },
    rate('answerRate', 'Answer rate', c?.answerRate, d?.answerRate),
    rate('successRate', 'Success rate', c?.successRate, d?.successRate),
    {
      id: 'averageDurationSeconds', label: 'Average duration', value: formatDuration(c?.averageDurationSeconds),
      raw: c?.averageDurationSeconds ?? null, change: formatRelativeChange(d?.averageDurationSeconds), changeRaw: d?.averageDurationSeconds ?? null,
    },
    { ...count('leads', 'Leads', c?.leads, d?.leads), hint: 'counts calls with an analysis (not contacts)' },
    { ...count('hotLeads', 'Hot leads', c?.hotLeads, d?.hotLeads), hint: 'counts calls whose analysis is hot' },
    rate('conversionRate', 'Conversion rate', c?.conversionRate, d?.conversionRate),
    rate('ctaRate', 'CTA rate', c?.ctaRate, d?.ctaRate),
    {
      ...count('creditsUsed', 'Credits used', c?.creditsUsed, d?.creditsUsed, false),
      hint: `${formatInteger(summary.creditsAvailable)} credits left`,
    },
  ];
}

export function KpiCards({ summary, cardHref, onOpen }: { summary: RangeSummary; cardHref?(id: string): string | undefined; onOpen?(href: string): void }) {
  const definitions = useKpiDefinitions();
  return (
    <div className="kpi-grid">
      {kpiCardsOf(summary).map((card) => (
        <KpiCard key={card.id} {...card} definition={definitions.get(card.id)} href={cardHref?.(card.id)} onOpen={onOpen} />
      ))}
    </div>
  );
}
