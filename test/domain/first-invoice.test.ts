import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emailDomain,
  type FirstInvoiceFacts,
  firstInvoicePlan,
  MAILTO_MAX,
  mailtoLink,
  withinDomain,
} from '../../src/domain/first-invoice.ts';
import { emptyHandoff, type HandoffFields } from '../../src/domain/handoff.ts';
import { firstInvoiceDm } from '../../src/views/first-invoice.ts';
import { slackLimitProblems } from '../../src/views/text.ts';

function facts(fields: Partial<HandoffFields>, o: Partial<FirstInvoiceFacts> = {}): FirstInvoiceFacts {
  return {
    number: 'INV-1',
    amountCents: 480_000,
    currency: 'USD',
    dueOn: '2026-12-31',
    url: 'https://billing.example/i/1',
    accountName: 'Acme',
    accountDomain: 'acme.example',
    fields: { ...emptyHandoff(), apContactName: 'Pat', apContactEmail: 'ap@acme.example', ...fields },
    ...o,
  };
}

describe('firstInvoicePlan', () => {
  it('prefills an email to the AP contact with the link', () => {
    const plan = firstInvoicePlan(
      facts({ legalEntity: 'Acme Holdings', senderAllowlisted: true, signerIsPayer: true }),
    );
    expect(plan.warnings).toEqual([]);
    expect(plan.mailto).toBe(
      'mailto:ap@acme.example?subject=Invoice%20INV-1%20for%20Acme%20Holdings&body=' +
        encodeURIComponent(
          'Hi Pat,\r\n\r\nHere is our first invoice, INV-1, for $4,800.00, due on Dec 31, 2026:\r\n' +
            'https://billing.example/i/1\r\n\r\nYou can view and pay it at that link. Please let me know if ' +
            'anything on it does not match what we agreed.\r\n\r\nThank you!',
        ),
    );
  });

  it('warns about the signer, the sender allow-list, a foreign AP domain and a missing AP email', () => {
    expect(firstInvoicePlan(facts({ signerIsPayer: false, senderAllowlisted: false })).warnings).toEqual([
      'signer_not_payer',
      'sender_not_allowlisted',
    ]);
    expect(firstInvoicePlan(facts({ senderAllowlisted: null })).warnings).toEqual(['allowlist_unknown']);
    expect(
      firstInvoicePlan(facts({ senderAllowlisted: true, apContactEmail: 'ap@gmail.com' })).warnings,
    ).toEqual(['ap_domain_differs']);
    expect(
      firstInvoicePlan(facts({ senderAllowlisted: true, apContactEmail: 'ap@eu.ACME.example' })).warnings,
    ).toEqual([]);
    const none = firstInvoicePlan(facts({ senderAllowlisted: true, apContactEmail: null }));
    expect(none).toMatchObject({ warnings: ['no_ap_email'], mailto: null });
  });

  it('domains: subdomains count, look-alikes do not', () => {
    expect(emailDomain('a@B.com')).toBe('b.com');
    expect(emailDomain('nobody')).toBeNull();
    expect(withinDomain('x.acme.com', 'www.acme.com')).toBe(true);
    expect(withinDomain('notacme.com', 'acme.com')).toBe(false);
  });

  it('for any handoff and link: the mailto fits, decodes to the invoice, and the DM is within Slack limits', () => {
    fc.assert(
      fc.property(
        fc.record({
          name: fc.option(fc.string({ maxLength: 200 }), { nil: null }),
          entity: fc.option(fc.string({ maxLength: 200 }), { nil: null }),
          signer: fc.constantFrom(true, false, null),
          allow: fc.constantFrom(true, false, null),
          path: fc.string({ maxLength: 1900 }),
          number: fc.string({ minLength: 1, maxLength: 60 }),
        }),
        (x) => {
          const f = facts(
            {
              apContactName: x.name,
              legalEntity: x.entity,
              signerIsPayer: x.signer,
              senderAllowlisted: x.allow,
            },
            { number: x.number, url: `https://b.example/${encodeURIComponent(x.path)}`.slice(0, 2000) },
          );
          const plan = firstInvoicePlan(f);
          expect(plan.mailto).not.toBeNull();
          expect((plan.mailto ?? '').length).toBeLessThanOrEqual(MAILTO_MAX);
          const subject = new URL(plan.mailto ?? '').searchParams.get('subject');
          expect(subject).toContain(x.number);
          expect(plan.warnings.includes('signer_not_payer')).toBe(x.signer === false);
          expect(plan.warnings.includes('sender_not_allowlisted')).toBe(x.allow === false);
          for (const sent of [null, { byUserId: 'U0REP', at: new Date('2026-12-01T10:00:00Z') }]) {
            const dm = firstInvoiceDm({ invoiceId: 1, facts: f, plan, sent });
            expect(slackLimitProblems(dm, 50)).toEqual([]);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('mailtoLink keeps the address readable and encodes the rest', () => {
    expect(mailtoLink('a+b@x.com', 'Hi & bye', 'l1\nl2')).toBe(
      'mailto:a%2Bb@x.com?subject=Hi%20%26%20bye&body=l1%0D%0Al2',
    );
  });
});
