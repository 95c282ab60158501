import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SLACK_SIGNING,
  signBody,
  slackSignature,
  tokenMatches,
  verifySignature,
  verifySignedRequest,
} from '../../src/http/signature.ts';

const NOW = 1_800_000_000;

describe('webhook signature', () => {
  it('accepts exactly the signed body within five minutes', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 1 }),
        fc.integer({ min: -300, max: 300 }),
        (body, secret, skew) => {
          const ts = NOW + skew;
          const check = verifySignature(
            secret,
            { timestamp: String(ts), signature: signBody(secret, ts, body) },
            body,
            NOW,
          );
          expect(check).toEqual({ ok: true });
        },
      ),
    );
  });

  it('refuses other bodies, secrets, stale or future timestamps and missing headers', () => {
    const sig = signBody('secret', NOW, 'body');
    expect(verifySignature('secret', { timestamp: String(NOW), signature: sig }, 'body!', NOW).ok).toBe(
      false,
    );
    expect(verifySignature('other', { timestamp: String(NOW), signature: sig }, 'body', NOW).ok).toBe(false);
    expect(
      verifySignature(
        'secret',
        { timestamp: String(NOW - 301), signature: signBody('secret', NOW - 301, 'body') },
        'body',
        NOW,
      ).ok,
    ).toBe(false);
    expect(
      verifySignature(
        'secret',
        { timestamp: String(NOW + 301), signature: signBody('secret', NOW + 301, 'body') },
        'body',
        NOW,
      ).ok,
    ).toBe(false);
    expect(verifySignature('secret', { timestamp: undefined, signature: sig }, 'body', NOW).ok).toBe(false);
    expect(verifySignature('secret', { timestamp: String(NOW), signature: undefined }, 'body', NOW).ok).toBe(
      false,
    );
    expect(verifySignature('secret', { timestamp: 'soon', signature: sig }, 'body', NOW).ok).toBe(false);
  });

  it('signs the raw bytes: a string and its UTF-8 bytes sign the same, other bytes do not', () => {
    const text = '{"name":"Été"}';
    expect(signBody('secret', NOW, text)).toBe(signBody('secret', NOW, Buffer.from(text)));
    const latin1 = Buffer.from(text, 'latin1');
    expect(signBody('secret', NOW, latin1)).not.toBe(signBody('secret', NOW, text));
    expect(
      verifySignature(
        'secret',
        { timestamp: String(NOW), signature: signBody('secret', NOW, latin1) },
        latin1,
        NOW,
      ),
    ).toEqual({ ok: true });
  });

  it('checks Slack v0 signatures within five minutes either way', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.integer({ min: -900, max: 900 }), (bytes, skew) => {
        const body = Buffer.from(bytes);
        const ts = String(NOW + skew);
        const check = verifySignedRequest(
          SLACK_SIGNING,
          'slack-secret',
          { timestamp: ts, signature: slackSignature('slack-secret', ts, body) },
          body,
          NOW,
        );
        expect(check.ok).toBe(Math.abs(skew) <= 300);
      }),
    );
    const sig = slackSignature('slack-secret', NOW, 'a=1');
    expect(
      verifySignedRequest(
        SLACK_SIGNING,
        'slack-secret',
        { timestamp: String(NOW), signature: sig },
        'a=2',
        NOW,
      ),
    ).toEqual({
      ok: false,
      problem: 'X-Slack-Signature does not match the body',
    });
  });

  it('compares bearer tokens exactly', () => {
    expect(tokenMatches('tok-123', 'Bearer tok-123')).toBe(true);
    expect(tokenMatches('tok-123', 'bearer tok-123')).toBe(true);
    expect(tokenMatches('tok-123', 'Bearer tok-124')).toBe(false);
    expect(tokenMatches('tok-123', 'tok-123')).toBe(false);
    expect(tokenMatches('tok-123', undefined)).toBe(false);
  });
});
