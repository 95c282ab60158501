import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOT_SCOPES } from '../../src/slack/scopes.ts';

const manifest = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');

/** The entries of a YAML list under `key:`, comments skipped. */
function listUnder(key: string): string[] {
  const lines = manifest.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${key}:`);
  const indent = (lines[start + 1] ?? '').search(/\S/);
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim().startsWith('#')) continue;
    if (line.search(/\S/) < indent || !line.trim().startsWith('- ')) break;
    items.push(line.trim().slice(2));
  }
  return items;
}

describe('manifest.yml for distribution', () => {
  it('asks for exactly the bot scopes /slack/install requests', () => {
    expect(listUnder('bot')).toEqual([...BOT_SCOPES]);
  });

  it('names the OAuth redirect URL and subscribes to the uninstall events', () => {
    expect(listUnder('redirect_urls')).toEqual(['https://YOUR-HOST/slack/oauth_redirect']);
    expect(listUnder('bot_events')).toEqual(expect.arrayContaining(['app_uninstalled', 'tokens_revoked']));
  });
});
