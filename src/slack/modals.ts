import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { platformError } from './errors.ts';

/**
 * Redraws an open modal after an answer that changes which questions apply. The view's hash
 * guards against overwriting a newer redraw; when one is already on its way, this one is moot.
 */
export async function redrawModal(
  client: WebClient,
  view: { id: string; hash: string },
  next: ModalView,
): Promise<void> {
  try {
    await client.views.update({ view_id: view.id, hash: view.hash, view: next });
  } catch (error) {
    if (platformError(error) !== 'hash_conflict') throw error;
  }
}
