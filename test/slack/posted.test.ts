import { describe, expect, it } from 'vitest';
import {
  mayHaveReachedSlack,
  NOTIFICATION_EVENT_TYPE,
  notificationMetadata,
} from '../../src/slack/posted.ts';

const requestError = (cause: unknown) =>
  Object.assign(new Error('A request error occurred'), { code: 'slack_webapi_request_error', cause });

describe('slack/posted', () => {
  it('carries the dedupe key in the message metadata', () => {
    expect(notificationMetadata('pastdue:INV-1042:15')).toEqual({
      event_type: NOTIFICATION_EVENT_TYPE,
      event_payload: { key: 'pastdue:INV-1042:15' },
    });
  });

  it('suspects a post that went out without an answer, never one Slack answered or that never left', () => {
    const dropped = requestError(
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
      }),
    );
    const timedOut = requestError(
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    );
    const refused = requestError(
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      }),
    );
    expect(mayHaveReachedSlack(dropped)).toBe(true);
    expect(mayHaveReachedSlack(timedOut)).toBe(true);
    expect(mayHaveReachedSlack(refused)).toBe(false);
    expect(mayHaveReachedSlack({ code: 'slack_webapi_rate_limited_error' })).toBe(false);
    expect(mayHaveReachedSlack({ code: 'slack_webapi_http_error', statusCode: 500 })).toBe(false);
    expect(
      mayHaveReachedSlack({ code: 'slack_webapi_platform_error', data: { error: 'channel_not_found' } }),
    ).toBe(false);
    expect(mayHaveReachedSlack(null)).toBe(false);
  });
});
