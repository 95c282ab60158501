import { z } from 'zod';
import { getAccount } from '../db/accounts.ts';
import { closeAsk, getAsk, insertAsk, oldestOpenAsk } from '../db/asks.ts';
import { getInvoice, getInvoiceWithAccount } from '../db/invoices.ts';
import type { Account, Ask, Trx } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { ANSWER_MAX, type AskDraft, type AskProblems, checkAskDraft, QUESTION_MAX } from '../domain/asks.ts';
import { dayIn } from '../domain/dates.ts';
import { isArStaff } from '../domain/permissions.ts';
import type { WorkspaceSettings } from '../domain/settings.ts';
import { enqueue } from '../outbox/outbox.ts';
import { type AskPrompt, askAnsweredPost, askPost, toArPost } from '../views/asks.ts';
import { accountThreadTarget } from './account-thread.ts';
import { refreshHomes } from './home.ts';
import { settingsFor } from './settings.ts';

type AskDeps = Pick<Deps, 'db' | 'config' | 'clock' | 'notify'>;
type Ref = { type: 'invoice' | 'account'; id: number };

/** What an ask is about: the account, and the invoice when it is about one. */
async function resolveRef(
  deps: Pick<Deps, 'db'>,
  teamId: string,
  ref: Ref | null,
): Promise<{ account: Account; invoice: { id: number; number: string } | null } | null> {
  if (ref === null) return null;
  if (ref.type === 'invoice') {
    const found = await getInvoiceWithAccount(deps.db, teamId, ref.id);
    return found
      ? { account: found.account, invoice: { id: found.invoice.id, number: found.invoice.number } }
      : null;
  }
  const account = await getAccount(deps.db, teamId, ref.id);
  return account ? { account, invoice: null } : null;
}

