import type { Client } from '@hubspot/api-client';
import type { HubSpotCompany, HubSpotDeal } from './map.ts';

/** What the HubSpot connector reads from HubSpot's CRM API. */
export interface HubSpotApi {
  deal(dealId: string, properties: readonly string[]): Promise<HubSpotDeal | null>;
  company(companyId: string): Promise<HubSpotCompany | null>;
  ownerEmail(ownerId: string): Promise<string | null>;
}

/** HubSpot's API did not give an answer (after honouring its 429s): nothing was stored; HubSpot retries. */
export class HubSpotUnavailableError extends Error {}

const ATTEMPTS = 4;
const MAX_WAIT_MS = 10_000;

interface ApiError {
  code?: number;
  headers?: Record<string, string>;
}

/**
 * Calls HubSpot, waiting as its 429 answers ask (Retry-After, else a second per attempt; HubSpot's
 * limits are per second and per ten seconds), and briefly after a 5xx. A 404 is "not there" (null).
 */
async function call<T>(request: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const { code, headers } = error as ApiError;
      if (code === 404) return null;
      const retryable = code === 429 || (code !== undefined && code >= 500);
      if (!retryable || attempt >= ATTEMPTS)
        throw new HubSpotUnavailableError(`HubSpot's API answered ${code ?? 'nothing'}`, { cause: error });
      const retryAfter = Number(headers?.['retry-after']);
      const wait =
        code === 429 && Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : attempt * 1000;
      await sleep(Math.min(wait, MAX_WAIT_MS));
    }
  }
}

/** HubSpot's CRM through the official client, with a private-app token, at `basePath` (a fake in tests). */
export function createHubSpotApi(
  accessToken: string,
  basePath: string,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): HubSpotApi {
  // Loaded on first use: most installations never receive a HubSpot event.
  let loaded: Promise<Client> | null = null;
  const crm = async () => {
    loaded ??= import('@hubspot/api-client').then(({ Client }) => new Client({ accessToken, basePath }));
    return (await loaded).crm;
  };
  return {
    async deal(dealId, properties) {
      const deal = await call(
        async () => (await crm()).deals.basicApi.getById(dealId, [...properties], undefined, ['companies']),
        sleep,
      );
      if (!deal) return null;
      const companies = deal.associations?.companies?.results ?? [];
      return { id: deal.id, properties: deal.properties, companyIds: companies.map((c) => c.id) };
    },
    async company(companyId) {
      const company = await call(
        async () => (await crm()).companies.basicApi.getById(companyId, ['name', 'domain']),
        sleep,
      );
      return company ? { id: company.id, properties: company.properties } : null;
    },
    async ownerEmail(ownerId) {
      if (!/^\d+$/.test(ownerId)) return null;
      const owner = await call(async () => (await crm()).owners.ownersApi.getById(Number(ownerId)), sleep);
      return owner?.email ?? null;
    },
  };
}
