/** A delivery that must wait: the row goes back to pending for `ms`, and the wait is not an attempt. */
export class Deferred extends Error {
  readonly ms: number;
  constructor(ms: number, reason: string) {
    super(reason);
    this.ms = ms;
  }
}

export interface Pacer {
  /** Throws Deferred while the channel had a post less than the gap ago; else records this one. */
  take(channel: string): void;
}

/** Slack allows about one message per second per channel: posts to one channel are `gapMs` apart. */
export function createPacer(gapMs: number): Pacer {
  const lastPostAt = new Map<string, number>();
  return {
    take(channel) {
      const last = lastPostAt.get(channel);
      const wait = last === undefined ? 0 : last + gapMs - Date.now();
      if (wait > 0) throw new Deferred(wait, `pacing channel ${channel}`);
      lastPostAt.set(channel, Date.now());
    },
  };
}
