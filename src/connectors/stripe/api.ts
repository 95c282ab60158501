import type Stripe from 'stripe';
import type { CustomerFacts } from './map.ts';

/** What the Stripe connector reads from Stripe's API: a customer's name and CRM account id. */
export interface StripeApi {
  customer(customerId: string): Promise<CustomerFacts | null>;
}

/** Stripe's API through the official SDK, at `baseUrl` (Stripe's by default; a fake in tests). */
export function createStripeApi(apiKey: string, baseUrl?: string): StripeApi {
  const url = baseUrl ? new URL(baseUrl) : null;
  // Loaded on first use: the SDK is large and slows start-up.
  let client: Promise<Stripe> | null = null;
  const connect = async () => {
    const { default: StripeClient } = await import('stripe');
    return new StripeClient(apiKey, {
      maxNetworkRetries: 2,
      telemetry: false,
      ...(url
        ? {
            host: url.hostname,
            port: url.port || (url.protocol === 'http:' ? 80 : 443),
            protocol: url.protocol === 'http:' ? 'http' : 'https',
          }
        : {}),
    });
  };
  return {
    async customer(customerId) {
      client ??= connect();
      const customer = await (await client).customers.retrieve(customerId);
      if ('deleted' in customer && customer.deleted) return null;
      const c = customer as Stripe.Customer;
      return { name: c.name ?? c.email ?? null, crmAccountId: c.metadata?.crm_account_id?.trim() || null };
    },
  };
}
