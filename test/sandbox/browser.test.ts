/**
 * The sandbox in a real browser (Debian's chromium, driven by playwright-core): a deal closed in
 * the CRM panel reaches the rep's DM, the handoff modal is filled (an inline error first) and its
 * summary lands in the account's thread; /ar-status answers; App Home as a rep and as AR; AR
 * logs a note through /ar-update's external select; the clock moves a fortnight and a past-due
 * ping appears in a thread. Screenshots go to artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AR_LEAD, REP_NY } from '../../src/sandbox/demo-people.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/start.ts';

const ARTIFACTS = resolve(import.meta.dirname, '../../artifacts');
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const WAIT = { timeout: 20_000 };

let sandbox: Sandbox;
let browser: Browser;
let page: Page;
let dataDir: string;

/** Scrolls to an element, looking it up again when the page re-rendered it in the meantime. */
async function inView(locator: Locator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await locator.scrollIntoViewIfNeeded({ timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt >= 5 || !/not attached/.test(String(error))) throw error;
    }
  }
}
const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `this test drives Debian's chromium at ${CHROMIUM}, which is not installed: apt-get install -y chromium fonts-noto-color-emoji (bash .ci/run installs them)`,
    );
  mkdirSync(ARTIFACTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'ar-sandbox-'));
  sandbox = await startSandbox({ port: 0, dataDir, reset: true, logLevel: 'silent' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the sandbox page', () => {
  it('runs the handoff, /ar-status, App Home and the clock in a browser', async (context) => {
    context.onTestFailed(async () => {
      await shot('failed');
    });
    await page.goto(`${sandbox.url}/?as=${REP_NY}`);
    const messages = page.getByLabel('Messages', { exact: true });
    await messages.getByText('AR thread').first().waitFor(WAIT);

    // CRM closes a deal → the rep's DM.
    await page.getByRole('button', { name: '🤝 CRM' }).click();
    const crm = page.getByRole('dialog', { name: 'CRM' });
    await crm.getByLabel('Deal name').fill('Acme: enterprise plan');
    await crm.getByLabel('Account').fill('Acme Corp');
    await crm.getByRole('button', { name: 'Close the deal' }).click();
    await crm.getByText('"accepted"').waitFor(WAIT);
    await crm.getByRole('button', { name: 'Close panel' }).click();
    await page.getByRole('button', { name: /AR Bridge/ }).click();
    await page.getByRole('tab', { name: 'Messages' }).click();
    const dm = messages.locator('.message', { hasText: 'Acme: enterprise plan' }).last();
    await dm.waitFor(WAIT);
    await shot('dm');

    // The modal: a bad email is refused inline, then the handoff is saved.
    await dm.getByRole('button', { name: 'Start billing handoff' }).click();
    const modal = page.getByRole('dialog', { name: 'Billing handoff' });
    await modal.waitFor(WAIT);
    await modal.getByRole('textbox', { name: /Legal entity/ }).fill('Acme Corp Inc.');
    await modal.getByRole('textbox', { name: /AP \/ billing contact name/ }).fill('Wile E. Coyote');
    await modal.getByRole('textbox', { name: /AP \/ billing contact email/ }).fill('not-an-email');
    await modal.getByRole('button', { name: 'Save' }).click();
    await modal.getByRole('alert').first().waitFor(WAIT);
    await shot('modal');
    await modal.getByRole('textbox', { name: /AP \/ billing contact email/ }).fill('ap@acme.example');
    await modal.getByRole('button', { name: 'Save' }).click();
    await modal.waitFor({ state: 'detached', ...WAIT });

    // The summary in the finance channel, in the account's thread.
    await page.getByRole('button', { name: '# finance' }).click();
    const root = messages.locator('.message', { hasText: 'Acme Corp' }).first();
    await root.hover();
    await root.getByRole('button', { name: /repl(y|ies)/i }).click();
    const thread = page.getByLabel('Thread', { exact: true });
    await thread
      .getByText(/Billing handoff: Acme Corp/)
      .first()
      .waitFor(WAIT);
    await shot('thread');

    // /ar-status from the message box.
    await page.getByRole('textbox', { name: 'Message #finance' }).fill('/ar-status Initech');
    await page.getByRole('textbox', { name: 'Message #finance' }).press('Enter');
    const status = messages.locator('.message.ephemeral', { hasText: 'Initech' }).last();
    await status.waitFor(WAIT);
    await inView(status);
    await shot('ar-status');

    // App Home as a rep, then as AR.
    await page.getByRole('button', { name: /AR Bridge/ }).click();
    const home = page.getByLabel('App Home');
    await home.locator('.blocks').waitFor(WAIT);
    await expect(home.textContent()).resolves.toMatch(/Acme/);
    await shot('home-rep');
    await page.getByLabel('Viewing as').selectOption(AR_LEAD);
    await page.getByRole('button', { name: /AR Bridge/ }).click();
    await home
      .getByText(/dispute/i)
      .first()
      .waitFor(WAIT);
    await shot('home-ar');

    // AR logs a note with /ar-update: an external_select whose options come from the app.
    await page.getByRole('button', { name: '# finance' }).click();
    await page.getByRole('textbox', { name: 'Message #finance' }).fill('/ar-update');
    await page.getByRole('textbox', { name: 'Message #finance' }).press('Enter');
    const update = page.getByRole('dialog', { name: 'Collection update' });
    await update.getByRole('combobox', { name: 'Invoice or account' }).fill('INV-1043');
    await update.getByRole('option', { name: /INV-1043/ }).click();
    await update.getByLabel('What happened?').selectOption({ label: 'Note' });
    await update.getByRole('textbox', { name: 'Note' }).fill('Called their AP: payment run on Friday.');
    await update.getByRole('button', { name: 'Log update' }).click();
    await update.waitFor({ state: 'detached', ...WAIT });
    await messages.locator('.message', { hasText: 'Initech' }).first().hover();
    await messages
      .locator('.message', { hasText: 'Initech' })
      .first()
      .getByRole('button', { name: /repl(y|ies)/i })
      .click();
    await thread.getByText('Called their AP: payment run on Friday.').waitFor(WAIT);

    // Two weeks later INV-1042 is past due: the rep is pinged in the Initech thread.
    await page.getByRole('button', { name: '⏰ Clock' }).click();
    const clock = page.getByRole('dialog', { name: 'Clock' });
    await clock.getByRole('button', { name: '+1 week' }).click();
    await clock.getByText('"now"').waitFor(WAIT);
    await clock.getByRole('button', { name: '+1 week' }).click();
    await clock.getByRole('button', { name: 'Close panel' }).click();
    await page.getByRole('button', { name: '# finance' }).click();
    const initech = messages.locator('.message', { hasText: 'Initech' }).first();
    await initech.hover();
    await initech.getByRole('button', { name: /repl(y|ies)/i }).click();
    const ping = thread.locator('.message', { hasText: 'INV-1042' }).last();
    await ping.waitFor(WAIT);
    await inView(ping);
    await shot('past-due');
  }, 180_000);
});
