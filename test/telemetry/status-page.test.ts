/**
 * The status page in a real headless Chromium (Debian's chromium package,
 * driven by playwright-core): it shows the devices and alarms of a running
 * gateway and follows them by itself, without a reload, within its refresh
 * interval: an alarm raised on a simulated PLC, then the PLC going off the
 * network. A screenshot of the last state is kept for a human to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { tempDir } from '../harness/fixtures.ts';
import { sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REFRESH_MS = 1000;
/** Fetching and drawing after the refresh fired, on a busy test machine. */
const SLACK_MS = 2000;

/** A screenshot kept after the run (the test's own temp dir is removed), its path printed. */
async function keepScreenshot(page: Page, name: string): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'status-page-')), name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`# screenshot: ${file}`);
}

describe('status page in a browser', () => {
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} missing: install Debian's chromium package (scripts/setup.sh does)`,
    );
    temp = tempDir();
    plant = await startTestSite({
      dir: temp.dir,
      brokers: await sharedBrokers(),
      topic: uniqueTopic('page'),
    });
    const site = {
      ...plant.site,
      gateway: { ...plant.site.gateway, listener: { port: 0, status_refresh_ms: REFRESH_MS } },
    };
    gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    const address = await gateway.listening;
    assert.ok(address, 'the listener is up');
    // Running as root in CI needs --no-sandbox; the page is the gateway's own, on loopback.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`http://127.0.0.1:${address.port}/`);
  });

  after(async () => {
    await browser?.close();
    await gateway?.stop();
    await plant?.stopPlant();
    temp?.remove();
  });

  const deviceState = (id: string) => page.locator(`tr[data-device="${id}"] .connection`);
  const alarmRow = (conditionId: string) => page.locator(`tr[data-condition-id="${conditionId}"]`);

  /** Waits for the gateway to decide, then gives the page one refresh interval (and slack) to show it. */
  async function shownWithinRefresh(decided: () => boolean, what: string, shown: () => Promise<void>) {
    await until(decided, what, 15_000);
    const started = Date.now();
    await shown();
    return Date.now() - started;
  }

  test('devices and their connection state, read-only without a token', async () => {
    await deviceState('press-plc').filter({ hasText: 'connected' }).waitFor({ timeout: 15_000 });
    await deviceState('pump-plc').filter({ hasText: 'connected' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#operator').isHidden(), true, 'no operator form without a token');
    assert.match((await page.locator('#ready').textContent()) ?? '', /^ready$/);
  });

  test('an alarm raised on the PLC appears with its priority and flags within the refresh interval', async () => {
    const conditionId = 'test-site/forming/line-1/press-1/oil_temperature/temperature';
    plant.press.set('oil_temperature', 95);
    const took = await shownWithinRefresh(
      () => gateway.status().alarms.some((a) => a.conditionId === conditionId && a.flags.active),
      'the alarm raised',
      () => alarmRow(conditionId).waitFor({ timeout: REFRESH_MS + SLACK_MS }),
    );
    const row = alarmRow(conditionId);
    assert.equal((await row.locator('.priority').textContent())?.trim(), 'critical');
    assert.match((await row.textContent()) ?? '', /active.*unacknowledged.*HH/);
    console.log(`# alarm shown ${took} ms after the gateway raised it (refresh ${REFRESH_MS} ms)`);
  });

  test('a PLC going off the network shows as lost, with its comm-loss alarm, within the refresh interval', async () => {
    await plant.press.stop();
    const took = await shownWithinRefresh(
      () => gateway.status().devices.some((d) => d.deviceId === 'press-plc' && d.lost),
      'the device declared lost',
      async () => {
        await deviceState('press-plc')
          .filter({ hasText: 'lost' })
          .waitFor({ timeout: REFRESH_MS + SLACK_MS });
        await alarmRow('test-site/forming/line-1/press-1/press-plc/comm_loss').waitFor({ timeout: SLACK_MS });
      },
    );
    assert.match((await page.locator('tr[data-device="press-plc"]').getAttribute('class')) ?? '', /down/);
    console.log(`# device loss shown ${took} ms after the gateway declared it (refresh ${REFRESH_MS} ms)`);
    await keepScreenshot(page, 'status-page.png');
  });
});

describe('operator actions on the status page', () => {
  const TOKEN = 'page-test-token';
  const conditionId = 'test-site/forming/line-1/press-1/guard_open/guard';
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;

  before(async () => {
    temp = tempDir();
    plant = await startTestSite({
      dir: temp.dir,
      brokers: await sharedBrokers(),
      topic: uniqueTopic('page'),
    });
    const tokenFile = join(temp.dir, 'operator-token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const site = {
      ...plant.site,
      gateway: {
        ...plant.site.gateway,
        listener: { port: 0, status_refresh_ms: REFRESH_MS, operator_token: { file: tokenFile } },
      },
    };
    gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    const address = await gateway.listening;
    assert.ok(address, 'the listener is up');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`http://127.0.0.1:${address.port}/`);
  });

  after(async () => {
    await browser?.close();
    await gateway?.stop();
    await plant?.stopPlant();
    temp?.remove();
  });

  test('with the token entered, an operator acknowledges and shelves an alarm from the page', async () => {
    await page.locator('#operator').waitFor({ state: 'visible', timeout: 15_000 });
    plant.press.set('guard_open', true);
    const row = page.locator(`tr[data-condition-id="${conditionId}"]`);
    await row.getByRole('button', { name: 'Acknowledge' }).waitFor({ timeout: 15_000 });

    await row.getByRole('button', { name: 'Acknowledge' }).click();
    assert.match(
      (await page.locator('#action-result').textContent()) ?? '',
      /Enter your name and the operator token/,
    );

    await page.locator('#actor').fill('jane');
    await page.locator('#token').fill('wrong-token');
    await page.locator('#sign-in button').click();
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await page
      .locator('#action-result')
      .filter({ hasText: 'refused: missing or wrong operator token' })
      .waitFor();

    await page.locator('#actor').fill('jane');
    await page.locator('#token').fill(TOKEN);
    await page.locator('#sign-in button').click();
    assert.equal(await page.locator('#operator-state').textContent(), 'acting as jane');
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await page
      .locator('#action-result')
      .filter({ hasText: `ack of ${conditionId}: done` })
      .waitFor();
    assert.doesNotMatch((await row.locator('td').nth(3).textContent()) ?? '', /unacknowledged/);
    assert.equal(gateway.status().alarms.find((a) => a.conditionId === conditionId)?.flags.acked, true);

    await row.getByRole('button', { name: 'Shelve 1 h' }).click();
    await row.getByRole('button', { name: 'Unshelve' }).waitFor();
    assert.match((await row.locator('td').nth(3).textContent()) ?? '', /shelved/);
    assert.equal(gateway.status().alarms.find((a) => a.conditionId === conditionId)?.flags.shelved, true);
    await keepScreenshot(page, 'status-page-operator.png');
  });
});
