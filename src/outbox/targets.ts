import { getAccountThread } from '../db/accounts.ts';
import { findNotificationByKey } from '../db/notifications.ts';
import type { Db, Notification } from '../db/schema.ts';
import type { OutMessage, Target } from './outbox.ts';
import type { DeliverySteps } from './steps.ts';

export type Post = {
  kind: 'post';
  channel: string;
  threadTs?: string;
  message: OutMessage;
  /** This post starts the thread of this account. */
  rootOfAccount?: number;
  rootOnly?: boolean;
  /** Runs just before this post (bookkeeping that belongs to it). */
  before?: () => Promise<void>;
  /** Sent instead when Slack says the channel or user cannot be reached (a DM to someone gone). */
  ifUndeliverable?: Post;
};

/** What delivering a row comes down to, given the state of things now. */
export type Delivery =
  | Post
  /** A reply in an account's thread that does not exist yet: it waits for the thread's root. */
  | { kind: 'await_root'; accountId: number }
  | { kind: 'update'; channel: string; ts: string; message: OutMessage }
  | { kind: 'publish'; userId: string }
  | { kind: 'upload'; filename: string; title: string; bytes: Buffer }
  | { kind: 'defer'; ms: number; reason: string }
  | { kind: 'cancel'; reason: string };

/** Resolves a row's target at delivery time, so that it always uses the latest state. */
export async function resolveTarget(db: Db, steps: DeliverySteps, row: Notification): Promise<Delivery> {
  const target = row.target as Target;
  let message = row.message as OutMessage;
  if ('files' in target && target.files && target.files.length > 0) {
    const files = await uploadedFiles(db, row.team_id, target.files);
    if (files.kind === 'defer') return files;
    message = withFiles(message, files.ids);
  }
  switch (target.kind) {
    case 'channel': {
      const channel = target.channel ?? (await steps.financeChannel(row.team_id));
      if (channel === null) return NO_FINANCE_CHANNEL;
      return { kind: 'post', channel, threadTs: target.threadTs, message };
    }
    case 'user':
      return { kind: 'post', channel: target.userId, message };
    case 'account_thread':
      return accountThreadPost(db, steps, row.team_id, target, message);
    case 'deal_owner': {
      const owner = await steps.dealOwner(row.team_id, target.dealId);
      if (owner === 'gone') return { kind: 'cancel', reason: 'deal no longer exists' };
      const fallback = await ownerNotFoundPost(steps, row, target);
      if (owner === null) return fallback ?? NO_FINANCE_CHANNEL;
      return { kind: 'post', channel: owner, message, ...(fallback ? { ifUndeliverable: fallback } : {}) };
    }
    case 'home':
      return { kind: 'publish', userId: target.userId };
    case 'upload':
      return {
        kind: 'upload',
        filename: target.filename,
        title: target.title,
        bytes: Buffer.from(target.pngBase64, 'base64'),
      };
    case 'update':
      return updateOf(db, row.team_id, target.of, message);
  }
}

/** A message for the finance channel of a workspace that has none yet waits (it is not lost). */
const NO_FINANCE_CHANNEL: Delivery = {
  kind: 'defer',
  ms: 60_000,
  reason: 'the workspace has no finance channel yet (App Home → Settings)',
};

async function accountThreadPost(
  db: Db,
  steps: DeliverySteps,
  teamId: string,
  target: Extract<Target, { kind: 'account_thread' }>,
  message: OutMessage,
): Promise<Delivery> {
  const account = await getAccountThread(db, target.accountId);
  if (!account) return { kind: 'cancel', reason: 'account no longer exists' };
  if (account.thread_channel && account.thread_ts) {
    if (target.rootOnly) return { kind: 'cancel', reason: 'the account already has a thread' };
    return { kind: 'post', channel: account.thread_channel, threadTs: account.thread_ts, message };
  }
  if (!target.rootOnly && !target.startsThread) return { kind: 'await_root', accountId: account.id };
  const channel = target.channel ?? (await steps.financeChannel(teamId));
  if (channel === null) return NO_FINANCE_CHANNEL;
  return {
    kind: 'post',
    channel,
    message,
    rootOfAccount: account.id,
    rootOnly: target.rootOnly,
  };
}

/** The deal-closed notice for finance when the rep cannot be reached: no owner, no DM to edit later. */
async function ownerNotFoundPost(
  steps: DeliverySteps,
  row: Notification,
  target: Extract<Target, { kind: 'deal_owner' }>,
): Promise<Post | null> {
  const channel = target.fallback.channel ?? (await steps.financeChannel(row.team_id));
  if (channel === null) return null;
  return {
    kind: 'post',
    channel,
    message: target.fallback.message,
    before: () => steps.ownerUnreachable(target.dealId, row.dedupe_key),
  };
}

async function updateOf(db: Db, teamId: string, of: string, message: OutMessage): Promise<Delivery> {
  const original = await findNotificationByKey(db, teamId, of);
  if (!original || original.status === 'failed' || original.status === 'cancelled') {
    return { kind: 'cancel', reason: `the message to update (${of}) was never delivered` };
  }
  if (original.status !== 'sent' || !original.channel || !original.ts) {
    return { kind: 'defer', ms: 1_000, reason: `waiting for ${of} to be delivered` };
  }
  return { kind: 'update', channel: original.channel, ts: original.ts, message };
}

/** The file id of each upload (by dedupe key) once done, null for one that failed; or wait. */
async function uploadedFiles(
  db: Db,
  teamId: string,
  keys: readonly string[],
): Promise<{ kind: 'files'; ids: Map<string, string | null> } | Extract<Delivery, { kind: 'defer' }>> {
  const ids = new Map<string, string | null>();
  for (const key of keys) {
    const upload = await findNotificationByKey(db, teamId, key);
    if (upload?.status === 'sent' && upload.ts) ids.set(key, upload.ts);
    else if (!upload || upload.status === 'failed' || upload.status === 'cancelled') ids.set(key, null);
    else return { kind: 'defer', ms: 1_000, reason: `waiting for the upload ${key}` };
  }
  return { kind: 'files', ids };
}

/** Image blocks that name an upload by its key show its file; those whose upload failed are left out. */
function withFiles(message: OutMessage, ids: ReadonlyMap<string, string | null>): OutMessage {
  if (!message.blocks) return message;
  const blocks = message.blocks.flatMap((block) => {
    if (block.type !== 'image' || !('slack_file' in block) || !block.slack_file) return [block];
    const key = 'id' in block.slack_file ? block.slack_file.id : undefined;
    if (key === undefined || !ids.has(key)) return [block];
    const id = ids.get(key);
    return id ? [{ ...block, slack_file: { id } }] : [];
  });
  return { ...message, blocks };
}
