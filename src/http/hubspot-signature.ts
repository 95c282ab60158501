import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { header } from './respond.ts';
import { equalInConstantTime, MAX_SKEW_SECONDS, type SignatureCheck } from './signature.ts';

export const HUBSPOT_SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const HUBSPOT_TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';

/**
 * HubSpot decodes these in the URI before signing it (developers.hubspot.com, "Validate the v3
 * request signature"); the `?` that starts the query string is never encoded.
 */
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The URI as HubSpot signs it: the public address it called, with those characters decoded. */
export function hubSpotSignedUri(req: IncomingMessage, publicUrl: string | undefined): string {
  const path = req.url ?? '/';
  const base = publicUrl
    ? publicUrl
    : `${'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http'}://${header(req, 'host') ?? ''}`;
  return `${base}${path}`.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (m) => DECODED[m.toUpperCase()] ?? m,
  );
}

/** base64 HMAC-SHA256 of method + URI + body + timestamp with the app's client secret: X-HubSpot-Signature-v3. */
export function hubSpotSignature(
  clientSecret: string,
  method: string,
  uri: string,
  rawBody: Buffer | string,
  timestamp: string,
): string {
  return createHmac('sha256', clientSecret)
    .update(`${method}${uri}`)
    .update(rawBody)
    .update(timestamp)
    .digest('base64');
}

/**
 * HubSpot's v3 check: a timestamp (milliseconds) within 5 minutes of now, either way, and the
 * signature over the raw bytes, compared in constant time.
 */
export function verifyHubSpotSignature(
  clientSecret: string,
  request: { method: string; uri: string; signature: string | undefined; timestamp: string | undefined },
  rawBody: Buffer,
  now: Date,
): SignatureCheck {
  const { timestamp, signature } = request;
  if (!timestamp || !/^\d{1,15}$/.test(timestamp))
    return { ok: false, problem: 'X-HubSpot-Request-Timestamp header missing or not unix milliseconds' };
  if (Math.abs(now.getTime() - Number(timestamp)) > MAX_SKEW_SECONDS * 1000)
    return { ok: false, problem: 'X-HubSpot-Request-Timestamp is more than 5 minutes away from now' };
  if (!signature) return { ok: false, problem: 'X-HubSpot-Signature-v3 header missing' };
  // A proxy that decodes the header may turn base64's "+" into a space.
  const given = signature.trim().replaceAll(' ', '+');
  const expected = hubSpotSignature(clientSecret, request.method, request.uri, rawBody, timestamp);
  if (!equalInConstantTime(given, expected))
    return {
      ok: false,
      problem: `X-HubSpot-Signature-v3 does not match the body (signed URI: ${request.uri}; set PUBLIC_URL behind a proxy)`,
    };
  return { ok: true };
}
