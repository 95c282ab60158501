import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-arbridge-signature';
export const TIMESTAMP_HEADER = 'x-arbridge-timestamp';
export const MAX_SKEW_SECONDS = 5 * 60;

export function signBody(secret: string, timestamp: string | number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; problem: string };

/** Checks X-ARBridge-Signature over "<timestamp>.<raw body>", in constant time, within 5 minutes. */
export function verifySignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, problem: 'X-ARBridge-Timestamp header missing or not unix seconds' };
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_SKEW_SECONDS) {
    return { ok: false, problem: 'X-ARBridge-Timestamp is more than 5 minutes away from now' };
  }
  if (!signature) return { ok: false, problem: 'X-ARBridge-Signature header missing' };
  const expected = Buffer.from(signBody(secret, timestamp, rawBody));
  const given = Buffer.from(signature.trim());
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, problem: 'X-ARBridge-Signature does not match the body' };
  }
  return { ok: true };
}

/** Constant-time comparison of a bearer token. */
export function tokenMatches(expected: string, header: string | undefined): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) return false;
  const a = createHmac('sha256', 'arbridge').update(match[1]).digest();
  const b = createHmac('sha256', 'arbridge').update(expected).digest();
  return timingSafeEqual(a, b);
}
