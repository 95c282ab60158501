import { upsertAccount } from '../../src/db/accounts.ts';
import { insertDeal } from '../../src/db/deals.ts';
import type { InstallationRecord } from '../../src/db/installations.ts';
import { findInvoicesByNumber, upsertInvoiceRows } from '../../src/db/invoices.ts';
import type { Account, Deal, Invoice, NewDeal, NewInvoice, Queryable } from '../../src/db/schema.ts';

/** The workspace rows belong to unless a test says otherwise, and another one to prove isolation. */
export const TEAM = 'T0TEAM';
export const OTHER_TEAM = 'T0OTHER';

let seq = 0;
/** A number no other row of this test file has used. */
export function unique(): number {
  seq += 1;
  return seq;
}

/** `day` moved by `n` calendar days ('YYYY-MM-DD'). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export async function anAccount(
  db: Queryable,
  o: {
    teamId?: string;
    crmId?: string | null;
    name?: string;
    domain?: string | null;
    ownerUserId?: string | null;
  } = {},
): Promise<Account> {
  const n = unique();
  return upsertAccount(db, o.teamId ?? TEAM, {
    crmId: o.crmId === undefined ? `CRM-A-${n}` : o.crmId,
    name: o.name ?? `Account ${n}`,
    domain: o.domain ?? null,
    ownerUserId: o.ownerUserId ?? null,
  });
}

export async function aDeal(db: Queryable, account: Account, o: Partial<NewDeal> = {}): Promise<Deal> {
  const n = unique();
  const { deal } = await insertDeal(db, {
    team_id: account.team_id,
    crm_id: `CRM-D-${n}`,
    account_id: account.id,
    name: `Deal ${n}`,
    amount_cents: 100_000,
    currency: 'USD',
    closed_at: new Date('2026-03-01T12:00:00Z'),
    owner_user_id: account.owner_user_id,
    owner_email: null,
    prefill: '{}',
    source: 'webhook',
    ...o,
  });
  return deal;
}

export async function anInvoice(
  db: Queryable,
  account: Account,
  o: Partial<NewInvoice> = {},
): Promise<Invoice> {
  const number = o.number ?? `INV-${unique()}`;
  await upsertInvoiceRows(db, [
    {
      team_id: account.team_id,
      number,
      account_id: account.id,
      amount_cents: 50_000,
      balance_cents: 50_000,
      currency: 'USD',
      issued_on: '2026-01-01',
      due_on: '2026-02-01',
      ...o,
    },
  ]);
  const [invoice] = await findInvoicesByNumber(db, account.team_id, [number]);
  if (!invoice) throw new Error(`invoice ${number} was not stored`);
  return invoice;
}

/** An installation as the installer records it (tokens given already sealed). */
export function anInstallation(teamId: string, o: Partial<InstallationRecord> = {}): InstallationRecord {
  return {
    teamId,
    enterpriseId: null,
    teamName: `Team ${teamId}`,
    teamUrl: `https://${teamId.toLowerCase()}.slack.com/`,
    appId: 'A0APP',
    sealedBotToken: `v1.key.iv.tag.${teamId}`,
    sealedRefreshToken: null,
    botTokenExpiresAt: null,
    botUserId: `U0BOT${teamId}`,
    botId: `B0BOT${teamId}`,
    scopes: ['chat:write', 'commands'],
    installerUserId: 'U0ADMIN',
    ...o,
  };
}
