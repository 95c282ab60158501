import { describe, expect, it } from 'vitest';
import { LISTENER_FAILED_TEXT, listenerFailedAck } from '../../src/views/common.ts';

describe('what a failed listener acknowledges with', () => {
  it('answers a command ephemerally, a form under its first input, an option list empty', () => {
    expect(listenerFailedAck({ command: '/ar-status', text: 'x' })).toEqual({
      response_type: 'ephemeral',
      text: LISTENER_FAILED_TEXT,
    });
    const form = {
      type: 'view_submission',
      view: {
        blocks: [{ type: 'section' }, { type: 'input', block_id: 'first' }, { type: 'input', block_id: 'b' }],
      },
    };
    expect(listenerFailedAck(form)).toEqual({
      response_action: 'errors',
      errors: { first: LISTENER_FAILED_TEXT },
    });
    expect(listenerFailedAck({ type: 'block_suggestion' })).toEqual({ options: [] });
  });

  it('pushes a notice over a form without inputs, and adds nothing to a plain acknowledgement', () => {
    const pushed = listenerFailedAck({ type: 'view_submission', view: { blocks: 'not a list' } });
    expect(pushed).toMatchObject({ response_action: 'push', view: { type: 'modal' } });
    expect(listenerFailedAck({ type: 'block_actions' })).toBeUndefined();
    expect(listenerFailedAck(null)).toBeUndefined();
  });
});
