/**
 * Asks between AR and reps: what a new ask must say, and when an open one reminds the rep or
 * escalates to their manager. Pure functions of the ask, the rep's time zone, the working-time
 * rules and `now`.
 */
import { dayIn } from './dates.ts';
import { isWorkingTime, type WorkingTime } from './working-time.ts';

export const QUESTION_MAX = 2000;
export const ANSWER_MAX = 2000;

export interface AskDraft {
  question: string | null;
  /** 'YYYY-MM-DD' */
  dueOn: string | null;
}

export type AskProblems = Partial<Record<'question' | 'due_on', string>>;

/** Problems with a new ask, by field: a question, and a due date that is today or later. */
export function checkAskDraft(d: AskDraft, today: string, needsDueDate: boolean): AskProblems {
  const problems: AskProblems = {};
  const question = d.question?.trim() ?? '';
  if (!question) problems.question = 'Say what you need.';
  else if (question.length > QUESTION_MAX) problems.question = `Keep it under ${QUESTION_MAX} characters.`;
  if (d.dueOn === null) {
    if (needsDueDate) problems.due_on = 'Pick the day you need it by.';
  } else if (d.dueOn < today) problems.due_on = 'Pick today or a later day.';
  return problems;
}

export interface OpenAskState {
  /** 'YYYY-MM-DD' */
  dueOn: string | null;
  /** The business day of the last reminder, if any. */
  lastReminderOn: string | null;
  escalated: boolean;
  /** True when the rep has a manager to escalate to. */
  hasManager: boolean;
}

export type AskStep = 'remind' | 'escalate';

/**
 * What is due for an open ask now: from its due day, one reminder per day, inside the rep's working
 * hours in their own time zone; the day after the due day, one escalation to the manager (when the
 * rep has one; otherwise reminders go on).
 */
export function dueAskStep(a: OpenAskState, repTimeZone: string, w: WorkingTime, now: Date): AskStep | null {
  if (a.dueOn === null) return null;
  const today = dayIn(repTimeZone, now);
  if (today < a.dueOn) return null;
  if (!isWorkingTime(now, repTimeZone, w)) return null;
  if (today > a.dueOn && a.hasManager && !a.escalated) return 'escalate';
  if (a.lastReminderOn !== null && a.lastReminderOn >= today) return null;
  return 'remind';
}
