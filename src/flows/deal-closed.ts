import { z } from 'zod';
import type { Config } from '../config.ts';
import { upsertAccount } from '../db/accounts.ts';
import { type DealContext, getDealContext, insertDeal, setDealDmKey } from '../db/deals.ts';
import type { Db } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import {
  emptyHandoff,
  type HandoffFields,
  missingFields,
  parsePrefill,
  withKnown,
} from '../domain/handoff.ts';
import { isCurrencyCode } from '../domain/money.ts';
import { checkNewDeal, type NewDealCheck, type NewDealDraft } from '../domain/new-deal.ts';
import { enqueue } from '../outbox/outbox.ts';
import { describeIssues } from '../validation.ts';
import { dealClosedDm, ownerNotFound } from '../views/handoff-messages.ts';
import { refreshHomes } from './home.ts';

const id = z.union([z.string().trim().min(1).max(200), z.number().int().nonnegative().transform(String)]);

export const dealClosedBody = z.object({
  deal_id: id,
  deal_name: z.string().trim().min(1, 'must not be empty').max(300),
  amount_cents: z
    .number()
    .int('must be a whole number of minor units (cents)')
    .nonnegative()
    .max(Number.MAX_SAFE_INTEGER),
  currency: z
    .string()
    .trim()
    .transform((c) => c.toUpperCase())
    .refine(isCurrencyCode, 'must be an ISO 4217 currency code such as USD'),
  closed_at: z
    .union([z.iso.datetime({ offset: true }), z.iso.datetime({ local: true }), z.iso.date()], {
      error: 'must be an ISO 8601 date-time such as 2026-11-20T15:04:05Z (or a date, 2026-11-20)',
    })
    // Without an offset the time is taken as UTC; a bare date as noon UTC that day.
    .transform((v) =>
      /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T12:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`,
    ),
  owner: z
    .object({
      slack_user_id: z
        .string()
        .trim()
        .regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id such as U0123ABC')
        .optional(),
      email: z.email('must be an email address').optional(),
    })
    .refine((o) => o.slack_user_id || o.email, 'needs slack_user_id or email'),
  account: z.object({
    id: id,
    name: z.string().trim().min(1, 'must not be empty').max(300),
    domain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a domain such as example.com')
      .optional(),
  }),
  prefill: z.record(z.string(), z.unknown()).optional(),
});

export type DealClosedInput = z.output<typeof dealClosedBody> & { prefillFields: Partial<HandoffFields> };

/** Parses the webhook body; every problem is listed, the prefill's included. */
export function parseDealClosed(
  body: unknown,
): { ok: true; value: DealClosedInput } | { ok: false; problems: string[] } {
  const parsed = dealClosedBody.safeParse(body);
  const problems = parsed.success ? [] : describeIssues(parsed.error);
  const rawPrefill = (body as { prefill?: unknown } | null)?.prefill;
  let prefillFields: Partial<HandoffFields> = {};
  if (
    rawPrefill !== undefined &&
    rawPrefill !== null &&
    typeof rawPrefill === 'object' &&
    !Array.isArray(rawPrefill)
  ) {
    const prefill = parsePrefill(rawPrefill);
    if (prefill.ok) prefillFields = prefill.fields;
    else problems.push(...prefill.problems);
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { ...parsed.data, prefillFields } };
}

export interface DealClosedDeps {
  config: Config;
  db: Db;
  teamId: string;
}

/**
 * Records a closed deal and queues the owning rep's DM. Idempotent by CRM deal id: a replay
 * changes nothing and queues nothing.
 */
export async function recordClosedDeal(
  deps: DealClosedDeps,
  input: DealClosedInput,
): Promise<{ dealId: number; created: boolean }> {
  return deps.db.transaction().execute(async (trx) => {
    const account = await upsertAccount(trx, deps.teamId, {
      crmId: input.account.id,
      name: input.account.name,
      domain: input.account.domain ?? null,
      ownerUserId: input.owner.slack_user_id ?? null,
    });
    const { deal, created } = await insertDeal(trx, {
      team_id: deps.teamId,
      crm_id: input.deal_id,
      account_id: account.id,
      name: input.deal_name,
      amount_cents: input.amount_cents,
      currency: input.currency,
      closed_at: new Date(input.closed_at),
      owner_user_id: input.owner.slack_user_id ?? null,
      owner_email: input.owner.email?.toLowerCase() ?? null,
      prefill: JSON.stringify(input.prefillFields),
      source: 'webhook',
    });
    if (!created) return { dealId: deal.id, created: false };

    const summary = {
      dealId: deal.id,
      dealName: deal.name,
      accountName: account.name,
      amountCents: deal.amount_cents,
      currency: deal.currency,
    };
    const known = withKnown({ ...emptyHandoff(), currency: deal.currency }, input.prefillFields);
    const dmKey = `deal:${deal.id}:dm`;
    await setDealDmKey(trx, deal.id, dmKey);
    await enqueue(trx, {
      teamId: deps.teamId,
      dedupeKey: dmKey,
      target: {
        kind: 'deal_owner',
        dealId: deal.id,
        fallback: {
          channel: null,
          message: ownerNotFound({
            ...summary,
            ownerEmail: deal.owner_email,
            ownerSlackId: deal.owner_user_id,
          }),
        },
      },
      message: dealClosedDm({ ...summary, closedAt: deal.closed_at, missing: missingFields(known) }),
    });
    await refreshHomes(deps, trx, deps.teamId, [deal.owner_user_id]);
    return { dealId: deal.id, created: true };
  });
}

/**
 * A deal the rep entered with /handoff (the CRM never sent it): checked on the business day, then
 * created, owned by them, with its account (found by name, or new), once per modal. Returns it
 * with its account for the intake that follows, or the problems with what was entered.
 */
export async function recordSlackDeal(
  deps: Pick<Deps, 'db' | 'clock'>,
  d: { teamId: string; userId: string; viewId: string; draft: NewDealDraft },
): Promise<Exclude<NewDealCheck, { ok: true }> | { ok: true; ctx: DealContext }> {
  const checked = checkNewDeal(d.draft, deps.clock.now());
  if (!checked.ok) return checked;
  const input = checked.deal;
  const dealId = await deps.db.transaction().execute(async (trx) => {
    const account = await upsertAccount(trx, d.teamId, {
      crmId: null,
      name: input.accountName,
      ownerUserId: d.userId,
    });
    const { deal } = await insertDeal(trx, {
      team_id: d.teamId,
      crm_id: `slack:${d.viewId}`,
      account_id: account.id,
      name: input.name,
      amount_cents: input.amountCents,
      currency: input.currency,
      closed_at: new Date(`${input.closedOn}T12:00:00Z`),
      owner_user_id: d.userId,
      owner_email: null,
      prefill: '{}',
      source: 'slack',
    });
    return deal.id;
  });
  const ctx = await getDealContext(deps.db, d.teamId, dealId);
  if (!ctx) throw new Error(`deal ${dealId} vanished right after it was created`);
  return { ok: true, ctx };
}
