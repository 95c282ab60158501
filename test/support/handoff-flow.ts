import { expect } from 'vitest';
import type { Harness } from './harness.ts';
import { fillModal } from './modal-state.ts';
import { sendBlockActions, sendViewSubmission } from './slack-request.ts';

/** Intake answers that make a handoff complete (modal block ids → values). */
export const COMPLETE_HANDOFF = {
  legal_entity: 'Acme Holdings Ltd',
  billing_address: '1 Main St\nSpringfield',
  ap_contact_name: 'Pat Payables',
  ap_contact_email: 'ap@acme.example',
  payment_terms: 'net_30',
  po_required: 'no',
  delivery_method: 'email',
  has_special_terms: 'no',
  first_invoice_date: '2026-12-01',
  billing_frequency: 'monthly',
  currency: 'USD',
} as const;

export interface ClosedDeal {
  dealCrmId: string;
  accountCrmId: string;
  accountName: string;
  dealId: number;
}

/**
 * A deal closed through the signed CRM webhook, its DM's button clicked and the intake submitted
 * by the rep with `answers` (over COMPLETE_HANDOFF), as a person would; then the outbox is drained.
 */
export async function closeDealWithHandoff(
  h: Harness,
  o: {
    rep: string;
    key: string;
    answers?: Record<string, string>;
    /** The CRM's prefill: it also shows the inputs that depend on an answer (special terms, PO). */
    prefill?: Record<string, unknown>;
    domain?: string;
  },
): Promise<ClosedDeal> {
  const body = {
    deal_id: `D-${o.key}`,
    deal_name: `Deal ${o.key}`,
    amount_cents: 1_200_000,
    currency: 'USD',
    closed_at: new Date(Date.now() - 3_600_000).toISOString(),
    owner: { slack_user_id: o.rep },
    account: { id: `A-${o.key}`, name: `Customer ${o.key}`, ...(o.domain ? { domain: o.domain } : {}) },
    ...(o.prefill ? { prefill: o.prefill } : {}),
  };
  const res = await h.postSigned('/webhooks/deal-closed', body);
  expect(res.status).toBe(202);
  const [dm] = await h.fake.waitFor(
    'chat.postMessage',
    (c) => c.args.channel === o.rep && JSON.stringify(c.args.blocks).includes(body.deal_name),
  );
  const id =
    /"action_id":"handoff_open"[^}]*"value":"(\d+)"|"value":"(\d+)"[^}]*"action_id":"handoff_open"/.exec(
      JSON.stringify(dm?.args.blocks),
    );
  const dealId = Number(id?.[1] ?? id?.[2]);
  expect(dealId).toBeGreaterThan(0);
  const trigger = `trigger-${o.key}`;
  await sendBlockActions(h.slack, {
    userId: o.rep,
    triggerId: trigger,
    actions: [{ action_id: 'handoff_open', type: 'button', value: String(dealId) }],
  });
  const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === trigger);
  const view = open?.args.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
  const submitted = await sendViewSubmission(h.slack, {
    userId: o.rep,
    view: {
      id: `V-${o.key}`,
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      state: { values: fillModal(view, { ...COMPLETE_HANDOFF, ...o.answers }) },
    },
  });
  expect(submitted.text).toBe('');
  await h.drain();
  return { dealCrmId: body.deal_id, accountCrmId: body.account.id, accountName: body.account.name, dealId };
}
