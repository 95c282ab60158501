/**
 * The sandbox's demo company: reps in three time zones, two AR staff and a sales manager; accounts
 * with deals in every handoff state (just closed, incomplete, complete, terms needing approval, an
 * owner nobody in Slack matches); invoices in every aging bucket, a dispute, a promise to pay, a
 * paid one, and an account past its credit hold threshold. Everything goes in through the app's
 * own flows, the same ones the webhook, the API and the modals run, then the sweeps run once.
 */
import { findInvoicesByNumber } from '../db/invoices.ts';
import { setManager, upsertPerson } from '../db/people.ts';
import { dayIn } from '../domain/dates.ts';
import { emptyHandoff, type HandoffFields } from '../domain/handoff.ts';
import { submitArUpdate } from '../flows/ar-updates.ts';
import { parseDealClosed, recordClosedDeal } from '../flows/deal-closed.ts';
import { saveHandoff } from '../flows/handoff.ts';
import { parseInvoicesBody } from '../flows/invoice-body.ts';
import { upsertInvoices } from '../flows/invoices.ts';
import { settingsFor } from '../flows/settings.ts';
import { runSweeps } from '../jobs/sweeps.ts';
import type { Running } from '../server.ts';
import { singleTeamId } from '../slack/workspaces.ts';
import { AR_LEAD, DEMO_PEOPLE, REP_LONDON, REP_NY, REP_SYDNEY } from './demo-people.ts';

const DAY = 86_400_000;

function completeHandoff(o: Partial<HandoffFields>): HandoffFields {
  return {
    ...emptyHandoff(),
    legalEntity: 'Initech LLC',
    billingAddress: '4120 Freidrich Lane, Austin, TX 78744',
    apContactName: 'Bill Lumbergh',
    apContactEmail: 'ap@initech.example',
    apContactPhone: '+1 512 555 0134',
    signerIsPayer: false,
    paymentTerms: 'net_30',
    poRequired: false,
    deliveryMethod: 'email',
    senderAllowlisted: true,
    hasSpecialTerms: false,
    firstInvoiceDate: null,
    billingFrequency: 'annual',
    taxExempt: false,
    currency: 'USD',
    ...o,
  };
}

interface DemoDeal {
  crm: string;
  name: string;
  account: { id: string; name: string; domain: string };
  amountCents: number;
  currency: string;
  closedDaysAgo: number;
  owner: { slack_user_id: string } | { email: string };
  handoff?: Partial<HandoffFields> & { complete: boolean };
}

const DEALS: readonly DemoDeal[] = [
  {
    crm: 'D-1001',
    name: 'Northwind: platform renewal',
    account: { id: 'A-NORTHWIND', name: 'Northwind Traders', domain: 'northwind.example' },
    amountCents: 4_800_000,
    currency: 'USD',
    closedDaysAgo: 0.1,
    owner: { slack_user_id: REP_NY },
  },
  {
    crm: 'D-1002',
    name: 'Globex: EMEA expansion',
    account: { id: 'A-GLOBEX', name: 'Globex Corporation', domain: 'globex.example' },
    amountCents: 12_500_000,
    currency: 'EUR',
    closedDaysAgo: 4,
    owner: { email: 'tom@demo.example' },
    handoff: {
      complete: false,
      legalEntity: 'Globex Europe GmbH',
      apContactName: 'Hank Scorpio',
      paymentTerms: 'net_45',
      currency: 'EUR',
    },
  },
  {
    crm: 'D-1003',
    name: 'Initech: annual licences',
    account: { id: 'A-INITECH', name: 'Initech', domain: 'initech.example' },
    amountCents: 3_600_000,
    currency: 'USD',
    closedDaysAgo: 40,
    owner: { slack_user_id: REP_NY },
    handoff: { complete: true },
  },
  {
    crm: 'D-1004',
    name: 'Wayne Enterprises: security suite',
    account: { id: 'A-WAYNE', name: 'Wayne Enterprises', domain: 'wayne.example' },
    amountCents: 9_900_000,
    currency: 'USD',
    closedDaysAgo: 70,
    owner: { slack_user_id: REP_SYDNEY },
    handoff: {
      complete: true,
      legalEntity: 'Wayne Enterprises Inc.',
      billingAddress: '1007 Mountain Drive, Gotham, NJ 07001',
      apContactName: 'Lucius Fox',
      apContactEmail: 'payables@wayne.example',
      paymentTerms: 'net_60',
      poRequired: true,
      poNumber: 'PO-77812',
      deliveryMethod: 'portal',
      portalName: 'Ariba',
      portalUrl: 'https://supplier.ariba.example/wayne',
      portalSupplierId: 'AN01012345678',
      hasSpecialTerms: true,
      specialTerms: '10% launch discount on the first invoice',
    },
  },
  {
    crm: 'D-1005',
    name: 'Umbrella: lab analytics',
    account: { id: 'A-UMBRELLA', name: 'Umbrella Corp', domain: 'umbrella.example' },
    amountCents: 2_250_000,
    currency: 'GBP',
    closedDaysAgo: 150,
    owner: { slack_user_id: REP_LONDON },
    handoff: {
      complete: true,
      legalEntity: 'Umbrella UK Ltd',
      currency: 'GBP',
      apContactEmail: 'ap@umbrella.example',
    },
  },
  {
    crm: 'D-1006',
    name: 'Stark Industries: pilot',
    account: { id: 'A-STARK', name: 'Stark Industries', domain: 'stark.example' },
    amountCents: 1_500_000,
    currency: 'USD',
    closedDaysAgo: 1,
    owner: { email: 'jordan.new.hire@demo.example' },
  },
];

