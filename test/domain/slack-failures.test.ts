import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifySlackFailure, TOKEN_ERRORS } from '../../src/domain/slack-failures.ts';

describe('domain/slack-failures', () => {
  it('tells a dead token, a broken channel and an undeliverable DM apart', () => {
    expect(classifySlackFailure('C0FIN', 'invalid_auth', false)).toEqual({
      kind: 'token',
      code: 'invalid_auth',
    });
    expect(classifySlackFailure('C0FIN', 'not_in_channel', true)).toEqual({
      kind: 'channel',
      channel: 'C0FIN',
      code: 'not_in_channel',
    });
    expect(classifySlackFailure('G0PRIV', 'is_archived', true)).toMatchObject({ kind: 'channel' });
    expect(classifySlackFailure('U0REP', 'cannot_dm_bot', true)).toEqual({
      kind: 'dm',
      user: 'U0REP',
      code: 'cannot_dm_bot',
    });
    // account_inactive with a token that auth.test accepts is about the recipient.
    expect(classifySlackFailure('U0REP', 'account_inactive', true)).toMatchObject({ kind: 'dm' });
    expect(classifySlackFailure('U0REP', 'account_inactive', false)).toMatchObject({ kind: 'token' });
    expect(classifySlackFailure('C0FIN', 'invalid_blocks', true)).toBeNull();
    expect(classifySlackFailure('C0FIN', 'cannot_dm_bot', true)).toBeNull();
  });

  it('calls it a token problem exactly when the code is one and auth.test fails too', () => {
    const code = fc.oneof(fc.constantFrom(...TOKEN_ERRORS, 'not_in_channel', 'user_not_found'), fc.string());
    const where = fc.oneof(fc.stringMatching(/^[CGUWD][A-Z0-9]{2,10}$/), fc.string());
    fc.assert(
      fc.property(where, code, fc.boolean(), (w, c, works) => {
        const failure = classifySlackFailure(w, c, works);
        expect(failure?.kind === 'token').toBe(TOKEN_ERRORS.has(c) && !works);
        if (failure?.kind === 'channel') expect(failure.channel).toBe(w);
        if (failure?.kind === 'dm') expect(failure.user).toBe(w);
      }),
    );
  });
});
