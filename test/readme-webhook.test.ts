/**
 * The README's deal-closed example, run as written with bash and openssl, on a copy of
 * .env.example: its first line gives the copy a secret, the rest signs and sends the webhook
 * to an app started with that .env's secret (the URL pointed at the test's port).
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.ts';

const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'arbridge-readme-'));
let h: Harness | undefined;
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('README', () => {
  it('the webhook example works as written with .env.example', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const after = readme.slice(readme.indexOf('A copy-pasteable example'));
    const block = /```sh\n([\s\S]*?)```/.exec(after)?.[1] ?? '';
    const [setup = '', ...rest] = block.split('\n');
    expect(setup).toMatch(/^sed -i .*WEBHOOK_SECRET=.*\.env/);
    copyFileSync(join(ROOT, '.env.example'), join(dir, '.env'));
    execFileSync('bash', ['-c', setup], { cwd: dir });
    const secret = /^WEBHOOK_SECRET=(.*)$/m.exec(readFileSync(join(dir, '.env'), 'utf8'))?.[1] ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(16);

    h = await startHarness({ WEBHOOK_SECRET: secret });
    const script = rest.join('\n').replace('http://localhost:3000', h.baseUrl);
    // Asynchronously: the app answering it runs in this process.
    const { stdout: answer } = await promisify(execFile)('bash', ['-c', script], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(JSON.parse(answer)).toEqual({ deal_id: 'D-1001', status: 'accepted' });
  });
});
