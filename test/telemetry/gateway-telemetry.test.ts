/** The listener as the site file configures it: switched off, and with a token that cannot be read. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { SiteFile } from '../../src/config/schema.ts';
import { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { tempDir } from '../harness/fixtures.ts';
import { sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';

describe('listener settings of a running gateway', () => {
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;

  before(async () => {
    temp = tempDir();
    plant = await startTestSite({
      dir: temp.dir,
      brokers: await sharedBrokers(),
      topic: uniqueTopic('settings'),
    });
  });

  after(async () => {
    await plant?.stopPlant();
    temp?.remove();
  });

  const withListener = (listener: NonNullable<SiteFile['gateway']['listener']>): SiteFile => ({
    ...plant.site,
    gateway: { ...plant.site.gateway, listener },
  });

  test('enabled: false starts no listener at all', async () => {
    const gateway = Gateway.start({
      site: withListener({ enabled: false }),
      logger: createLogger('silent'),
      env: {},
    });
    try {
      assert.equal(await gateway.listening, undefined);
    } finally {
      await gateway.stop();
    }
  });

  test('an unreadable token is logged as LISTENER_TOKEN; the page stays read-only and the gateway runs', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const gateway = Gateway.start({
      site: withListener({ port: 0, operator_token: { file: `${temp.dir}/no-such-token` } }),
      logger: createLogger('info', stream),
      env: {},
    });
    try {
      const address = await gateway.listening;
      assert.ok(address);
      const failure = lines.find((line) => line.code === 'LISTENER_TOKEN');
      assert.match(String(failure?.msg), /\[telemetry\] LISTENER_TOKEN: .*no-such-token: ENOENT/);
      assert.equal(failure?.stage, 'telemetry');
      const status = (await (await fetch(`http://127.0.0.1:${address.port}/api/status`)).json()) as {
        actions_enabled: boolean;
      };
      assert.equal(status.actions_enabled, false);
      const command = await fetch(`http://127.0.0.1:${address.port}/api/commands`, {
        method: 'POST',
        headers: { authorization: 'Bearer anything', 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(command.status, 403);
      await command.arrayBuffer();
    } finally {
      await gateway.stop();
    }
  });
});
