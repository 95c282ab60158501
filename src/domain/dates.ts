/** A formatter per time zone (building an Intl.DateTimeFormat costs far more than using one). */
const formats = new Map<string, Intl.DateTimeFormat>();

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The wall clock in `timeZone` at `at`: calendar fields, 24-hour time, weekday 0 = Sunday. */
export function wallClock(at: Date, timeZone: string) {
  let format = formats.get(timeZone);
  if (!format) {
    // Throws a RangeError for a zone Intl does not know; nothing is kept then.
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    weekday: WEEKDAYS.indexOf(get('weekday').toLowerCase()),
  };
}

/** The calendar day ('YYYY-MM-DD') that `now` falls on in `timeZone`. */
export function dayIn(timeZone: string, now: Date): string {
  const { year, month, day } = wallClock(now, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
