import { describe, expect, it } from 'vitest';
import { errorFields } from '../src/log.ts';

describe('log: errors', () => {
  it('keeps type, message, code and stack, never what an error drags along (a pg client, a request)', () => {
    const error = Object.assign(new Error('Connection terminated unexpectedly'), {
      code: 'ECONNRESET',
      client: { processID: 4242, secretKey: 1234567, connectionParameters: { password: 'hunter2' } },
    });
    const fields = errorFields(error);
    expect(Object.keys(fields).sort()).toEqual(['code', 'message', 'stack', 'type']);
    expect(fields).toMatchObject({
      type: 'Error',
      message: 'Connection terminated unexpectedly',
      code: 'ECONNRESET',
    });
    expect(JSON.stringify(fields)).not.toMatch(/secretKey|processID|hunter2/);
  });

  it('names the Slack error of a platform error, follows causes, and gives an AggregateError a message', () => {
    const slack = Object.assign(new Error('An API error occurred: channel_not_found'), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'channel_not_found', response_metadata: { scopes: ['chat:write'] } },
    });
    expect(errorFields(slack)).toMatchObject({
      code: 'slack_webapi_platform_error',
      slackError: 'channel_not_found',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(errorFields(new AggregateError([refused], ''))).toMatchObject({
      type: 'AggregateError',
      message: 'connect ECONNREFUSED 127.0.0.1:5432',
      code: 'ECONNREFUSED',
    });
    expect(errorFields(new Error('outer', { cause: refused }))).toMatchObject({
      cause: { code: 'ECONNREFUSED' },
    });
    expect(errorFields('a string')).toEqual({ message: 'a string' });
  });
});
