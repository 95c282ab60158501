/**
 * Business time: what "now" and "today" are for due dates, reminders and their schedule, snoozes,
 * promises to pay, payments and everything shown with a date. Signature checks, outbox claims,
 * pacing and back-off, and housekeeping run on the wall clock (Date.now()) instead.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
