import type { Deps } from '../../deps.ts';
import { openHome } from '../../flows/home.ts';
import type { EventArgs } from '../args.ts';

/** App Home opened: publish it fresh, and remember to refresh it when what it shows changes. */
export function appHomeOpened(deps: Deps) {
  return async function appHomeOpenedListener({
    event,
    client,
    context,
  }: EventArgs<'app_home_opened'>): Promise<void> {
    if (event.tab !== 'home') return;
    await client.views.publish({
      user_id: event.user,
      view: await openHome(deps, context.teamId, event.user),
    });
  };
}
