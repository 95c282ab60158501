/**
 * A fake HubSpot CRM API on loopback for @hubspot/api-client: deals (with their company
 * associations), companies and owners, answered in the shapes HubSpot documents. Every call is
 * recorded (`api.calls`); `api.failNext(429, n, { 'retry-after': '1' })` injects rate limiting.
 */
import { type FakeApi, startFakeApi } from './fake-api.ts';

export interface FakeHubSpot {
  api: FakeApi;
  url: string;
  addDeal(id: string, properties: Record<string, string>, companyIds?: string[]): void;
  addCompany(id: string, properties: Record<string, string>): void;
  addOwner(id: string, email: string): void;
  close(): Promise<void>;
}

const STAMPS = {
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-30T10:00:00.000Z',
  archived: false,
};

export async function startFakeHubSpot(): Promise<FakeHubSpot> {
  const api = await startFakeApi();
  const deals = new Map<string, { properties: Record<string, string>; companyIds: string[] }>();
  const companies = new Map<string, Record<string, string>>();
  const owners = new Map<string, string>();
  const notFound = {
    status: 404,
    body: { status: 'error', message: 'Object not found', category: 'OBJECT_NOT_FOUND' },
  };
  api.route('GET /crm/v3/objects/deals/:id', ({ id }, call) => {
    const deal = deals.get(id as string);
    if (!deal) return notFound;
    const wanted = (call.query.properties ?? '').split(',').filter(Boolean);
    const properties = Object.fromEntries(
      wanted.filter((k) => k in deal.properties).map((k) => [k, deal.properties[k]]),
    );
    const associations = (call.query.associations ?? '').includes('companies')
      ? { companies: { results: deal.companyIds.map((c) => ({ id: c, type: 'deal_to_company' })) } }
      : undefined;
    return {
      status: 200,
      body: {
        id,
        properties: { hs_object_id: id, ...properties },
        ...STAMPS,
        ...(associations ? { associations } : {}),
      },
    };
  });
  api.route('GET /crm/v3/objects/companies/:id', ({ id }) => {
    const company = companies.get(id as string);
    return company
      ? { status: 200, body: { id, properties: { hs_object_id: id, ...company }, ...STAMPS } }
      : notFound;
  });
  api.route('GET /crm/v3/owners/:id', ({ id }) => {
    const email = owners.get(id as string);
    return email
      ? {
          status: 200,
          body: { id, email, firstName: 'Rep', lastName: 'One', userId: 1, type: 'PERSON', ...STAMPS },
        }
      : notFound;
  });
  return {
    api,
    url: api.url,
    addDeal: (id, properties, companyIds = []) => deals.set(id, { properties, companyIds }),
    addCompany: (id, properties) => companies.set(id, properties),
    addOwner: (id, email) => owners.set(id, email),
    close: () => api.close(),
  };
}
