import type { NewNotification } from '../outbox/outbox.ts';
import type { Chart } from '../views/charts.ts';

/** The outbox row that uploads a rendered chart; messages show it by naming `dedupeKey` in `files`. */
export function chartUpload(teamId: string, dedupeKey: string, chart: Chart, png: Buffer): NewNotification {
  return {
    teamId,
    dedupeKey,
    target: {
      kind: 'upload',
      filename: `${chart.name}.png`,
      title: chart.title,
      pngBase64: png.toString('base64'),
    },
    message: { text: chart.title },
  };
}
