import type { Deps } from '../../deps.ts';
import { renderHome } from '../../flows/home.ts';
import type { EventArgs } from '../args.ts';

/** App Home opened: publish it fresh, and remember to refresh it when what it shows changes. */
export function appHomeOpened(deps: Deps) {
  return async function appHomeOpenedListener({
    event,
    client,
    context,
  }: EventArgs<'app_home_opened'>): Promise<void> {
    if (event.tab !== 'home') return;
    const teamId = context.teamId;
    await deps.db
      .insertInto('people')
      .values({ team_id: teamId, user_id: event.user, home_opened_at: new Date() })
      .onConflict((oc) => oc.columns(['team_id', 'user_id']).doUpdateSet({ home_opened_at: new Date() }))
      .execute();
    await client.views.publish({ user_id: event.user, view: await renderHome(deps, teamId, event.user) });
  };
}
