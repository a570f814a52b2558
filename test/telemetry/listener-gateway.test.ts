/**
 * Metrics and health of a running gateway against simulated PLCs and a real
 * broker: the values move as a device goes down and comes back, and as the
 * link to the broker dies and returns. Readiness follows the devices, never
 * the broker, because buffering is normal operation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../scripts/kafka/net.ts';
import type { KafkaBroker } from '../../scripts/kafka-broker.ts';
import { Gateway } from '../../src/gateway.ts';
import type { Liveness, Readiness } from '../../src/telemetry/health.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { tempDir } from '../harness/fixtures.ts';
import { ownBroker } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { TcpProxy } from '../harness/tcp-proxy.ts';
import { until } from '../harness/wait.ts';
import { metricValue, probe, scrape } from './scrape.ts';

const TOKEN = 'metrics-test-token';
const TEMPERATURE = 'test-site/forming/line-1/press-1/oil_temperature/temperature';

describe('metrics and health of a running gateway', () => {
  let proxy: TcpProxy;
  let broker: KafkaBroker;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let gateway: Gateway;
  let base: string;

  before(async () => {
    const port = await freePort();
    proxy = await TcpProxy.start(port);
    broker = await ownBroker({ port, advertisedPort: proxy.port });
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers: broker.brokers, topic: 'alarms-metrics' });
    const site = {
      ...plant.site,
      gateway: {
        ...plant.site.gateway,
        kafka: { ...plant.site.gateway.kafka, request_timeout_ms: 1500 },
        // Both devices needed: one down makes the gateway not ready.
        listener: { port: 0, ready_min_devices_share: 1, operator_token: { env: 'OPERATOR_TOKEN' } },
      },
    };
    gateway = Gateway.start({ site, logger: createLogger('silent'), env: { OPERATOR_TOKEN: TOKEN } });
    const address = await gateway.listening;
    assert.ok(address, 'the listener is up');
    base = `http://127.0.0.1:${address.port}/`;
  });

  after(async () => {
    await gateway?.stop();
    await plant?.stopPlant();
    await broker?.stop();
    await proxy?.stop();
    temp?.remove();
  });

  const value = async (series: string) => metricValue(await scrape(base), series);
  async function untilMetric(series: string, wanted: (v: number | undefined) => boolean, what: string) {
    await until(async () => wanted(await value(series)), `${series} ${what}`, 30_000, 100);
  }

  test('live at once; ready once both devices answer; a raised alarm shows in the alarm, event and delivery metrics', async () => {
    const live = await probe<Liveness>(base, 'healthz');
    assert.equal(live.status, 200);
    assert.equal(live.body.ok, true);
    assert.ok(live.body.loop_lag_ms < live.body.max_loop_lag_ms);

    await until(async () => (await probe(base, 'readyz')).status === 200, 'ready', 15_000, 100);
    const text = await scrape(base);
    assert.equal(metricValue(text, 'gateway_device_up{device="press-plc"}'), 1);
    assert.equal(metricValue(text, 'gateway_device_up{device="pump-plc"}'), 1);
    assert.equal(metricValue(text, 'gateway_device_points{device="press-plc",quality="good"}'), 2);
    assert.ok(
      (metricValue(text, 'gateway_device_poll_duration_seconds_count{device="press-plc",outcome="ok"}') ??
        0) > 0,
    );
    assert.ok(metricValue(text, 'process_resident_memory_bytes') !== undefined, 'process metrics');
    assert.match(text, /# TYPE gateway_device_poll_duration_seconds histogram/);

    plant.press.set('oil_temperature', 85);
    await untilMetric('gateway_alarms_active{priority="high"}', (v) => v === 1, 'to show the raised alarm');
    await untilMetric('gateway_events_delivered_total', (v) => v === 1, 'to count the delivery');
    assert.equal(await value('gateway_events_produced_total{transition="raise",priority="high"}'), 1);
    assert.equal(await value('gateway_broker_up'), 1);
    assert.equal(await value('gateway_buffer_events'), 0);
  });

  test('a device that stops answering is down, not ready, raises its comm alarm; back up when it returns', async () => {
    await plant.press.stop();
    await untilMetric('gateway_device_up{device="press-plc"}', (v) => v === 0, 'to go to 0');
    const notReady = await probe<Readiness>(base, 'readyz');
    assert.equal(notReady.status, 503);
    assert.deepEqual(notReady.body.checks.devices.down, ['press-plc']);
    assert.equal(
      await value('gateway_device_points{device="press-plc",quality="bad"}'),
      2,
      'no current value',
    );
    await untilMetric('gateway_alarms_active{priority="high"}', (v) => v === 2, 'to add the comm-loss alarm');
    assert.ok(((await value('gateway_device_consecutive_failures{device="press-plc"}')) ?? 0) >= 2);
    assert.ok(
      ((await value('gateway_device_poll_duration_seconds_count{device="press-plc",outcome="failed"}')) ??
        0) > 0,
    );

    await plant.press.restart();
    await untilMetric('gateway_device_up{device="press-plc"}', (v) => v === 1, 'to come back to 1');
    await until(async () => (await probe(base, 'readyz')).status === 200, 'ready again', 15_000, 100);
    await untilMetric(
      'gateway_alarms_active{priority="high"}',
      (v) => v === 1,
      'to drop the cleared comm alarm',
    );
  });

  test('while the broker link is dead events are buffered and counted; ready all the same; drained when back', async () => {
    const deliveredBefore = (await value('gateway_events_delivered_total')) ?? 0;
    proxy.blackhole();
    plant.pump.set('flow', 3);
    await untilMetric('gateway_buffer_events', (v) => (v ?? 0) >= 1, 'to hold the new event');
    await untilMetric('gateway_broker_up', (v) => v === 0, 'to go to 0');
    await untilMetric('gateway_producer_errors_total{code="PRODUCER_SEND"}', (v) => (v ?? 0) > 0, 'to count');
    assert.ok(((await value('gateway_buffer_oldest_age_seconds')) ?? 0) > 0, 'the oldest event has an age');
    assert.ok(((await value('gateway_buffer_bytes')) ?? 0) > 0);
    const ready = await probe<Readiness>(base, 'readyz');
    assert.equal(ready.status, 200, 'buffering is normal operation');
    assert.equal(ready.body.checks.broker.up, false);
    assert.equal(ready.body.checks.broker.required, false);

    proxy.restore();
    await untilMetric('gateway_broker_up', (v) => v === 1, 'to come back to 1');
    await untilMetric('gateway_buffer_events', (v) => v === 0, 'to drain');
    assert.ok(((await value('gateway_events_delivered_total')) ?? 0) > deliveredBefore);
    assert.equal(await value('gateway_buffer_oldest_age_seconds'), 0);
  });

  async function post(body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(new URL('api/commands', base), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  test('operator commands over HTTP reach the alarm stage: applied once, refused with the reason', async () => {
    const ack = { action: 'ack', condition_id: TEMPERATURE, actor: 'jane', command_id: 'cmd-ack-1' };
    const unackedBefore = (await value('gateway_alarms_unacknowledged{priority="high"}')) ?? 0;
    const applied = await post(ack);
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.equal(applied.body.accepted, true);
    assert.deepEqual(
      (applied.body.events as { transition: string }[]).map((event) => event.transition),
      ['ack'],
    );
    assert.equal(gateway.status().alarms.find((a) => a.conditionId === TEMPERATURE)?.flags.acked, true);
    // A scrape may be served the rendering of half a second ago.
    await untilMetric(
      'gateway_alarms_unacknowledged{priority="high"}',
      (v) => v === unackedBefore - 1,
      'to drop by the acknowledged alarm',
    );

    const again = await post(ack);
    assert.deepEqual([again.status, again.body.accepted, again.body.duplicate], [200, true, true]);

    const refused = await post({ ...ack, command_id: 'cmd-ack-2' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.reason, 'the alarm is already acknowledged');

    const invalid = await post({ action: 'ack', actor: 'jane' });
    assert.equal(invalid.status, 400);
    assert.match(String(invalid.body.reason), /^the command: needs condition_id \(one alarm\) or scope/);
    await untilMetric(
      'gateway_events_produced_total{transition="command_rejected",priority="low"}',
      (v) => (v ?? 0) >= 2,
      'to count the refusals, each an event on the record',
    );

    assert.equal(
      (await post('action=ack', { 'content-type': 'application/x-www-form-urlencoded' })).status,
      415,
    );
    assert.equal((await post(ack, { authorization: 'Bearer wrong' })).status, 401);
  });
});
