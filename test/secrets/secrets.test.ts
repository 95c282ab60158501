import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createKeyring,
  generateToken,
  hashToken,
  parseKey,
  SecretError,
  tokenMatches,
} from '../../src/secrets.ts';

const key = () => randomBytes(32);

describe('secrets at rest', () => {
  it('opens what it sealed, for any text, and never shows the plain text', () => {
    const ring = createKeyring([key()]);
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (plain) => {
        const sealed = ring.seal(plain);
        expect(ring.open(sealed)).toBe(plain);
        if (plain.length > 3) expect(sealed.includes(plain)).toBe(false);
      }),
    );
  });

  it('seals the same text differently each time', () => {
    const ring = createKeyring([key()]);
    expect(ring.seal('xoxb-1')).not.toBe(ring.seal('xoxb-1'));
  });

  it('rotates: the new key seals, the old one still opens, and dropping it names the missing key', () => {
    const oldKey = key();
    const newKey = key();
    const sealedBefore = createKeyring([oldKey]).seal('xoxb-old');
    const rotated = createKeyring([newKey, oldKey]);
    expect(rotated.open(sealedBefore)).toBe('xoxb-old');
    expect(rotated.isStale(sealedBefore)).toBe(true);
    const resealed = rotated.seal(rotated.open(sealedBefore));
    expect(rotated.isStale(resealed)).toBe(false);
    expect(createKeyring([newKey]).open(resealed)).toBe('xoxb-old');
    expect(() => createKeyring([newKey]).open(sealedBefore)).toThrow(/no longer lists/);
  });

  it('refuses altered or malformed text', () => {
    const ring = createKeyring([key()]);
    const sealed = ring.seal('whsec_abc');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[4] as string, 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => ring.open(parts.join('.'))).toThrow(/altered/);
    expect(() => ring.open('plain-token')).toThrow(SecretError);
  });

  it('reads keys as 64 hex digits or 32 bytes of base64, and nothing else', () => {
    const bytes = key();
    expect(parseKey(bytes.toString('hex'))?.equals(bytes)).toBe(true);
    expect(parseKey(bytes.toString('base64'))?.equals(bytes)).toBe(true);
    expect(parseKey('too-short')).toBeNull();
    expect(parseKey(randomBytes(16).toString('hex'))).toBeNull();
  });

  it('stores tokens hashed and compares them', () => {
    const token = generateToken('arb_');
    expect(token).toMatch(/^arb_[A-Za-z0-9_-]{43}$/);
    expect(hashToken(token)).toHaveLength(64);
    expect(tokenMatches(token, hashToken(token))).toBe(true);
    expect(tokenMatches(`${token}x`, hashToken(token))).toBe(false);
  });
});
