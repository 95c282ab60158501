import {
  loadAccountAnswer,
  loadLedgerHeadline,
  loadRepBook,
  lookUpStatus,
  type StatusSettings,
} from '../db/status.ts';
import type { Deps } from '../deps.ts';
import { dayIn } from '../domain/dates.ts';
import { isArStaff } from '../domain/permissions.ts';
import type { WorkspaceSettings } from '../domain/settings.ts';
import {
  accountStatusMessage,
  ledgerHeadlineMessage,
  noMatchMessage,
  pickListMessage,
  repBookMessage,
  statusUsage,
} from '../views/ar-status.ts';
import type { SlackMessage } from '../views/handoff-messages.ts';
import { disputeContexts } from './dispute-context.ts';
import { settingsFor } from './settings.ts';

/** Disputed invoices whose handoff context /ar-status quotes. */
const DISPUTES_SHOWN = 3;

type StatusDeps = Pick<Deps, 'db' | 'config' | 'clock' | 'workspaces'>;

async function settingsOf(
  deps: StatusDeps,
  teamId: string,
  settings: WorkspaceSettings,
): Promise<StatusSettings> {
  // An installed workspace's URL comes with the status lookup, in the same round trip.
  const teamUrl = deps.workspaces.multi ? null : (await deps.workspaces.identityFor(teamId)).teamUrl;
  return { creditHoldDays: settings.CREDIT_HOLD_DAYS, teamUrl };
}

/**
 * What `/ar-status <text>` answers, for this person: no text, their book (AR: the ledger's
 * headline); `help`, the usage; else the account the text finds, a pick list, or the closest names.
 */
export async function statusAnswer(
  deps: StatusDeps,
  teamId: string,
  userId: string,
  text: string,
  share: boolean,
): Promise<SlackMessage> {
  const settings = await settingsFor(deps, teamId);
  const today = dayIn(settings.BUSINESS_TIMEZONE, deps.clock.now());
  if (!text) {
    return isArStaff(settings, userId)
      ? ledgerHeadlineMessage(await loadLedgerHeadline(deps.db, teamId, today))
      : repBookMessage(await loadRepBook(deps.db, teamId, userId, today));
  }
  if (/^(help|\?)$/i.test(text)) return statusUsage();
  const { found, status, disputes } = await lookUpStatus(
    deps.db,
    teamId,
    text,
    today,
    await settingsOf(deps, teamId, settings),
  );
  if (found.kind === 'pick') return pickListMessage(text, found.candidates);
  if (found.kind === 'none') return noMatchMessage(text, found.closest);
  if (!status) return noMatchMessage(text, []);
  return accountStatusMessage(status, {
    shareable: !share,
    disputes: disputeContexts(disputes, status.problemInvoices, DISPUTES_SHOWN),
  });
}

/** One account's status, from a pick list or the Share button. */
export async function accountStatusReply(
  deps: StatusDeps,
  teamId: string,
  accountId: number,
  shareable: boolean,
): Promise<SlackMessage | { text: string }> {
  const settings = await settingsFor(deps, teamId);
  const today = dayIn(settings.BUSINESS_TIMEZONE, deps.clock.now());
  const { status, disputes } = await loadAccountAnswer(
    deps.db,
    teamId,
    accountId,
    today,
    await settingsOf(deps, teamId, settings),
  );
  if (!status) return { text: 'That account no longer exists.' };
  return accountStatusMessage(status, {
    shareable,
    disputes: disputeContexts(disputes, status.problemInvoices, DISPUTES_SHOWN),
  });
}
