import { MAX_SKEW_SECONDS, type SignatureCheck } from './signature.ts';

export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

/**
 * Stripe's own check (`webhooks.constructEvent` on the raw bytes, with its 5-minute tolerance for
 * old timestamps), plus the one it leaves out: a timestamp more than 5 minutes ahead is refused too.
 */
export async function verifyStripeSignature(
  secret: string,
  signatureHeader: string | undefined,
  raw: Buffer,
  now: Date,
): Promise<SignatureCheck> {
  if (!signatureHeader) return { ok: false, problem: 'Stripe-Signature header missing' };
  const t = /(?:^|,)\s*t=(\d{1,12})(?:,|$)/.exec(signatureHeader)?.[1];
  if (t !== undefined && Number(t) - Math.floor(now.getTime() / 1000) > MAX_SKEW_SECONDS)
    return { ok: false, problem: 'Stripe-Signature timestamp is more than 5 minutes in the future' };
  // Loaded on first use: the SDK is large, and most installations never receive a Stripe event.
  const { default: Stripe } = await import('stripe');
  try {
    Stripe.webhooks.constructEvent(raw, signatureHeader, secret, MAX_SKEW_SECONDS, undefined, now.getTime());
    return { ok: true };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? 'invalid';
    return { ok: false, problem: `Stripe-Signature: ${message.trim()}` };
  }
}
