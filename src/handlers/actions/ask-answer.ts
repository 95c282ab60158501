import type { ModalView } from '@slack/types';
import type { Deps } from '../../deps.ts';
import { type AnswerPrompt, answerPrompt } from '../../flows/asks.ts';
import { answerModal } from '../../views/asks.ts';
import { noticeModal } from '../../views/common.ts';
import { mention } from '../../views/text.ts';
import type { ButtonArgs } from '../args.ts';
import { recordId } from '../parse.ts';

function viewFor(prompt: AnswerPrompt): ModalView {
  switch (prompt.status) {
    case 'not_found':
      return noticeModal('Not found', 'That ask no longer exists.');
    case 'answered':
      return noticeModal('Already answered', `${mention(prompt.byUserId, 'Someone')} answered it already.`);
    case 'not_yours':
      return noticeModal('Not yours', `This one is for ${mention(prompt.askedOf, 'AR')} to answer.`);
    case 'answer':
      return answerModal(prompt.ask);
  }
}

/** "Answer" on an ask (thread, reminder, App Home): the answer modal. */
export function askAnswerButton(deps: Deps) {
  return async function askAnswerListener({ ack, body, action, client, context }: ButtonArgs): Promise<void> {
    await ack();
    const prompt = await answerPrompt(deps, context.teamId, body.user.id, recordId.parse(action.value));
    await client.views.open({ trigger_id: body.trigger_id, view: viewFor(prompt) });
  };
}
