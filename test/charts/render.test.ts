import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART_SCALE, chartSvg, renderChart } from '../../src/charts/render.ts';
import {
  agingChart,
  CHART_HEIGHT,
  CHART_WIDTH,
  digestCharts,
  disputesChart,
  dsoChart,
} from '../../src/views/charts.ts';
import { pngSize } from '../support/png.ts';

const WEEKS = [
  '2026-10-19',
  '2026-10-26',
  '2026-11-02',
  '2026-11-09',
  '2026-11-16',
  '2026-11-23',
  '2026-11-30',
  '2026-12-07',
];
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/digest');

const aging = agingChart(
  {
    currency: 'USD',
    buckets: {
      current: 5_400_000,
      '1_30': 2_300_000,
      '31_60': 1_250_050,
      '61_90': 400_000,
      '90_plus': 980_000,
    },
  },
  'Everyone · the 7 days to 2026-12-07',
);
const dso = dsoChart(
  [
    {
      currency: 'USD',
      days: 41,
      weekAgo: 44,
      change: -3,
      series: WEEKS.map((day, i) => ({ day, days: [40, 42, 45, 47, 46, 44, 44, 41][i] ?? null })),
    },
  ],
  'Everyone',
);
const disputes = disputesChart(
  {
    total: 6,
    discountMissing: 3,
    byReason: [
      { reason: 'discount_missing_or_wrong', label: 'Discount missing or wrong', count: 3 },
      { reason: 'po_missing_or_wrong', label: 'PO missing or wrong', count: 2 },
      { reason: 'other', label: 'Other', count: 1 },
    ],
  },
  'Everyone',
);

describe('charts', () => {
  it.each([
    ['aging', aging],
    ['dso', dso],
    ['disputes', disputes],
  ])(
    'the %s chart renders to a PNG of its size at twice the density, with its text drawn',
    async (_, chart) => {
      const png = await renderChart(chart);
      expect(pngSize(png)).toEqual({ width: CHART_WIDTH * CHART_SCALE, height: CHART_HEIGHT * CHART_SCALE });
      const svg = await chartSvg(chart);
      expect(svg).toContain(`width="${CHART_WIDTH}" height="${CHART_HEIGHT}"`);
      expect(svg).toContain(chart.title.split(' (')[0]);
      // Text is drawn with the bundled font: a chart without glyphs compresses to far less.
      expect(png.length).toBeGreaterThan(20_000);
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `sample-${chart.name}.png`), png);
    },
  );

  it('the digest shows only charts with something in them', () => {
    const empty = {
      week: { start: new Date(0), end: new Date(0), today: '1970-01-01' },
      handoffs: {
        closed: 0,
        completed: 0,
        closedAndCompleted: 0,
        completionRate: null,
        medianHoursToComplete: null,
        incompleteByRep: [],
      },
      overdueByRep: [],
      overdueTotal: [],
      collected: [],
      disputes: { total: 0, byReason: [], discountMissing: 0 },
      dso: [],
      aging: [],
    };
    expect(digestCharts(empty, null, 'x')).toEqual([]);
  });
});
