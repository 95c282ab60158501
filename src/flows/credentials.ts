import type { Config } from '../config.ts';
import type { Db, Queryable } from '../db/schema.ts';
import { credentialsOf, storedSettings, teamOfApiToken } from '../db/settings.ts';
import { createKeyring, hashToken, type Keyring, SecretError } from '../secrets.ts';

/**
 * A workspace's own credentials: its invoices-API token (stored as a hash), its webhook secret and
 * its connector secrets (sealed with ENCRYPTION_KEY, since a signature check needs the secret
 * itself). Without `team` on a request the environment's credentials apply, as before.
 */
interface CredentialDeps {
  readonly config: Config;
  readonly db: Db;
}

const keyrings = new WeakMap<Config, Keyring>();

/** The keyring over ENCRYPTION_KEY, or null when it is not set. */
export function keyringOf(config: Config): Keyring | null {
  if (!config.ENCRYPTION_KEY) return null;
  let keyring = keyrings.get(config);
  if (!keyring) {
    keyring = createKeyring(config.ENCRYPTION_KEY);
    keyrings.set(config, keyring);
  }
  return keyring;
}

/** The sealed credentials a workspace may set, by kind: the environment variable each stands for. */
export const SEALED_KINDS = {
  webhook_secret: 'WEBHOOK_SECRET',
  hubspot_client_secret: 'HUBSPOT_CLIENT_SECRET',
  hubspot_access_token: 'HUBSPOT_ACCESS_TOKEN',
  salesforce_org_ids: 'SALESFORCE_ORG_IDS',
  salesforce_webhook_token: 'SALESFORCE_WEBHOOK_TOKEN',
  stripe_webhook_secret: 'STRIPE_WEBHOOK_SECRET',
  stripe_api_key: 'STRIPE_API_KEY',
} as const;

export type SealedKind = keyof typeof SEALED_KINDS;

/** What a route needs of a workspace: its opened secrets and which connector routes are off. */
export interface WorkspaceCredentials {
  secrets: Partial<Record<SealedKind, string>>;
  /** Connector → on; absent means on. */
  connectors: Record<string, boolean>;
}

/** The workspace's credentials, opened. A secret that no longer opens (its key was dropped) counts as unset. */
export async function workspaceCredentials(
  deps: CredentialDeps,
  teamId: string,
  via: Queryable = deps.db,
): Promise<WorkspaceCredentials> {
  const stored = await credentialsOf(via, teamId);
  const keyring = keyringOf(deps.config);
  const secrets: Partial<Record<SealedKind, string>> = {};
  if (keyring)
    for (const kind of Object.keys(SEALED_KINDS) as SealedKind[]) {
      const sealed = stored.get(kind)?.value;
      if (!sealed) continue;
      try {
        secrets[kind] = keyring.open(sealed);
      } catch (error) {
        if (!(error instanceof SecretError)) throw error;
      }
    }
  const { connectors } = await storedSettings(via, teamId);
  return { secrets, connectors };
}

/** The workspace a bearer token on POST /api/invoices belongs to, by its hash; undefined when none. */
export async function teamOfToken(deps: CredentialDeps, token: string): Promise<string | undefined> {
  return teamOfApiToken(deps.db, hashToken(token));
}

/** Whether the workspace made an invoices-API token of its own (API_TOKEN then no longer applies to it). */
export async function hasOwnApiToken(deps: CredentialDeps, teamId: string): Promise<boolean> {
  return (await credentialsOf(deps.db, teamId)).has('api_token');
}
