/**
 * A buffer that filled up during an outage drops by its stated policy and
 * says so downstream: when the broker is back, the events that survived and
 * an events_dropped report arrive, and the report explains every missing seq.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { droppedEventsDraft } from '../../src/alarms/system-event.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { Gateway } from '../../src/gateway.ts';
import { recordShape } from '../../src/producer/record.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { consumeAll, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';

const MAX_BYTES = 1_048_576;
const OUTAGE_EVENTS = 3000;

describe('full buffer', () => {
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let site: SiteFile;
  const topic = uniqueTopic('alarms-full');

  before(async () => {
    brokers = await sharedBrokers();
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers, topic });
    site = { ...plant.site, gateway: { ...plant.site.gateway, buffer: { max_bytes: MAX_BYTES } } };
    // An outage long enough to fill the buffer: critical and low events, as the gateway commits them.
    const identity = { gatewayId: site.gateway.id, site: site.site };
    let ids = 0;
    const outbox = new Outbox({
      path: join(temp.dir, 'state', 'buffer.db'),
      shapeOf: recordShape,
      bounded: {
        bounds: {
          maxBytes: MAX_BYTES,
          maxAgeMs: undefined,
          whenFull: 'evict_low_priority',
          diskReserveBytes: 0,
        },
        report: (tally, now) =>
          droppedEventsDraft(identity, tally, 'evict_low_priority', now, () => `drop-report-${++ids}`),
        reportIntervalMs: 60_000,
      },
    });
    for (let i = 0; i < OUTAGE_EVENTS; i += 100) {
      outbox.commit(
        [],
        Array.from({ length: 100 }, (_, j) =>
          draft({
            gateway_id: identity.gatewayId,
            site: identity.site,
            priority: (i + j) % 10 === 0 ? 'critical' : 'low',
          }),
        ),
      );
    }
    assert.ok(outbox.stats().dropped > 0, 'the outage overflowed the buffer');
    assert.ok(outbox.stats().bytes <= MAX_BYTES * 1.01);
    outbox.close();
  });

  after(async () => {
    await plant?.stopPlant();
    temp?.remove();
  });

  test('survivors and the drop reports arrive; the reports explain every missing seq; no critical was dropped', async () => {
    const gateway = Gateway.start({ site, logger: createLogger('silent'), env: {} });
    try {
      await until(() => gateway.status().buffer.events === 0, 'the backlog to drain', 60_000);
      // Drops that waited for the report interval are reported by the gateway's buffer maintenance.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await until(() => gateway.status().buffer.events === 0, 'the last report to be sent', 30_000);
      const { lastSeq } = gateway.status().buffer;
      const expected = gateway.status().producer.delivered;
      const records = await consumeAll(brokers, topic, { expected, timeoutMs: 30_000, settleMs: 500 });
      const events = records.map((record) => JSON.parse(record.value) as AlarmEvent);
      const reports = events.filter((event) => event.transition === 'events_dropped');
      assert.ok(reports.length >= 1, 'at least one events_dropped report');
      assert.equal(reports[0]?.kind, 'system');
      const reportedDrops = reports.reduce((sum, report) => sum + (report.reason.dropped?.count ?? 0), 0);
      const delivered = new Set(events.map((event) => event.seq));
      const missing = Array.from({ length: lastSeq }, (_, i) => i + 1).filter((seq) => !delivered.has(seq));
      assert.equal(missing.length, gateway.status().buffer.dropped, 'every missing seq is a counted drop');
      assert.equal(reportedDrops, missing.length, 'and every drop was reported');
      for (const report of reports) {
        assert.deepEqual(
          Object.keys(report.reason.dropped?.by_priority ?? {}),
          ['low'],
          'only low events went',
        );
      }
      const criticals = events.filter((event) => event.priority === 'critical');
      assert.equal(criticals.length, OUTAGE_EVENTS / 10, 'every critical event arrived');
    } finally {
      await gateway.stop();
    }
  });
});
