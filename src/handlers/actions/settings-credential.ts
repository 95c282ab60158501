import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { credentialAction } from '../../flows/workspace-settings.ts';
import type { ButtonArgs } from '../args.ts';

const which = z.string().regex(/^[a-z_]{1,40}$/);

/** A credentials button inside Settings: the new token or secret (shown once), or a connector's form, on top. */
export function settingsCredentialButton(deps: Deps) {
  return async function settingsCredentialListener({
    ack,
    body,
    action,
    client,
    context,
  }: ButtonArgs): Promise<void> {
    await ack();
    const view = await credentialAction(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      which: which.parse(action.value),
    });
    await client.views.push({ trigger_id: body.trigger_id, view });
  };
}
