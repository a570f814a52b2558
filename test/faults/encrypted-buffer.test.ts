/**
 * The service with an encrypted buffer: events still arrive as plain JSON on
 * the topic; restarted with the wrong key it refuses to start, says why, and
 * leaves the buffer alone.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { consumeAll, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';

describe('encrypted buffer in service', () => {
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let keyFile: string;
  let wrongKeyFile: string;
  const topic = uniqueTopic('alarms-sealed');

  before(async () => {
    brokers = await sharedBrokers();
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers, topic });
    keyFile = join(temp.dir, 'buffer-key');
    wrongKeyFile = join(temp.dir, 'other-key');
    writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`);
    writeFileSync(wrongKeyFile, randomBytes(32));
  });

  after(async () => {
    await plant?.stopPlant();
    temp?.remove();
  });

  test('events arrive as usual; the wrong key stops the start with BUFFER_KEY', async () => {
    const gateway = GatewayProcess.run(plant.file, { KAFKA_BROKERS: brokers, BUFFER_KEY_FILE: keyFile });
    try {
      await gateway.waitForLog((line) => line.msg === 'gateway started', 'start');
      plant.press.set('guard_open', true);
      await gateway.waitForLog((line) => /broker reachable/.test(line.msg), 'the topic to be ready');
      const [record] = await consumeAll(brokers, topic, { expected: 1 });
      const event = JSON.parse(record?.value ?? '{}') as AlarmEvent;
      assert.equal(event.point, 'guard_open');
      assert.equal(event.transition, 'raise');
    } finally {
      assert.equal(await gateway.stop(), 0);
    }

    const refused = GatewayProcess.run(plant.file, { KAFKA_BROKERS: brokers, BUFFER_KEY_FILE: wrongKeyFile });
    assert.equal(await refused.exited, 1);
    const fatal = refused.logs.find((line) => line.level === 'fatal');
    assert.match(String(fatal?.msg), /BUFFER_KEY: .*written with another key/);

    const again = GatewayProcess.run(plant.file, { KAFKA_BROKERS: brokers, BUFFER_KEY_FILE: keyFile });
    try {
      const started = await again.waitForLog(
        (line) => line.msg === 'gateway started',
        'restart with the right key',
      );
      assert.equal((started as unknown as { last_seq: number }).last_seq, 1, 'the buffer was left as it was');
    } finally {
      await again.stop();
    }
  });
});
