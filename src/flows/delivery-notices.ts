import type { Deps } from '../deps.ts';
import type { SlackFailure } from '../domain/slack-failures.ts';
import { enqueue, type NewNotification } from '../outbox/outbox.ts';
import type { Workspaces } from '../slack/workspaces.ts';
import {
  channelBrokenNotice,
  dmUndeliverableNotice,
  financeChannelMissingNotice,
} from '../views/delivery-notices.ts';
import { settingsAdminsToTell } from './settings.ts';

type NoticeDeps = Pick<Deps, 'db' | 'config' | 'logger'> & { workspaces?: Pick<Workspaces, 'installerOf'> };

/** Dedupe keys of notices start with this: a notice that cannot be delivered is logged, not noticed. */
export const NOTICE_KEY_PREFIX = 'notice:';

/**
 * A message could not be delivered, for good: tell someone who can fix it, once per channel or
 * person and reason (the dedupe key). A broken finance channel is told to each of ADMIN_USER_IDS
 * by DM; a DM that cannot be delivered is told in the finance channel.
 */
export async function reportUndeliverable(
  deps: NoticeDeps,
  row: { teamId: string; dedupeKey: string },
  failure: Exclude<SlackFailure, { kind: 'token' }>,
): Promise<number> {
  const log = deps.logger.child({ component: 'outbox' });
  if (row.dedupeKey.startsWith(NOTICE_KEY_PREFIX)) {
    log.error({ key: row.dedupeKey, ...failure }, 'a delivery problem notice could not be delivered either');
    return 0;
  }
  const notices: NewNotification[] = [];
  if (failure.kind === 'channel') {
    const admins = await settingsAdminsToTell(deps, row.teamId);
    if (admins.length === 0)
      log.error(
        { channel: failure.channel, code: failure.code },
        'AR Bridge cannot post in the finance channel, and ADMIN_USER_IDS is empty: nobody can be told in Slack',
      );
    for (const admin of admins)
      notices.push({
        teamId: row.teamId,
        dedupeKey: `${NOTICE_KEY_PREFIX}channel:${failure.channel}:${failure.code}:${admin}`,
        target: { kind: 'user', userId: admin },
        message: channelBrokenNotice(failure.channel, failure.code),
      });
  } else {
    notices.push({
      teamId: row.teamId,
      dedupeKey: `${NOTICE_KEY_PREFIX}dm:${failure.user}:${failure.code}`,
      target: { kind: 'channel', channel: null },
      message: dmUndeliverableNotice(failure.user, failure.code),
    });
  }
  let queued = 0;
  for (const notice of notices) if (await enqueue(deps.db, notice)) queued += 1;
  return queued;
}

/**
 * The workspace has no finance channel yet: its installer (ADMIN_USER_IDS in single-workspace mode)
 * is told once how to set one; the posts for it wait. Returns how many notices were queued.
 */
export async function reportNoFinanceChannel(deps: NoticeDeps, teamId: string): Promise<number> {
  const admins = await settingsAdminsToTell(deps, teamId);
  if (admins.length === 0)
    deps.logger
      .child({ component: 'outbox' })
      .warn({ teamId }, 'the workspace has no finance channel, and nobody to tell: posts for it wait');
  let queued = 0;
  for (const admin of admins)
    if (
      await enqueue(deps.db, {
        teamId,
        dedupeKey: `${NOTICE_KEY_PREFIX}no-finance-channel:${admin}`,
        target: { kind: 'user', userId: admin },
        message: financeChannelMissingNotice(),
      })
    )
      queued += 1;
  return queued;
}
