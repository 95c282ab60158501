import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signBody, tokenMatches, verifySignature } from '../../src/http/signature.ts';

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

  it('compares bearer tokens exactly', () => {
    expect(tokenMatches('tok-123', 'Bearer tok-123')).toBe(true);
    expect(tokenMatches('tok-123', 'bearer tok-123')).toBe(true);
    expect(tokenMatches('tok-123', 'Bearer tok-124')).toBe(false);
    expect(tokenMatches('tok-123', 'tok-123')).toBe(false);
    expect(tokenMatches('tok-123', undefined)).toBe(false);
  });
});
