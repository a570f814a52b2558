/**
 * The network to the broker dies silently: no RST, no FIN, packets just stop
 * (a pulled cable, a dead router). The gateway notices through its request
 * timeout, keeps buffering, and when the network is back every event arrives,
 * in order per key, none lost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../scripts/kafka/net.ts';
import type { KafkaBroker } from '../../scripts/kafka-broker.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { tempDir } from '../harness/fixtures.ts';
import { consumeAll, ownBroker } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { TcpProxy } from '../harness/tcp-proxy.ts';
import { until } from '../harness/wait.ts';

describe('half-open connection to the broker', () => {
  let proxy: TcpProxy;
  let broker: KafkaBroker;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let site: SiteFile;
  const topic = 'alarms-half-open';

  before(async () => {
    // Clients reach the broker only through the proxy: it is what the broker advertises.
    const port = await freePort();
    proxy = await TcpProxy.start(port);
    broker = await ownBroker({ port, advertisedPort: proxy.port });
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers: broker.brokers, topic });
    site = {
      ...plant.site,
      gateway: {
        ...plant.site.gateway,
        kafka: { ...plant.site.gateway.kafka, request_timeout_ms: 1500 },
      },
    };
  });

  after(async () => {
    await plant?.stopPlant();
    await broker?.stop();
    await proxy?.stop();
    temp?.remove();
  });

  test('a silently dead link times out, events wait in the buffer, and all arrive once it is back', async () => {
    const gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    try {
      plant.press.set('guard_open', true);
      await until(() => gateway.status().producer.delivered === 1, 'the first event delivered', 30_000);

      proxy.blackhole();
      plant.press.set('oil_temperature', 85);
      await until(() => gateway.status().buffer.lastSeq === 2, 'the raise committed');
      plant.pump.set('flow', 3);
      plant.press.set('guard_open', false);
      await until(() => gateway.status().buffer.lastSeq === 4, 'all transitions committed');
      await until(() => !gateway.status().producer.brokerUp, 'the timeout to be noticed', 30_000);
      assert.equal(gateway.status().producer.delivered, 1, 'nothing passed the dead link');
      assert.equal(gateway.status().buffer.events, 3, 'the three events wait in the buffer');

      proxy.restore();
      await until(() => gateway.status().buffer.events === 0, 'the backlog delivered', 60_000);
    } finally {
      await gateway.stop();
    }
    const records = await consumeAll(broker.brokers, topic, {
      expected: 4,
      timeoutMs: 30_000,
      settleMs: 500,
    });
    const events = records.map((record) => JSON.parse(record.value) as AlarmEvent);
    const seqs = [...new Set(events.map((event) => event.seq))].sort((a, b) => a - b);
    assert.deepEqual(seqs, [1, 2, 3, 4], 'every seq arrived');
    const press = events.filter((event) => event.asset === 'press-1').map((event) => event.seq);
    assert.deepEqual(
      press,
      [...press].sort((a, b) => a - b),
      'the press events in order',
    );
  });
});
