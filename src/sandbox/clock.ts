import type { Clock } from '../clock.ts';

/**
 * Business time that the sandbox's Clock panel moves forward: the wall clock plus an offset. Only
 * what flows and sweeps call "now" moves; signatures, claims and pacing keep the wall clock.
 */
export interface MovableClock extends Clock {
  /** How far ahead of the wall clock business time is, in milliseconds. */
  offsetMs(): number;
  advance(ms: number): void;
}

export function movableClock(offsetMs = 0, wall: () => number = Date.now): MovableClock {
  let offset = offsetMs;
  return {
    now: () => new Date(wall() + offset),
    offsetMs: () => offset,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
      offset += ms;
    },
  };
}
