import type { Deps } from '../../deps.ts';
import { answerAsk } from '../../flows/asks.ts';
import { readAnswer } from '../../views/asks.ts';
import { inlineErrors, metadataId, noticeUpdate } from '../../views/common.ts';
import type { ViewArgs } from '../args.ts';

/** The answer to an ask: closes it and posts it in the account's thread. */
export function answerSubmit(deps: Deps) {
  return async function answerSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const askId = metadataId(view.private_metadata, 'askId');
    if (askId === null) return ack(noticeUpdate('Something is off', 'Please start again from the ask.'));
    const result = await answerAsk(deps, {
      teamId: context.teamId,
      userId: body.user.id,
      askId,
      answer: readAnswer(view.state.values),
    });
    if (result.status === 'empty') return ack(inlineErrors({ answer: 'Write your answer.' }));
    if (result.status === 'answered')
      return ack(noticeUpdate('Already answered', 'Someone answered it already.'));
    if (result.status === 'not_yours') return ack(noticeUpdate('Not yours', 'This ask is for someone else.'));
    if (result.status === 'not_found') return ack(noticeUpdate('Not found', 'That ask no longer exists.'));
    await ack();
  };
}
