import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets at rest: bot tokens, webhook signing secrets and connector credentials are sealed with
 * AES-256-GCM under ENCRYPTION_KEY. Sealed text is `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url),
 * so a value names the key that sealed it. ENCRYPTION_KEY lists one or more keys, comma-separated,
 * newest first: the first seals, every one opens. To rotate: put the new key first, keep the old one
 * after it, restart, reseal (`npm run reseal`), then drop the old key.
 */
export interface Keyring {
  /** Seals with the newest key. */
  seal(plain: string): string;
  /** Opens with whichever listed key sealed it; throws SecretError when none did or it was altered. */
  open(sealed: string): string;
  /** True when `sealed` was sealed by an older key than the newest (so resealing would change it). */
  isStale(sealed: string): boolean;
}

export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

const VERSION = 'v1';

/** A key is 32 bytes, written as 64 hex digits or as base64 (openssl rand -base64 32). */
export function parseKey(text: string): Buffer | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : null;
  }
  return null;
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

/** Builds a keyring from ENCRYPTION_KEY's keys, newest first. */
export function createKeyring(keys: readonly Buffer[]): Keyring {
  const [newest] = keys;
  if (!newest) throw new SecretError('ENCRYPTION_KEY lists no key');
  const byId = new Map(keys.map((key) => [keyId(key), key]));
  const newestId = keyId(newest);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', newest, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
      return [VERSION, newestId, ...parts].join('.');
    },
    open(sealed) {
      const [version, id, iv, tag, body, extra] = sealed.split('.');
      if (version !== VERSION || !id || !iv || !tag || body === undefined || extra !== undefined)
        throw new SecretError('not a sealed secret');
      const key = byId.get(id);
      if (!key)
        throw new SecretError(
          `sealed with a key ENCRYPTION_KEY no longer lists (key id ${id}): put that key back after the newest one`,
        );
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new SecretError(`a sealed secret does not open with key id ${id}: it was altered`);
      }
    },
    isStale(sealed) {
      return sealed.split('.')[1] !== newestId;
    },
  };
}

/** A random token to show once (API tokens, webhook secrets): 32 bytes, base64url, with a prefix. */
export function generateToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** What is stored of a bearer token: its SHA-256 (tokens are random, so no salt or stretching is needed). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares a presented token with a stored hash in constant time. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
