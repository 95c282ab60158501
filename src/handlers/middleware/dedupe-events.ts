import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { firstSighting, forget } from '../../db/seen-requests.ts';
import type { Deps } from '../../deps.ts';
import type { WorkspaceContext } from './workspace.ts';

/**
 * Slack retries an event it thinks was not received (X-Slack-Retry-Num), and Bolt does not dedupe:
 * the first delivery of each event id runs the listeners, every later one is acknowledged and dropped.
 * A retry whose first delivery never arrived is the first sighting and runs normally.
 */
export function dedupeEvents(
  deps: Pick<Deps, 'db' | 'logger'>,
): Middleware<AnyMiddlewareArgs, WorkspaceContext> {
  return async ({ body, context, next }) => {
    const envelope = body as { type?: string; event_id?: string };
    if (envelope.type !== 'event_callback' || !envelope.event_id) return next();
    const { teamId } = context;
    const key = `event:${envelope.event_id}`;
    if (!(await firstSighting(deps.db, teamId, key))) {
      deps.logger.debug(
        { eventId: envelope.event_id, retryNum: context.retryNum },
        'duplicate event dropped',
      );
      return;
    }
    try {
      await next();
    } catch (error) {
      // Not handled after all: let Slack's retry run it.
      await forget(deps.db, teamId, key);
      throw error;
    }
  };
}