/** AR starts an ask (from a ping's button or `/ar-update ask …`): the modal, preset to the target. */
export async function askPrompt(
  deps: Pick<Deps, 'db' | 'config' | 'clock'>,
  teamId: string,
  userId: string,
  ref: Ref | null,
): Promise<AskPrompt> {
  const settings = await settingsFor(deps, teamId);
  if (!isArStaff(settings, userId)) return { status: 'forbidden' };
  const today = dayIn(settings.BUSINESS_TIMEZONE, deps.clock.now());
  const initialDueOn = addDays(today, 2);
  if (ref === null) return { status: 'ask', target: null, initialDueOn };
  const found = await resolveRef(deps, teamId, ref);
  if (!found) return { status: 'not_found' };
  const label = found.invoice ? `${found.invoice.number} · ${found.account.name}` : found.account.name;
  return {
    status: 'ask',
    target: { value: `${ref.type}:${ref.id}`, label: label.slice(0, 75) },
    initialDueOn,
  };
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export type AskResult = { ok: true } | { ok: false; problems: AskProblems & { target?: string } };

/** AR's ask to the owning rep: checked, stored once per modal, posted in the account's thread. */
export async function createAsk(
  deps: AskDeps,
  a: { teamId: string; userId: string; draft: AskDraft & { target: Ref | null }; viewId: string },
): Promise<AskResult> {
  const today = dayIn((await settingsFor(deps, a.teamId)).BUSINESS_TIMEZONE, deps.clock.now());
  const problems: AskProblems & { target?: string } = checkAskDraft(a.draft, today, true);
  const found = await resolveRef(deps, a.teamId, a.draft.target);
  if (!found) problems.target = 'Pick the invoice or account this is about.';
  else if (!found.account.owner_user_id)
    problems.target = 'Nobody owns this account yet: assign a rep first.';
  if (!found || Object.keys(problems).length > 0) return { ok: false, problems };
  const rep = found.account.owner_user_id as string;
  await storeAndPost(deps, found, {
    team_id: a.teamId,
    account_id: found.account.id,
    invoice_id: found.invoice?.id ?? null,
    direction: 'to_rep',
    asked_by: a.userId,
    asked_of: rep,
    question: (a.draft.question ?? '').slice(0, QUESTION_MAX),
    due_on: a.draft.dueOn,
    source_link: null,
    source_key: `view:${a.viewId}`,
  });
  return { ok: true };
}

/**
 * "Send to AR" on a message: the customer's question becomes an ask for AR in the account's
 * thread, linking the original message (`link`, from chat.getPermalink, when Slack gave one).
 */
export async function sendToAr(
  deps: AskDeps & Pick<Deps, 'workspaces' | 'logger'>,
  a: {
    teamId: string;
    userId: string;
    draft: AskDraft & { target: Ref | null };
    source: string | undefined;
    viewId: string;
  },
): Promise<AskResult> {
  const today = dayIn((await settingsFor(deps, a.teamId)).BUSINESS_TIMEZONE, deps.clock.now());
  const problems: AskProblems & { target?: string } = checkAskDraft(a.draft, today, false);
  const found = await resolveRef(deps, a.teamId, a.draft.target);
  if (!found) problems.target = 'Pick the customer (or invoice) the question is about.';
  if (!found || Object.keys(problems).length > 0) return { ok: false, problems };
  const link = await permalinkOf(deps, a.teamId, a.source);
  await storeAndPost(deps, found, {
    team_id: a.teamId,
    account_id: found.account.id,
    invoice_id: found.invoice?.id ?? null,
    direction: 'to_ar',
    asked_by: a.userId,
    asked_of: null,
    question: (a.draft.question ?? '').slice(0, QUESTION_MAX),
    due_on: null,
    source_link: link,
    source_key: `view:${a.viewId}`,
  });
  return { ok: true };
}

const messageRef = z.object({ channel: z.string().min(1).max(50), ts: z.string().min(1).max(50) });

/** The original message's permalink (a read; a failure only loses the link). */
async function permalinkOf(
  deps: Pick<Deps, 'workspaces' | 'logger'>,
  teamId: string,
  source: string | undefined,
): Promise<string | null> {
  let ref: z.infer<typeof messageRef>;
  try {
    ref = messageRef.parse(JSON.parse(source ?? ''));
  } catch {
    return null;
  }
  try {
    const slack = await deps.workspaces.slackFor(teamId);
    const res = await slack.chat.getPermalink({ channel: ref.channel, message_ts: ref.ts });
    return typeof res.permalink === 'string' && /^https:\/\//.test(res.permalink) ? res.permalink : null;
  } catch (error) {
    deps.logger.warn({ err: error }, 'chat.getPermalink failed; the ask goes without a link');
    return null;
  }
}

async function storeAndPost(
  deps: AskDeps,
  found: { account: Account; invoice: { id: number; number: string } | null },
  row: Parameters<typeof insertAsk>[1],
): Promise<void> {
  const queued = await deps.db.transaction().execute(async (trx) => {
    const ask = await insertAsk(trx, { ...row, created_at: deps.clock.now() });
    if (!ask) return false;
    const arUserIds = (await settingsFor(deps, ask.team_id, trx)).AR_USER_IDS;
    const about = { ask, accountName: found.account.name, invoiceNumber: found.invoice?.number ?? null };
    await enqueue(trx, {
      teamId: ask.team_id,
      dedupeKey: `ask:${ask.id}`,
      target: await accountThreadTarget(trx, found.account),
      message: ask.direction === 'to_rep' ? askPost(about) : toArPost({ ...about, arUserIds }),
    });
    await refreshHomes(deps, trx, ask.team_id, [ask.asked_of, ask.asked_by]);
    return true;
  });
  if (queued) deps.notify();
}

/** May this person answer the ask? The rep asked (or AR) for AR's asks; AR for questions passed to AR. */
function mayAnswer(settings: WorkspaceSettings, ask: Ask, userId: string): boolean {
  if (isArStaff(settings, userId)) return true;
  return ask.direction === 'to_rep' && ask.asked_of === userId;
}

export type AnswerPrompt =
  | { status: 'not_found' }
  | { status: 'answered'; byUserId: string | null }
  | { status: 'not_yours'; askedOf: string | null }
  | { status: 'answer'; ask: Ask };

/** The Answer button: the modal, unless the ask is closed or is someone else's to answer. */
export async function answerPrompt(
  deps: Pick<Deps, 'db' | 'config'>,
  teamId: string,
  userId: string,
  askId: number,
): Promise<AnswerPrompt> {
  const ask = await getAsk(deps.db, teamId, askId);
  if (!ask) return { status: 'not_found' };
  if (ask.status === 'answered') return { status: 'answered', byUserId: ask.answered_by };
  if (!mayAnswer(await settingsFor(deps, teamId), ask, userId))
    return { status: 'not_yours', askedOf: ask.asked_of };
  return { status: 'answer', ask };
}

export type AnswerResult =
  | { status: 'done' }
  | { status: 'empty' }
  | Exclude<AnswerPrompt, { status: 'answer' }>;

/** An answer from the modal: closes the ask and posts the answer in the account's thread. */
export async function answerAsk(
  deps: AskDeps,
  a: { teamId: string; userId: string; askId: number; answer: string | null },
): Promise<AnswerResult> {
  const prompt = await answerPrompt(deps, a.teamId, a.userId, a.askId);
  if (prompt.status !== 'answer') return prompt;
  const answer = a.answer?.trim();
  if (!answer) return { status: 'empty' };
  const closed = await deps.db
    .transaction()
    .execute((trx) => closeAndPost(deps, trx, prompt.ask, a.userId, answer.slice(0, ANSWER_MAX)));
  if (!closed) return { status: 'answered', byUserId: null };
  deps.notify();
  return { status: 'done' };
}

/**
 * A reply in an account's thread by someone who owes an answer there (the rep asked, or AR for a
 * question passed to AR): it answers their oldest open ask on that account. True when it did.
 */
export async function answerFromThread(
  deps: AskDeps,
  trx: Trx,
  r: { teamId: string; accountId: number; userId: string; text: string },
): Promise<boolean> {
  const ask = await oldestOpenAsk(trx, r.teamId, r.accountId, {
    userId: r.userId,
    isAr: isArStaff(await settingsFor(deps, r.teamId, trx), r.userId),
  });
  if (!ask) return false;
  return closeAndPost(deps, trx, ask, r.userId, r.text.trim().slice(0, ANSWER_MAX));
}

async function closeAndPost(
  deps: AskDeps,
  trx: Trx,
  ask: Ask,
  userId: string,
  answer: string,
): Promise<boolean> {
  const closed = await closeAsk(trx, ask.team_id, ask.id, { answer, byUserId: userId, at: deps.clock.now() });
  if (!closed) return false;
  const account = await getAccount(trx, ask.team_id, ask.account_id);
  if (!account) return false;
  const invoice = ask.invoice_id === null ? undefined : await getInvoice(trx, ask.team_id, ask.invoice_id);
  await enqueue(trx, {
    teamId: ask.team_id,
    dedupeKey: `ask:${ask.id}:answer`,
    target: await accountThreadTarget(trx, account),
    message: askAnsweredPost({
      ask,
      accountName: account.name,
      invoiceNumber: invoice?.number ?? null,
      answer,
      answeredBy: userId,
    }),
  });
  await refreshHomes(deps, trx, ask.team_id, [ask.asked_of, ask.asked_by]);
  return true;
}
