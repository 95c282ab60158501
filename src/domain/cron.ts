/**
 * Cron expressions read the way node-cron reads them (five fields, or six with seconds first:
 * numbers, `*`, ranges `a-b`, lists `a,b`, steps `* /n` and `a-b/n`, month and weekday names,
 * weekday 7 = Sunday), evaluated in a time zone of our choosing: the weekly digest is due at
 * DIGEST_CRON in each reader's own zone. Seconds are ignored (the digest is per minute at most).
 */

import { wallClock } from './dates.ts';

export interface CronSchedule {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Day of month and weekday both restricted: either matches (cron's rule). */
  dayOrWeekday: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function value(text: string, min: number, names: readonly string[] | null, offset: number): number {
  const named = names?.findIndex((n) => text.toLowerCase().startsWith(n) && text.length <= 9) ?? -1;
  if (named >= 0 && /^[a-z]+$/i.test(text)) return named + offset;
  if (!/^\d+$/.test(text)) throw new Error(`"${text}" is not a number`);
  const n = Number(text);
  if (n < min) throw new Error(`${n} is below ${min}`);
  return n;
}

function field(text: string, min: number, max: number, names: readonly string[] | null = null, offset = 0) {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : value(stepText, 1, null, 0);
    let from = min;
    let to = max;
    if (range !== '*' && range !== undefined) {
      const [a, b] = range.split('-');
      from = value(a ?? '', min, names, offset);
      to = b === undefined ? (stepText === undefined ? from : max) : value(b, min, names, offset);
    }
    if (from > max || to > max || from > to) throw new Error(`"${part}" is outside ${min}-${max}`);
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

/** Parses an expression; throws an Error naming the problem. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) throw new Error('a cron expression has 5 or 6 fields');
  const [m, h, dom, mon, dow] = parts.slice(-5) as [string, string, string, string, string];
  const weekdays = field(dow, 0, 7, WEEKDAYS, 0);
  if (weekdays.delete(7)) weekdays.add(0);
  return {
    minutes: field(m, 0, 59),
    hours: field(h, 0, 23),
    days: field(dom, 1, 31),
    months: field(mon, 1, 12, MONTHS, 1),
    weekdays,
    dayOrWeekday: dom !== '*' && dow !== '*',
  };
}

/** True when the wall clock in `timeZone` at `at` (to the minute) is one of the schedule's times. */
export function cronMatches(schedule: CronSchedule, at: Date, timeZone: string): boolean {
  const f = wallClock(at, timeZone);
  if (!schedule.minutes.has(f.minute) || !schedule.hours.has(f.hour) || !schedule.months.has(f.month))
    return false;
  const day = schedule.days.has(f.day);
  const weekday = schedule.weekdays.has(f.weekday);
  return schedule.dayOrWeekday ? day || weekday : day && weekday;
}

const MINUTE_MS = 60_000;

/**
 * The latest minute at or before `now`, no further back than `lookBackMs`, at which the schedule
 * fires in `timeZone`; null when none. A time skipped by a daylight-saving change never fires; one
 * repeated fires at its first instant only (the same wall-clock minute is one occurrence).
 */
export function lastOccurrence(
  schedule: CronSchedule,
  timeZone: string,
  now: Date,
  lookBackMs: number,
): Date | null {
  const end = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  for (let t = end; t >= end - lookBackMs; t -= MINUTE_MS) {
    const at = new Date(t);
    if (!cronMatches(schedule, at, timeZone)) continue;
    // A wall-clock minute seen twice (clocks going back) counts at its first instant.
    const hourEarlier = new Date(t - 3_600_000);
    if (sameWallMinute(hourEarlier, at, timeZone)) return hourEarlier;
    return at;
  }
  return null;
}

function sameWallMinute(a: Date, b: Date, timeZone: string): boolean {
  const x = wallClock(a, timeZone);
  const y = wallClock(b, timeZone);
  return (
    x.year === y.year && x.month === y.month && x.day === y.day && x.hour === y.hour && x.minute === y.minute
  );
}

/** 'YYYY-MM-DDTHH:MM' on the wall clock of `timeZone`: names an occurrence for its reader. */
export function localMinute(at: Date, timeZone: string): string {
  const f = wallClock(at, timeZone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${f.year}-${p(f.month)}-${p(f.day)}T${p(f.hour)}:${p(f.minute)}`;
}
