import type { WebClient } from '@slack/web-api';
import { setAccountOwnerIfNone } from '../db/accounts.ts';
import { getDeal, setDealOwner } from '../db/deals.ts';
import { findPersonByEmail, upsertPerson } from '../db/people.ts';
import type { Db } from '../db/schema.ts';
import { platformError } from '../slack/errors.ts';

/**
 * The deal's owning rep: its Slack user id, else the Slack user with the email the CRM gave
 * (known people first, then users.lookupByEmail), recorded as the owner of the deal and, when it
 * has none, of its account. Null when no Slack user matches; 'gone' when the deal no longer exists.
 * Other Slack errors (a rate limit, an outage) are thrown, for the caller to retry.
 */
export async function resolveDealOwner(
  deps: { db: Db; slack: WebClient },
  teamId: string,
  dealId: number,
): Promise<string | null | 'gone'> {
  const { db } = deps;
  const deal = await getDeal(db, teamId, dealId);
  if (!deal) return 'gone';
  if (deal.owner_user_id) return deal.owner_user_id;
  if (!deal.owner_email) return null;
  const userId =
    (await findPersonByEmail(db, teamId, deal.owner_email))?.user_id ??
    (await lookUpByEmail(deps, teamId, deal.owner_email));
  if (!userId) return null;
  await setDealOwner(db, dealId, userId);
  await setAccountOwnerIfNone(db, deal.account_id, userId);
  return userId;
}

/** The Slack user with this email, remembered as a person; null when Slack has none. */
async function lookUpByEmail(deps: { db: Db; slack: WebClient }, teamId: string, email: string) {
  try {
    const { user } = await deps.slack.users.lookupByEmail({ email });
    if (!user?.id) return null;
    await upsertPerson(deps.db, teamId, {
      userId: user.id,
      email,
      name: user.real_name ?? user.name ?? null,
      tz: user.tz ?? null,
    });
    return user.id;
  } catch (error) {
    if (platformError(error) === 'users_not_found') return null;
    throw error;
  }
}
