import type { HTTPReceiverOptions } from '@slack/bolt';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { slackClientOptions } from '../slack/client.ts';

type InstallerOptions = NonNullable<HTTPReceiverOptions['installerOptions']>;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** Why an install did not complete, for the person who tried, by @slack/oauth's error code. */
function failureOf(code: string | undefined): { status: number; title: string; text: string } {
  switch (code) {
    case 'slack_oauth_missing_state':
    case 'slack_oauth_invalid_state':
      return {
        status: 400,
        title: 'This install link is not valid here',
        text: 'It expired, was already used, or was opened in another browser. Start again from the install page.',
      };
    case 'slack_oauth_missing_code':
    case 'slack_oauth_installer_authorization_error':
      return {
        status: 400,
        title: 'AR Bridge was not installed',
        text: 'The installation was cancelled in Slack. Start again from the install page when you are ready.',
      };
    default:
      return {
        status: 500,
        title: 'AR Bridge could not be installed',
        text: 'Slack did not complete the installation. Nothing was changed; please try again from the install page.',
      };
  }
}

/**
 * Bolt's installer (@slack/oauth) for multi-workspace mode: GET /slack/install sets a state
 * cookie and links to Slack's consent page; GET /slack/oauth_redirect checks that the state is
 * signed (SLACK_STATE_SECRET), recent and this browser's, exchanges the code with
 * `oauth.v2.access` at SLACK_API_URL, and stores the installation. A bad or missing state, a
 * cancelled consent or a failed exchange gets a page that says so, never a crash.
 */
export function installerOptions(config: Pick<Config, 'SLACK_API_URL'>, logger: Logger): InstallerOptions {
  const log = logger.child({ component: 'install' });
  return {
    installPath: '/slack/install',
    redirectUriPath: '/slack/oauth_redirect',
    stateVerification: true,
    // Slack's consent page lives beside its Web API (https://slack.com/oauth/v2/authorize).
    authorizationUrl: new URL(
      '../oauth/v2/authorize',
      config.SLACK_API_URL ?? 'https://slack.com/api/',
    ).toString(),
    clientOptions: slackClientOptions(config, 'interactive'),
    renderHtmlForInstallPath: (url) =>
      page(
        'Install AR Bridge',
        `<p>AR Bridge turns closed deals into billing handoffs and pings the rep who owns the customer when an invoice goes past due.</p><p><a href="${escapeHtml(url)}">Add to Slack</a></p><p>A workspace admin allows it once; this link is good for ten minutes, in this browser.</p>`,
      ),
    callbackOptions: {
      success(installation, _options, _req, res) {
        const team = installation.team?.name ?? installation.team?.id ?? 'your workspace';
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          page(
            'AR Bridge is installed',
            `<p>AR Bridge is now installed in ${escapeHtml(team)}. Open it from the Apps section in Slack; its Home tab shows what is waiting.</p>`,
          ),
        );
      },
      failure(error, _options, _req, res) {
        const failure = failureOf((error as { code?: string }).code);
        if (failure.status === 500) log.error({ err: error }, 'an installation failed');
        else log.warn({ code: (error as { code?: string }).code }, 'an installation was refused');
        res.writeHead(failure.status, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          page(
            failure.title,
            `<p>${escapeHtml(failure.text)}</p><p><a href="/slack/install">Install AR Bridge</a></p>`,
          ),
        );
      },
    },
  };
}