interface DemoInvoice {
  number: string;
  account: string;
  deal?: string;
  amountCents: number;
  paidCents?: number;
  currency: string;
  /** Days from today to the due date (negative: past due). */
  dueInDays: number;
  status?: 'paid';
}

const INVOICES: readonly DemoInvoice[] = [
  {
    number: 'INV-1042',
    account: 'A-INITECH',
    deal: 'D-1003',
    amountCents: 1_800_000,
    currency: 'USD',
    dueInDays: 12,
  },
  {
    number: 'INV-1043',
    account: 'A-INITECH',
    deal: 'D-1003',
    amountCents: 1_800_000,
    currency: 'USD',
    dueInDays: -9,
  },
  {
    number: 'INV-2001',
    account: 'A-WAYNE',
    deal: 'D-1004',
    amountCents: 4_950_000,
    currency: 'USD',
    dueInDays: -38,
  },
  {
    number: 'INV-2002',
    account: 'A-WAYNE',
    deal: 'D-1004',
    amountCents: 4_950_000,
    paidCents: 4_950_000,
    currency: 'USD',
    dueInDays: -8,
    status: 'paid',
  },
  {
    number: 'INV-3001',
    account: 'A-UMBRELLA',
    deal: 'D-1005',
    amountCents: 1_125_000,
    currency: 'GBP',
    dueInDays: -72,
  },
  {
    number: 'INV-3002',
    account: 'A-UMBRELLA',
    deal: 'D-1005',
    amountCents: 1_125_000,
    currency: 'GBP',
    dueInDays: -104,
  },
  { number: 'INV-4001', account: 'A-NORTHWIND', amountCents: 640_000, currency: 'USD', dueInDays: -20 },
];

const isoDay = (now: Date, days: number, tz: string) => dayIn(tz, new Date(now.getTime() + days * DAY));

/** Loads the demo company through the app's flows at business time `now`. */
export async function loadDemoData(running: Running): Promise<void> {
  const { deps } = running;
  const { db } = deps;
  const teamId = singleTeamId(deps.workspaces);
  const zone = (await settingsFor(deps, teamId)).BUSINESS_TIMEZONE;
  const now = deps.clock.now();
  for (const p of DEMO_PEOPLE)
    await upsertPerson(db, teamId, {
      userId: p.id,
      email: p.email,
      name: p.realName,
      tz: p.tz,
      role: p.role,
    });
  for (const p of DEMO_PEOPLE) if (p.managerId) await setManager(db, teamId, p.id, p.managerId);

  for (const d of DEALS) {
    const parsed = parseDealClosed({
      deal_id: d.crm,
      deal_name: d.name,
      amount_cents: d.amountCents,
      currency: d.currency,
      closed_at: new Date(now.getTime() - d.closedDaysAgo * DAY).toISOString(),
      owner: d.owner,
      account: d.account,
    });
    if (!parsed.ok) throw new Error(`demo deal ${d.crm}: ${parsed.problems.join('; ')}`);
    const { dealId } = await recordClosedDeal({ ...deps, teamId }, parsed.value);
    if (!d.handoff || !('slack_user_id' in d.owner)) continue;
    const { complete, ...fields } = d.handoff;
    const handoff = complete
      ? completeHandoff({
          firstInvoiceDate: isoDay(now, -d.closedDaysAgo + 5, zone),
          ...fields,
        })
      : { ...emptyHandoff(), ...fields };
    await saveHandoff(deps, { teamId, userId: d.owner.slack_user_id, dealId, fields: handoff });
  }

  const body = parseInvoicesBody({
    invoices: INVOICES.map((inv) => ({
      number: inv.number,
      account: { id: inv.account },
      amount_cents: inv.amountCents,
      balance_cents: inv.amountCents - (inv.paidCents ?? 0),
      currency: inv.currency,
      issued_on: isoDay(now, inv.dueInDays - 30, zone),
      due_on: isoDay(now, inv.dueInDays, zone),
      ...(inv.status ? { status: inv.status } : {}),
      ...(inv.deal ? { deal_id: inv.deal } : {}),
    })),
  });
  if (!body.ok) throw new Error(`demo invoices: ${body.problems.join('; ')}`);
  await db.transaction().execute((trx) => upsertInvoices(deps, trx, teamId, body.rows, now));

  const ids = new Map(
    (await findInvoicesByNumber(db, teamId, ['INV-2001', 'INV-4001'])).map((i) => [i.number, i.id]),
  );
  const update = (number: string, draft: Record<string, unknown>) =>
    submitArUpdate(deps, {
      teamId,
      userId: AR_LEAD,
      viewId: `demo-${number}`,
      draft: {
        target: { type: 'invoice', id: ids.get(number) ?? 0 },
        kind: null,
        note: null,
        promiseDate: null,
        disputeReason: null,
        amountText: null,
        ...draft,
      },
    });
  await update('INV-2001', {
    kind: 'dispute_opened',
    disputeReason: 'discount_missing_or_wrong',
    note: 'Lucius says the 10% launch discount is missing from this invoice.',
  });
  await update('INV-4001', {
    kind: 'promise_to_pay',
    promiseDate: isoDay(now, 3, zone),
    note: 'Their AP will pay by wire on Friday.',
  });
  await runSweeps(deps, now);
  deps.notify();
}
