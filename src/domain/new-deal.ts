import { decimalToMinor } from './decimal.ts';

/** What a rep typed into the new-deal modal. */
export interface NewDealDraft {
  name: string;
  accountName: string;
  currency: string;
  amountText: string;
  /** 'YYYY-MM-DD' as the date picker gives it, or null. */
  closedOn: string | null;
}

/** A deal the rep entered, checked. */
export interface NewDeal {
  name: string;
  accountName: string;
  currency: string;
  amountCents: number;
  closedOn: string;
}

export type NewDealField = 'name' | 'accountName' | 'amount' | 'closedOn';

export type NewDealCheck =
  | { ok: true; deal: NewDeal }
  | { ok: false; problems: Partial<Record<NewDealField, string>> };

/** A closed deal needs a name, a customer, an amount in its currency and a closing day not after tomorrow. */
export function checkNewDeal(d: NewDealDraft, now: Date): NewDealCheck {
  const name = d.name.trim();
  const accountName = d.accountName.trim();
  const amount = decimalToMinor(d.amountText, d.currency);
  const problems: Partial<Record<NewDealField, string>> = {};
  if (!name) problems.name = 'Give the deal a name.';
  if (!accountName) problems.accountName = 'Which customer is this deal with?';
  if (amount === null || amount < 0)
    problems.amount = `Enter the amount in ${d.currency}, for example 48000.00.`;
  if (!d.closedOn || !/^\d{4}-\d{2}-\d{2}$/.test(d.closedOn))
    problems.closedOn = 'Pick the day the deal closed.';
  else if (new Date(`${d.closedOn}T00:00:00Z`).getTime() > now.getTime() + 86_400_000)
    problems.closedOn = 'A closed deal cannot close in the future.';
  if (Object.keys(problems).length > 0 || amount === null || !d.closedOn) return { ok: false, problems };
  return {
    ok: true,
    deal: { name, accountName, currency: d.currency, amountCents: amount, closedOn: d.closedOn },
  };
}
