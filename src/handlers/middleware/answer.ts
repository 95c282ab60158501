import {
  type AllMiddlewareArgs,
  type AnyMiddlewareArgs,
  ErrorCode,
  type Middleware,
  type RespondFn,
} from '@slack/bolt';
import { LISTENER_FAILED_TEXT, listenerFailedAck, listenerFailedModal } from '../../views/common.ts';
import type { WorkspaceContext } from './workspace.ts';

type Ack = (response?: never) => Promise<void>;

/** What any listener is handed, as far as answering goes. */
type Answerable = AllMiddlewareArgs<WorkspaceContext> & { body: unknown; ack?: Ack; respond?: RespondFn };

const isMultipleAck = (error: unknown) =>
  (error as { code?: string }).code === ErrorCode.ReceiverMultipleAckError;

/** Once acknowledged: a word where the person is (the command's or message's reply, or over the modal). */
async function tellAfterAck(args: Answerable): Promise<void> {
  const body = (args.body ?? {}) as { type?: unknown; view?: unknown; trigger_id?: unknown };
  if (body.type === 'view_submission' || body.type === 'block_suggestion') return;
  if (args.respond) {
    await args.respond({ response_type: 'ephemeral', replace_original: false, text: LISTENER_FAILED_TEXT });
  } else if (body.view && typeof body.trigger_id === 'string') {
    await args.client.views.push({ trigger_id: body.trigger_id, view: listenerFailedModal() });
  }
}

/** Tells the person a listener failed for, whether or not it had acknowledged yet. Never throws. */
async function tellUser(args: Answerable): Promise<void> {
  try {
    if (args.ack && !args.context.answered) {
      args.context.answered = true;
      const ack = listenerFailedAck(args.body);
      await args.ack(ack as never);
      if (ack) return;
    }
    await tellAfterAck(args);
  } catch (error) {
    args.logger.debug(`Could not tell the user that their request failed: ${(error as Error).message}`);
  }
}

/**
 * Wraps a listener: its acknowledgement is noted in `context.answered`, and when it fails the
 * person hears so at once (an ephemeral reply, an error in the form, a notice over the modal)
 * instead of waiting for nothing. The error goes on to the app's error handler, logged once.
 */
export function answering<A extends Answerable>(
  listener: (args: A) => Promise<void>,
): (args: A) => Promise<void> {
  return async (args) => {
    const { ack } = args;
    const tracked: Ack | undefined = ack
      ? async (response) => {
          args.context.answered = true;
          await ack(response);
        }
      : undefined;
    try {
      await listener({ ...args, ack: tracked });
    } catch (error) {
      await tellUser(args);
      throw error;
    }
  };
}

/**
 * A request that no listener acknowledged (an action or a callback this app does not know, or one
 * Bolt's matching failed on) is acknowledged after them all, with one log line, instead of Bolt's
 * 404 three seconds later. A failure goes on to the app's error handler, which logs it.
 */
export function acknowledgeUnhandled(): Middleware<AnyMiddlewareArgs, WorkspaceContext> {
  return async (args) => {
    let failed = true;
    try {
      await args.next();
      failed = false;
    } finally {
      await acknowledgeIfUnanswered(args, failed);
    }
  };
}

async function acknowledgeIfUnanswered(
  args: AnyMiddlewareArgs & AllMiddlewareArgs<WorkspaceContext>,
  failed: boolean,
) {
  const { ack } = args as { ack?: Ack };
  if (!ack || args.context.answered) return;
  args.context.answered = true;
  try {
    await ack();
    const type = (args.body as { type?: unknown }).type;
    if (!failed)
      args.logger.info(
        `No listener handled a Slack request (${typeof type === 'string' ? type : 'command'}): acknowledged`,
      );
  } catch (error) {
    if (!isMultipleAck(error)) throw error;
  }
}
