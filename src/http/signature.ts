import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-arbridge-signature';
export const TIMESTAMP_HEADER = 'x-arbridge-timestamp';
export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';
/** A signed request dated further than this from now, in either direction, is refused. */
export const MAX_SKEW_SECONDS = 5 * 60;

/** A body as it came off the wire; a string is signed as its UTF-8 bytes. */
export type RawBody = Buffer | string;

function hmacHex(secret: string, prefix: string, rawBody: RawBody): string {
  return createHmac('sha256', secret).update(prefix).update(rawBody).digest('hex');
}

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body bytes>`: the X-ARBridge-Signature value. */
export function signBody(secret: string, timestamp: string | number, rawBody: RawBody): string {
  return `sha256=${hmacHex(secret, `${timestamp}.`, rawBody)}`;
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body bytes>`: Slack's X-Slack-Signature value. */
export function slackSignature(secret: string, timestamp: string | number, rawBody: RawBody): string {
  return `v0=${hmacHex(secret, `v0:${timestamp}:`, rawBody)}`;
}

export type SignatureCheck = { ok: true } | { ok: false; problem: string };

interface SignedHeaders {
  timestamp: string | undefined;
  signature: string | undefined;
}

export function equalInConstantTime(given: string, expected: string): boolean {
  const a = Buffer.from(given.trim());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A way of signing requests: its header names and how the expected signature is computed. */
export interface SigningScheme {
  timestampHeader: string;
  signatureHeader: string;
  sign(secret: string, timestamp: string, rawBody: RawBody): string;
}

/** AR Bridge's own webhooks: X-ARBridge-Timestamp and X-ARBridge-Signature. */
export const WEBHOOK_SIGNING: SigningScheme = {
  timestampHeader: 'X-ARBridge-Timestamp',
  signatureHeader: 'X-ARBridge-Signature',
  sign: signBody,
};

/** Slack's requests: X-Slack-Request-Timestamp and X-Slack-Signature (v0). */
export const SLACK_SIGNING: SigningScheme = {
  timestampHeader: 'X-Slack-Request-Timestamp',
  signatureHeader: 'X-Slack-Signature',
  sign: slackSignature,
};

/**
 * The checks every signed request gets: a timestamp in unix seconds within five minutes of now,
 * either way (a request dated in the future is no fresher than a stale one), and the expected
 * signature over the raw bytes, compared in constant time.
 */
export function verifySignedRequest(
  scheme: SigningScheme,
  secret: string,
  headers: SignedHeaders,
  rawBody: RawBody,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, problem: `${scheme.timestampHeader} header missing or not unix seconds` };
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_SKEW_SECONDS)
    return { ok: false, problem: `${scheme.timestampHeader} is more than 5 minutes away from now` };
  if (!signature) return { ok: false, problem: `${scheme.signatureHeader} header missing` };
  if (!equalInConstantTime(signature, scheme.sign(secret, timestamp, rawBody)))
    return { ok: false, problem: `${scheme.signatureHeader} does not match the body` };
  return { ok: true };
}

/** Checks X-ARBridge-Signature over "<timestamp>.<raw body>", in constant time, within 5 minutes. */
export function verifySignature(
  secret: string,
  headers: SignedHeaders,
  rawBody: RawBody,
  nowSeconds?: number,
): SignatureCheck {
  return verifySignedRequest(WEBHOOK_SIGNING, secret, headers, rawBody, nowSeconds);
}

/** Constant-time comparison of a bearer token. */
export function tokenMatches(expected: string, header: string | undefined): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) return false;
  const a = createHmac('sha256', 'arbridge').update(match[1]).digest();
  const b = createHmac('sha256', 'arbridge').update(expected).digest();
  return timingSafeEqual(a, b);
}
