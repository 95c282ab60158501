import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { UpdateKind } from '../domain/collections.ts';

/** Timestamps are read as Date; they may be written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** Day dates (due dates) stay 'YYYY-MM-DD' strings end to end. */
type DayDate = ColumnType<string, string, string>;
/** jsonb columns: written as JSON text, read as parsed values. */
type Json<T> = ColumnType<T, string, string>;
/** jsonb columns with a default: optional on insert. */
type JsonWithDefault<T> = ColumnType<T, string | undefined, string>;

export type Role = 'rep' | 'ar' | 'manager';

export interface PeopleTable {
  team_id: string;
  user_id: string;
  email: string | null;
  name: string | null;
  role: ColumnType<Role, Role | undefined, Role>;
  manager_user_id: string | null;
  tz: string | null;
  tz_checked_at: Timestamp | null;
  home_opened_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AccountsTable {
  id: Generated<number>;
  team_id: string;
  crm_id: string | null;
  name: string;
  name_key: string;
  domain: string | null;
  owner_user_id: string | null;
  credit_limit_cents: number | null;
  credit_hold: Generated<boolean>;
  credit_hold_since: Timestamp | null;
  credit_limit_currency: string | null;
  credit_hold_changes: Generated<number>;
  thread_channel: string | null;
  thread_ts: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface DealsTable {
  id: Generated<number>;
  team_id: string;
  crm_id: string;
  account_id: number;
  name: string;
  amount_cents: number;
  currency: string;
  closed_at: Timestamp;
  owner_user_id: string | null;
  owner_email: string | null;
  prefill: Json<Record<string, unknown>>;
  source: 'webhook' | 'slack';
  created_at: CreatedAt;
  nags_sent: Generated<number>;
  last_nag_at: Timestamp | null;
  snoozed_until: Timestamp | null;
  nag_escalated_at: Timestamp | null;
  nag_cycle: Generated<number>;
  dm_key: string | null;
}

export interface HandoffsTable {
  deal_id: number;
  team_id: string;
  fields: Json<unknown>;
  complete: boolean;
  version: Generated<number>;
  submitted_by: string;
  submitted_at: Timestamp;
  completed_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface InvoicesTable {
  id: Generated<number>;
  team_id: string;
  number: string;
  account_id: number;
  deal_id: number | null;
  amount_cents: number;
  balance_cents: number;
  currency: string;
  issued_on: DayDate;
  due_on: DayDate;
  status: ColumnType<
    'open' | 'paid' | 'void',
    'open' | 'paid' | 'void' | undefined,
    'open' | 'paid' | 'void'
  >;
  dispute_state: ColumnType<
    'none' | 'open' | 'resolved',
    'none' | 'open' | 'resolved' | undefined,
    'none' | 'open' | 'resolved'
  >;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  pinged_threshold: Generated<number>;
  promise_date: DayDate | null;
  promise_broken_pinged: Generated<boolean>;
  /** Where the customer sees or pays the invoice, when the source gave one. */
  url: string | null;
  past_hold: Generated<boolean>;
  paid_at: Timestamp | null;
}

export interface CollectionUpdatesTable {
  id: Generated<number>;
  team_id: string;
  account_id: number;
  invoice_id: number | null;
  author_user_id: string | null;
  kind: UpdateKind;
  note: string | null;
  promise_date: DayDate | null;
  dispute_reason: string | null;
  amount_cents: number | null;
  source_key: string | null;
  created_at: CreatedAt;
}

export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';

export interface NotificationsTable {
  id: Generated<number>;
  team_id: string;
  dedupe_key: string;
  target: Json<unknown>;
  message: Json<unknown>;
  status: ColumnType<NotificationStatus, NotificationStatus | undefined, NotificationStatus>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  claimed_until: Timestamp | null;
  channel: string | null;
  ts: string | null;
  last_error: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
  guard: Json<unknown> | null;
  first_attempt_at: Timestamp | null;
  maybe_posted: Generated<boolean>;
}

export interface SeenRequestsTable {
  team_id: string;
  request_key: string;
  seen_at: CreatedAt;
}

/** Open balance, count and open disputes per due date (kept by triggers: see the ledger-rollup migration). */
export interface LedgerRollupTable {
  team_id: string;
  currency: string;
  due_on: DayDate;
  open_cents: ColumnType<number, never, never>;
  open_count: ColumnType<number, never, never>;
  disputed_count: ColumnType<number, never, never>;
}

/** Per workspace: accounts on credit hold and handoffs waiting (kept by triggers). */
export interface LedgerCountersTable {
  team_id: string;
  accounts_on_hold: ColumnType<number, never, never>;
  handoffs_waiting: ColumnType<number, never, never>;
}

/** Every word of every account's name_key, for the prefix search (kept by a trigger on accounts). */
export interface AccountNameWordsTable {
  team_id: string;
  word: string;
  name_key: string;
  account_id: number;
}

/** The distinct words of a workspace's names and how many names hold each (kept by a trigger). */
export interface AccountNameVocabularyTable {
  team_id: string;
  word: string;
  names: number;
}

/** Per account with open invoices, what orders a rep's book (kept by triggers on invoices and accounts). */
export interface AccountBookTable {
  account_id: number;
  team_id: string;
  owner_user_id: string | null;
  name: string;
  oldest_due_on: DayDate;
  positive: boolean;
}

export interface AsksTable {
  id: Generated<number>;
  team_id: string;
  account_id: number;
  invoice_id: number | null;
  direction: 'to_rep' | 'to_ar';
  asked_by: string;
  asked_of: string | null;
  question: string;
  due_on: DayDate | null;
  source_link: string | null;
  status: ColumnType<'open' | 'answered', 'open' | 'answered' | undefined, 'open' | 'answered'>;
  answer: string | null;
  answered_by: string | null;
  answered_at: Timestamp | null;
  last_reminder_on: DayDate | null;
  escalated_at: Timestamp | null;
  source_key: string;
  created_at: CreatedAt;
}

/** One weekly digest sent to one reader ('user:U…' or 'channel:C…') for one occurrence of DIGEST_CRON. */
export interface DigestsTable {
  team_id: string;
  reader: string;
  /** The occurrence on the reader's wall clock, 'YYYY-MM-DDTHH:MM'. */
  occurrence: string;
  week_start: Timestamp;
  week_end: Timestamp;
  created_at: CreatedAt;
}

export interface Database {
  people: PeopleTable;
  accounts: AccountsTable;
  deals: DealsTable;
  handoffs: HandoffsTable;
  invoices: InvoicesTable;
  collection_updates: CollectionUpdatesTable;
  notifications: NotificationsTable;
  seen_requests: SeenRequestsTable;
  ledger_rollup: LedgerRollupTable;
  ledger_counters: LedgerCountersTable;
  account_name_words: AccountNameWordsTable;
  account_name_vocabulary: AccountNameVocabularyTable;
  account_book: AccountBookTable;
  stripe_objects: StripeObjectsTable;
  stripe_payments: StripePaymentsTable;
  asks: AsksTable;
  workspace_settings: WorkspaceSettingsTable;
  setting_changes: SettingChangesTable;
  workspace_credentials: WorkspaceCredentialsTable;
  digests: DigestsTable;
  installations: InstallationsTable;
}

/**
 * A workspace the app was installed into through /slack/install (multi-workspace mode). Tokens are
 * sealed with ENCRYPTION_KEY (src/secrets.ts); both are null once the workspace uninstalled the
 * app or revoked its tokens (`uninstalled_at` then says when).
 */
export interface InstallationsTable {
  team_id: string;
  enterprise_id: string | null;
  team_name: string | null;
  /** https://<workspace>.slack.com/, for links to messages. */
  team_url: string | null;
  app_id: string | null;
  bot_token: string | null;
  bot_refresh_token: string | null;
  bot_token_expires_at: Timestamp | null;
  bot_user_id: string;
  bot_id: string;
  /** The bot scopes granted, comma-separated. */
  scopes: string;
  installer_user_id: string | null;
  installed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  uninstalled_at: Timestamp | null;
  /** `app_uninstalled` or `tokens_revoked`. */
  uninstall_reason: string | null;
}

/** The newest state applied of one Stripe object (invoice `in_…`, dispute `dp_…`). */
export interface StripeObjectsTable {
  team_id: string;
  object_id: string;
  /** When Stripe created the event that carried that state. */
  event_at: Timestamp;
  /** How far along its life the state is (a paid invoice ranks above an open one). */
  rank: number;
  /** Our invoice's number, for a Stripe invoice. */
  invoice_number: string | null;
}

/** A payment (payment intent `pi_…` or charge `ch_…`) and the Stripe invoice it paid. */
export interface StripePaymentsTable {
  team_id: string;
  payment_id: string;
  stripe_invoice_id: string;
}

/** The database, as every data-access function takes it. */
export type Db = Kysely<Database>;
/** A transaction: data-access functions that must run inside one take it. */
export type Trx = Transaction<Database>;
/** Either: most data-access functions run the same inside a transaction or outside. */
export type Queryable = Db | Trx;

/**
 * Which workspaces a sweep covers: one, or every one but those listed (the workspaces with Settings
 * of their own are swept one by one, the rest together with the environment's values).
 */
export type TeamScope = { only: string } | { except: readonly string[] };

export interface WorkspaceSettingsTable {
  team_id: string;
  overrides: JsonWithDefault<Record<string, string>>;
  ar_usergroup_id: ColumnType<string | null, string | null | undefined, string | null>;
  ar_usergroup_members: JsonWithDefault<string[]>;
  connectors: JsonWithDefault<Record<string, boolean>>;
  version: ColumnType<number, number | undefined, number>;
  updated_by: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: UpdatedAt;
}

export interface SettingChangesTable {
  id: Generated<number>;
  team_id: string;
  setting: string;
  old_value: string;
  new_value: string;
  changed_by: string;
  changed_at: CreatedAt;
}

export interface WorkspaceCredentialsTable {
  team_id: string;
  kind: string;
  /** A bearer token's SHA-256 (the invoices API token), or null. */
  token_hash: string | null;
  /** A secret sealed with ENCRYPTION_KEY, or null. */
  sealed_value: string | null;
  created_by: string;
  /** When it was set (a rotation sets it again). */
  created_at: UpdatedAt;
}

export type Person = Selectable<PeopleTable>;
export type Account = Selectable<AccountsTable>;
export type NewAccount = Insertable<AccountsTable>;
export type Deal = Selectable<DealsTable>;
export type NewDeal = Insertable<DealsTable>;
export type Handoff = Selectable<HandoffsTable>;
export type Invoice = Selectable<InvoicesTable>;
export type NewInvoice = Insertable<InvoicesTable>;
export type CollectionUpdate = Selectable<CollectionUpdatesTable>;
export type NewCollectionUpdate = Insertable<CollectionUpdatesTable>;
export type Notification = Selectable<NotificationsTable>;
export type NewNotificationRow = Insertable<NotificationsTable>;
export type NotificationUpdate = Updateable<NotificationsTable>;
export type Ask = Selectable<AsksTable>;
export type NewAsk = Insertable<AsksTable>;
export type InstallationRow = Selectable<InstallationsTable>;
