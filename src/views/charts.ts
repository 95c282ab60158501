/**
 * The digest's and App Home's charts as Vega-Lite specs: pure data, rendered to PNG by
 * src/charts/render.ts. Every chart is CHART_WIDTH × CHART_HEIGHT points (titles and axes
 * included), drawn in Inter, and says in its title what it shows; amounts in different currencies
 * never share a bar or an axis.
 */
import type { TopLevelSpec } from 'vega-lite';
import { AGING_BUCKETS, AGING_LABELS, type AgingBucket } from '../domain/collections.ts';
import type { DigestFigures, DsoFigures } from '../domain/digest.ts';
import { minorDigits } from '../domain/money.ts';

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 400;
export const CHART_FONT = 'Inter';

/** A chart to render and upload: its file name (stable per kind), the spec and what it says in words. */
export interface Chart {
  name: string;
  title: string;
  altText: string;
  spec: TopLevelSpec;
}

const AGING_COLOURS: Record<AgingBucket, string> = {
  current: '#2e7d32',
  '1_30': '#f9a825',
  '31_60': '#ef6c00',
  '61_90': '#d84315',
  '90_plus': '#b71c1c',
};

function base(title: string, subtitle: string): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 16,
    background: 'white',
    title: {
      text: title,
      subtitle,
      anchor: 'start',
      fontSize: 20,
      subtitleFontSize: 13,
      subtitleColor: '#555',
    },
    config: {
      font: CHART_FONT,
      view: { stroke: null },
      axis: { labelFontSize: 13, titleFontSize: 13, grid: true, gridColor: '#eee', domainColor: '#999' },
      legend: { labelFontSize: 13, titleFontSize: 13 },
    },
  };
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** '2026-11-30' → 'Nov 30'. */
function weekLabel(day: string): string {
  return `${MONTH_NAMES[Number(day.slice(5, 7)) - 1]} ${Number(day.slice(8, 10))}`;
}

function major(cents: number, currency: string): number {
  return cents / 10 ** minorDigits(currency);
}

/** Open receivables by aging bucket, in one currency. */
export function agingChart(
  aging: { currency: string; buckets: Record<AgingBucket, number> },
  subtitle: string,
): Chart {
  const { currency, buckets } = aging;
  const values = AGING_BUCKETS.map((b, i) => ({
    order: i,
    bucket: AGING_LABELS[b],
    amount: major(buckets[b], currency),
    colour: AGING_COLOURS[b],
  }));
  const title = `Open receivables by age (${currency})`;
  const format = `,.${Math.min(2, minorDigits(currency))}f`;
  return {
    name: `aging-${currency.toLowerCase()}`,
    title,
    altText: `${title}: ${values.map((v) => `${v.bucket} ${v.amount.toLocaleString('en-US')}`).join(', ')}`,
    spec: {
      ...base(title, subtitle),
      data: { values },
      encoding: {
        x: {
          field: 'bucket',
          type: 'nominal',
          sort: { field: 'order', op: 'min' },
          title: 'Days past due',
          axis: { labelAngle: 0 },
        },
        y: { field: 'amount', type: 'quantitative', title: currency, axis: { format: ',~s' } },
      },
      layer: [
        {
          mark: { type: 'bar', cornerRadiusEnd: 3 },
          encoding: { color: { field: 'colour', type: 'nominal', scale: null } },
        },
        {
          // Amounts over the bars that have one; an empty bucket shows no "0.00".
          transform: [{ filter: 'datum.amount > 0' }],
          mark: { type: 'text', dy: -8, fontSize: 13, color: '#333' },
          encoding: { text: { field: 'amount', type: 'quantitative', format } },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Days sales outstanding a week at a time, one line per currency. */
export function dsoChart(dso: readonly DsoFigures[], subtitle: string): Chart {
  const values = dso.flatMap((d) =>
    d.series.flatMap((p) =>
      p.days === null ? [] : [{ day: p.day, week: weekLabel(p.day), days: p.days, currency: d.currency }],
    ),
  );
  const title = 'Days sales outstanding, week by week';
  const latest = dso.map((d) => `${d.currency} ${d.days ?? 'n/a'} days`).join(', ');
  return {
    name: 'dso',
    title,
    altText: `${title}: ${latest || 'no sales in the last 13 weeks'}`,
    spec: {
      ...base(title, subtitle),
      data: { values },
      mark: { type: 'line', point: { size: 60 }, strokeWidth: 3 },
      encoding: {
        x: {
          field: 'week',
          type: 'ordinal',
          sort: { field: 'day', op: 'min' },
          title: 'Week ending',
          axis: { labelAngle: 0 },
        },
        y: { field: 'days', type: 'quantitative', title: 'Days', scale: { zero: true } },
        color: { field: 'currency', type: 'nominal', title: 'Currency' },
      },
    } as TopLevelSpec,
  };
}

/** Disputes opened in the week by reason; "discount missing or wrong" stands out. */
export function disputesChart(disputes: DigestFigures['disputes'], subtitle: string): Chart {
  const values = disputes.byReason.map((r, order) => ({
    order,
    label: r.label,
    count: r.count,
    discount: r.reason === 'discount_missing_or_wrong' ? 'Discount missing or wrong' : 'Other reasons',
  }));
  const title = 'Disputes opened this week, by reason';
  return {
    name: 'disputes',
    title,
    altText: `${title}: ${values.map((v) => `${v.label} ${v.count}`).join(', ') || 'none'}`,
    spec: {
      ...base(title, subtitle),
      data: { values },
      encoding: {
        y: {
          field: 'label',
          type: 'nominal',
          sort: { field: 'order', op: 'min' },
          title: null,
          axis: { labelLimit: 360 },
        },
        x: { field: 'count', type: 'quantitative', title: 'Disputes', axis: { tickMinStep: 1, format: 'd' } },
      },
      layer: [
        {
          mark: { type: 'bar', cornerRadiusEnd: 3 },
          encoding: {
            color: {
              field: 'discount',
              type: 'nominal',
              title: null,
              scale: {
                domain: ['Discount missing or wrong', 'Other reasons'],
                range: ['#e65100', '#5c6bc0'],
              },
              legend: { orient: 'bottom', labelLimit: 360 },
            },
          },
        },
        {
          mark: { type: 'text', dx: 8, align: 'left', fontSize: 13 },
          encoding: { text: { field: 'count' } },
        },
      ],
    } as TopLevelSpec,
  };
}

/** The digest's charts: aging (main currency), DSO and disputes, each only when it has something to show. */
export function digestCharts(figures: DigestFigures, mainCurrency: string | null, subtitle: string): Chart[] {
  const aging = figures.aging.find((a) => a.currency === mainCurrency);
  return [
    ...(aging ? [agingChart(aging, subtitle)] : []),
    ...(figures.dso.some((d) => d.series.some((p) => p.days !== null))
      ? [dsoChart(figures.dso, subtitle)]
      : []),
    ...(figures.disputes.total > 0 ? [disputesChart(figures.disputes, subtitle)] : []),
  ];
}
