import type { Harness } from './harness.ts';

export interface InstallResult {
  /** The answer of GET /slack/oauth_redirect. */
  status: number;
  html: string;
  /** The consent-page URL /slack/install linked to. */
  authorizeUrl: URL;
  /** The page GET /slack/install answered with. */
  page: string;
}

/**
 * Installs the app into `teamId` as a person does: opens GET /slack/install (which sets the state
 * cookie and links to Slack's consent page), follows the link to the fake Slack, picks the
 * workspace and allows, and comes back to GET /slack/oauth_redirect?code=…&state=… with the cookie.
 */
export async function installThroughSlack(h: Harness, teamId: string): Promise<InstallResult> {
  const start = await fetch(`${h.baseUrl}/slack/install`);
  const page = await start.text();
  if (start.status !== 200) throw new Error(`GET /slack/install answered ${start.status}: ${page}`);
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const href = /<a href="([^"]+)"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
  if (!href) throw new Error(`GET /slack/install links nowhere: ${page}`);
  const authorizeUrl = new URL(href);
  const consent = new URL(authorizeUrl);
  consent.searchParams.set('team', teamId);
  const allowed = await fetch(consent, { redirect: 'manual' });
  const back = allowed.headers.get('location');
  if (allowed.status !== 302 || !back) throw new Error(`the consent page answered ${allowed.status}`);
  const done = await fetch(back, { headers: { cookie }, redirect: 'manual' });
  return { status: done.status, html: await done.text(), authorizeUrl, page };
}
