import type { HomeView } from '@slack/types';
import type { Notification, Trx } from '../db/schema.ts';
import type { SlackFailure } from '../domain/slack-failures.ts';

/**
 * What delivery asks of the flows: the worker itself writes only notifications, and reads what
 * these steps found or recorded.
 */
export interface DeliverySteps {
  /**
   * The owning rep of a `deal_owner` target, looked up by email (and recorded on the deal) when the
   * CRM gave one; null when no Slack user matches, 'gone' when the deal no longer exists.
   */
  dealOwner(teamId: string, dealId: number): Promise<string | null | 'gone'>;
  /** Just before finance is told that nobody could be reached: the deal becomes unowned (its claim button). */
  ownerUnreachable(dealId: number, dmKey: string): Promise<void>;
  /** The first post in an account's thread was delivered, inside the transaction holding the account. */
  threadStarted(trx: Trx, accountId: number, channel: string, ts: string): Promise<void>;
  /**
   * A reply is waiting for an account thread that nothing queued is going to start: queue the
   * account's root message. False when that root was already tried and given up on.
   */
  threadRootNeeded(teamId: string, accountId: number): Promise<boolean>;
  /** A user's App Home, rendered at delivery time (for `home` targets). */
  renderHome(teamId: string, userId: string): Promise<HomeView>;
  /**
   * The workspace's finance channel now, for a target that names none; null while it has none (the
   * step then tells whoever can set it, once, and the message waits).
   */
  financeChannel(teamId: string): Promise<string | null>;
  /** A row failed for good because Slack refused it: tell whoever can fix the cause. */
  undeliverable(row: Notification, failure: Exclude<SlackFailure, { kind: 'token' }>): Promise<void>;
}
