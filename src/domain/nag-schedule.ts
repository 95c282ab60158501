import type { Config } from '../config.ts';
import { isWorkingTime, nextWorkingInstant, type WorkingTime } from './working-time.ts';

/** When and how often a rep is reminded of an incomplete handoff. Hours may be fractional. */
export interface NagPolicy extends WorkingTime {
  firstAfterHours: number;
  everyHours: number;
  max: number;
}

/** The reminder policy the settings give (NAG_*, WORK_HOURS, WORK_DAYS). */
export function nagPolicy(
  settings: Pick<
    Config,
    'NAG_FIRST_AFTER_HOURS' | 'NAG_EVERY_HOURS' | 'NAG_MAX' | 'WORK_HOURS' | 'WORK_DAYS'
  >,
): NagPolicy {
  return {
    firstAfterHours: settings.NAG_FIRST_AFTER_HOURS,
    everyHours: settings.NAG_EVERY_HOURS,
    max: settings.NAG_MAX,
    workHours: settings.WORK_HOURS,
    workDays: settings.WORK_DAYS,
  };
}

export interface NagState {
  closedAt: Date;
  complete: boolean;
  remindersSent: number;
  lastReminderAt: Date | null;
  snoozedUntil: Date | null;
  escalated: boolean;
}

export type NagStep = { kind: 'remind'; n: number; at: Date } | { kind: 'escalate'; at: Date };

const HOUR = 3_600_000;

/**
 * The next thing owed to this deal and the earliest moment it may happen, in the rep's working
 * time: reminder n (1-based) until `max` went out, then one escalation, then nothing. Nothing
 * once the handoff is complete. A snooze pushes the next step to its end.
 */
export function nextNag(state: NagState, timeZone: string, policy: NagPolicy): NagStep | null {
  if (state.complete || state.escalated) return null;
  const last = state.lastReminderAt ?? state.closedAt;
  const base =
    state.remindersSent === 0
      ? state.closedAt.getTime() + policy.firstAfterHours * HOUR
      : last.getTime() + policy.everyHours * HOUR;
  const earliest = Math.max(base, state.snoozedUntil?.getTime() ?? 0);
  const at = nextWorkingInstant(new Date(earliest), timeZone, policy);
  return state.remindersSent < policy.max
    ? { kind: 'remind', n: state.remindersSent + 1, at }
    : { kind: 'escalate', at };
}

/**
 * What a sweep at `now` should do. Only inside the rep's working time: a sweep that runs late (the
 * app was down overnight) waits for the next working window instead of reminding at night.
 */
export function dueNag(state: NagState, timeZone: string, policy: NagPolicy, now: Date): NagStep | null {
  const step = nextNag(state, timeZone, policy);
  if (!step || step.at.getTime() > now.getTime()) return null;
  if (step.kind === 'remind' && !isWorkingTime(now, timeZone, policy)) return null;
  return step;
}
