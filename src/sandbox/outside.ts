/**
 * The world outside Slack, as the sandbox's panels drive it: the CRM closes a deal through the
 * signed webhook, Billing sends invoices through the API (or an aging export as CSV, imported as
 * `npm run import:invoices` does), and the Clock moves business time forward and runs the sweeps.
 */
import { describeProblems, parseInvoiceCsv } from '../domain/invoice-csv.ts';
import { upsertInvoices } from '../flows/invoices.ts';
import { runSweeps } from '../jobs/sweeps.ts';
import type { Running } from '../server.ts';
import { singleTeamId } from '../slack/workspaces.ts';
import type { MovableClock } from './clock.ts';
import { signWebhook } from './slack-requests.ts';

export interface OutsideOptions {
  /** The bot's own address, e.g. http://127.0.0.1:PORT */
  botUrl: string;
  webhookSecret: string;
  apiToken: string;
  running: Running;
  clock: MovableClock;
}

export interface Answer {
  status: number;
  body: unknown;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: shown as text.
  }
  return { status: res.status, body };
}

export type Outside = ReturnType<typeof createOutside>;

export function createOutside(o: OutsideOptions) {
  const { deps } = o.running;
  return {
    /** POST /webhooks/deal-closed, signed with WEBHOOK_SECRET, as a CRM sends it. */
    async closeDeal(body: unknown): Promise<Answer> {
      const raw = JSON.stringify(body);
      const res = await fetch(`${o.botUrl}/webhooks/deal-closed`, {
        method: 'POST',
        headers: signWebhook(o.webhookSecret, raw),
        body: raw,
      });
      return answer(res);
    },

    /** POST /api/invoices with the bearer token, as a billing system sends it. */
    async sendInvoices(body: unknown): Promise<Answer> {
      const res = await fetch(`${o.botUrl}/api/invoices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${o.apiToken}` },
        body: JSON.stringify(body),
      });
      return answer(res);
    },

    /** An AR aging export, imported whole or not at all, as `npm run import:invoices` does. */
    async importCsv(csv: string): Promise<Answer> {
      const parsed = parseInvoiceCsv(csv);
      if (!parsed.ok) {
        const problems = [
          ...(parsed.fileProblem ? [parsed.fileProblem] : []),
          ...describeProblems(parsed.problems),
        ];
        return { status: 400, body: { error: 'the file was not imported', problems } };
      }
      const now = deps.clock.now();
      const result = await deps.db
        .transaction()
        .execute((trx) => upsertInvoices(deps, trx, singleTeamId(deps.workspaces), parsed.rows, now));
      deps.notify();
      deps.sweepSoon();
      // The same answer as POST /api/invoices gives.
      return {
        status: 200,
        body: {
          received: parsed.rows.length,
          created: result.created,
          updated: result.updated,
          unchanged: result.unchanged,
          payments: result.payments,
          paid: result.paid,
          accounts_created: result.accountsCreated,
        },
      };
    },

    /** Moves business time forward and runs every sweep at the new "now". */
    async advance(hours: number): Promise<Answer> {
      o.clock.advance(hours * 3_600_000);
      const now = o.clock.now();
      const result = await runSweeps(deps, now);
      deps.notify();
      return { status: 200, body: { now: now.toISOString(), ...result } };
    },
  };
}
