import { DateTime } from 'luxon';

/** Working hours as minutes after local midnight, and working days (0 = Sunday … 6 = Saturday). */
export interface WorkingTime {
  workHours: { startMinute: number; endMinute: number };
  workDays: readonly number[];
}

function local(t: Date, timeZone: string): DateTime {
  return DateTime.fromJSDate(t, { zone: timeZone });
}

function isWorkDay(day: DateTime, w: WorkingTime): boolean {
  return w.workDays.includes(day.weekday % 7);
}

/**
 * The instant at wall-clock `minute` (after midnight) on `day`'s local date. Wall-clock, not
 * elapsed minutes, so 09:00 stays 09:00 on the days clocks change; a time that does not exist
 * that day (skipped by DST) moves forward. 24:00 is the next midnight.
 */
function at(day: DateTime, minute: number): DateTime {
  const midnight = day.startOf('day');
  if (minute >= 24 * 60) return midnight.plus({ days: 1 }).startOf('day');
  return midnight.set({ hour: Math.floor(minute / 60), minute: minute % 60 });
}

function windowOf(day: DateTime, w: WorkingTime): { start: DateTime; end: DateTime } {
  return { start: at(day, w.workHours.startMinute), end: at(day, w.workHours.endMinute) };
}

/** Is `t` inside the working hours of a working day, in `timeZone`? */
export function isWorkingTime(t: Date, timeZone: string, w: WorkingTime): boolean {
  const day = local(t, timeZone);
  if (!isWorkDay(day, w)) return false;
  const { start, end } = windowOf(day, w);
  return t.getTime() >= start.toMillis() && t.getTime() < end.toMillis();
}

/** `t` itself when it is working time, otherwise the start of the next working window. */
export function nextWorkingInstant(t: Date, timeZone: string, w: WorkingTime): Date {
  const today = local(t, timeZone).startOf('day');
  for (let i = 0; i < 15; i++) {
    const day = today.plus({ days: i });
    if (!isWorkDay(day, w)) continue;
    const { start, end } = windowOf(day, w);
    if (t.getTime() < start.toMillis()) return start.toJSDate();
    if (t.getTime() < end.toMillis()) return t;
  }
  throw new Error('no working day within two weeks: WORK_DAYS must name at least one day');
}

/** The start of the working window on the first working day after `t`'s local date (a snooze "to tomorrow"). */
export function nextWorkingDayStart(t: Date, timeZone: string, w: WorkingTime): Date {
  const tomorrow = local(t, timeZone).startOf('day').plus({ days: 1 });
  return nextWorkingInstant(tomorrow.toJSDate(), timeZone, w);
}

/** "3 days", "5 hours": how long ago, roughly, for people. */
export function roughDuration(ms: number): string {
  const hours = Math.max(0, Math.round(ms / 3_600_000));
  if (hours < 1) return 'less than an hour';
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.round(hours / 24);
  return `${days} days`;
}
