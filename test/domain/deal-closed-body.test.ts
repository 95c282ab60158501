import { describe, expect, it } from 'vitest';
import { parseDealClosed } from '../../src/flows/deal-closed.ts';

const base = {
  deal_id: 42,
  deal_name: 'Renewal',
  amount_cents: 100,
  currency: 'usd',
  owner: { email: 'Rep@Example.com' },
  account: { id: 7, name: 'Acme', domain: 'Acme.COM' },
};

describe('deal-closed body', () => {
  it.each([
    ['2026-11-20T15:04:05Z', '2026-11-20T15:04:05.000Z'],
    ['2026-11-20T15:04:05+02:00', '2026-11-20T13:04:05.000Z'],
    ['2026-11-20T15:04:05', '2026-11-20T15:04:05.000Z'],
    ['2026-11-20', '2026-11-20T12:00:00.000Z'],
  ])('reads closed_at %s as %s', (closedAt, instant) => {
    const parsed = parseDealClosed({ ...base, closed_at: closedAt });
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    expect(new Date(parsed.value.closed_at).toISOString()).toBe(instant);
    expect(parsed.value).toMatchObject({
      deal_id: '42',
      currency: 'USD',
      account: { id: '7', domain: 'acme.com' },
    });
  });

  it.each(['yesterday', '2026-02-30', '20/11/2026'])('refuses closed_at %s', (closedAt) => {
    const parsed = parseDealClosed({ ...base, closed_at: closedAt });
    expect(parsed).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^closed_at: must be an ISO 8601/)],
    });
  });

  it('lists prefill problems with the body’s', () => {
    const parsed = parseDealClosed({
      ...base,
      closed_at: 'soon',
      prefill: { payment_terms: 'net 999', colour: 'red' },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.join('\n')).toMatch(/closed_at/);
    expect(parsed.problems.join('\n')).toMatch(/prefill\.payment_terms/);
    expect(parsed.problems.join('\n')).toMatch(/prefill\.colour/);
  });
});
