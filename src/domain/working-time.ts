import { DateTime } from 'luxon';

/** Working hours as minutes after local midnight, and working days (0 = Sunday … 6 = Saturday). */
export interface WorkingTime {
  workHours: { startMinute: number; endMinute: number };
  workDays: readonly number[];
}

const MINUTE = 60_000;

function local(t: Date, timeZone: string): DateTime {
  return DateTime.fromJSDate(t, { zone: timeZone });
}

function isWorkDay(day: DateTime, w: WorkingTime): boolean {
  return w.workDays.includes(day.weekday % 7);
}

/**
 * The first instant whose wall clock reads `minute` (after midnight) or later on `day`'s local
 * date. Wall-clock, not elapsed minutes, so 09:00 stays 09:00 on the days clocks change; a time
 * the clocks skip that day (02:30 when they go from 02:00 to 03:00) is the moment they jump, so a
 * window starting or ending inside the gap starts or ends there. 24:00 is the next midnight.
 */
function at(day: DateTime, minute: number): DateTime {
  const midnight = day.startOf('day');
  if (minute >= 24 * 60) return midnight.plus({ days: 1 }).startOf('day');
  const wall = midnight.set({ hour: Math.floor(minute / 60), minute: minute % 60 });
  // Luxon moves a skipped time forward by the gap: it reads that much later than asked.
  const read = (wall.startOf('day') > midnight ? 24 * 60 : 0) + wall.hour * 60 + wall.minute;
  const gap = read - minute;
  if (gap <= 0) return wall;
  // The jump lies within `gap` minutes before it: the first minute at the later offset.
  let before = wall.toMillis() - gap * MINUTE;
  let after = wall.toMillis();
  while (after - before > MINUTE) {
    const mid = before + Math.floor((after - before) / (2 * MINUTE)) * MINUTE;
    if (DateTime.fromMillis(mid, { zone: wall.zone }).offset === wall.offset) after = mid;
    else before = mid;
  }
  return DateTime.fromMillis(after, { zone: wall.zone });
}

function windowOf(day: DateTime, w: WorkingTime): { start: DateTime; end: DateTime } {
  return { start: at(day, w.workHours.startMinute), end: at(day, w.workHours.endMinute) };
}

/** Is `t` inside the working hours of a working day, in `timeZone`? */
export function isWorkingTime(t: Date, timeZone: string, w: WorkingTime): boolean {
  const day = local(t, timeZone);
  if (!isWorkDay(day, w)) return false;
  const { start, end } = windowOf(day, w);
  return t.getTime() >= start.toMillis() && t.getTime() < end.toMillis() && behindStart(day, w) === 0;
}

/**
 * Minutes `t`'s wall clock reads before the window's start: above 0 only inside the window's
 * instants on the day the clocks go back, when an hour the window starts in comes round again
 * (a window from 01:30 reads 01:00 for half an hour after 01:59 the first time).
 */
function behindStart(t: DateTime, w: WorkingTime): number {
  return Math.max(0, w.workHours.startMinute - (t.hour * 60 + t.minute));
}

/** `t` itself when it is working time, otherwise the start of the next working window. */
export function nextWorkingInstant(t: Date, timeZone: string, w: WorkingTime): Date {
  const today = local(t, timeZone).startOf('day');
  for (let i = 0; i < 15; i++) {
    const day = today.plus({ days: i });
    if (!isWorkDay(day, w)) continue;
    const { start, end } = windowOf(day, w);
    if (t.getTime() < start.toMillis()) return start.toJSDate();
    if (t.getTime() < end.toMillis()) {
      const behind = behindStart(local(t, timeZone), w);
      return behind === 0 ? t : local(t, timeZone).startOf('minute').plus({ minutes: behind }).toJSDate();
    }
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
