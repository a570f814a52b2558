import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { GatewayMetrics } from '../../src/telemetry/metrics.ts';
import type { ObservedStatus } from '../../src/telemetry/observed.ts';
import { draft } from '../harness/fixtures.ts';
import { alarmView, observed } from './fixtures.ts';
import { metricValue } from './scrape.ts';

function metricsOf(status: () => ObservedStatus) {
  return new GatewayMetrics({ gatewayId: 'gw-1', site: 'site-a', status, processMetrics: false });
}

test('devices: up or down, failures, point qualities, last good read and poll durations', async () => {
  const metrics = metricsOf(() => observed());
  metrics.devices.polled('plc-1', 40, true);
  metrics.devices.polled('plc-2', 1200, false);
  metrics.devices.readings('plc-1', [
    { deviceId: 'plc-1', pointId: 'a', value: 1, quality: 'good', gatewayTime: 0 },
    { deviceId: 'plc-1', pointId: 'b', value: null, quality: 'bad', gatewayTime: 0 },
  ]);
  metrics.devices.readings('plc-1', [
    { deviceId: 'plc-1', pointId: 'b', value: 2, quality: 'uncertain', gatewayTime: 0 },
  ]);
  const text = await metrics.scrape();
  assert.equal(metricValue(text, 'gateway_device_up{device="plc-1"}'), 1);
  assert.equal(metricValue(text, 'gateway_device_up{device="plc-2"}'), 0);
  assert.equal(metricValue(text, 'gateway_device_consecutive_failures{device="plc-2"}'), 4);
  assert.equal(metricValue(text, 'gateway_device_points{device="plc-1",quality="good"}'), 1);
  assert.equal(metricValue(text, 'gateway_device_points{device="plc-1",quality="uncertain"}'), 1);
  assert.equal(metricValue(text, 'gateway_device_points{device="plc-1",quality="bad"}'), 0);
  metrics.devices.readings('plc-2', [
    { deviceId: 'plc-2', pointId: 'a', value: 1, quality: 'good', gatewayTime: 0 },
  ]);
  const down = await metrics.scrape();
  assert.equal(
    metricValue(down, 'gateway_device_points{device="plc-2",quality="bad"}'),
    1,
    'a lost device has no good points',
  );
  assert.equal(metricValue(down, 'gateway_device_points{device="plc-2",quality="good"}'), 0);
  assert.ok(
    (metricValue(text, 'gateway_device_last_good_read_timestamp_seconds{device="plc-1"}') ?? 0) > 1e9,
  );
  assert.equal(
    metricValue(text, 'gateway_device_last_good_read_timestamp_seconds{device="plc-2"}'),
    undefined,
  );
  assert.equal(
    metricValue(text, 'gateway_device_poll_duration_seconds_bucket{le="0.05",device="plc-1",outcome="ok"}'),
    1,
  );
  assert.equal(
    metricValue(text, 'gateway_device_poll_duration_seconds_sum{device="plc-2",outcome="failed"}'),
    1.2,
  );
  assert.equal(metricValue(text, 'gateway_device_polls_total{device="plc-1"}'), 10);
  assert.equal(metricValue(text, 'gateway_info{gateway_id="gw-1",site="site-a"}'), 1);
});

test('alarms active (as shown) and unacknowledged by priority, every priority present', async () => {
  const cleared = { ...alarmView().flags, active: false };
  const metrics = metricsOf(() =>
    observed({
      alarms: [
        alarmView({ priority: 'critical' }),
        alarmView({ priority: 'critical', flags: { ...alarmView().flags, acked: true } }),
        alarmView({ priority: 'low', flags: cleared }),
        alarmView({ priority: 'high', flags: { ...alarmView().flags, shelved: true } }),
      ],
    }),
  );
  const text = await metrics.scrape();
  assert.equal(metricValue(text, 'gateway_alarms_active{priority="critical"}'), 2);
  assert.equal(metricValue(text, 'gateway_alarms_active{priority="low"}'), 0);
  assert.equal(
    metricValue(text, 'gateway_alarms_active{priority="high"}'),
    0,
    'a shelved alarm is not shown',
  );
  assert.equal(metricValue(text, 'gateway_alarms_active{priority="diagnostic"}'), 0);
  assert.equal(metricValue(text, 'gateway_alarms_unacknowledged{priority="critical"}'), 1);
  assert.equal(metricValue(text, 'gateway_alarms_unacknowledged{priority="low"}'), 1);
});

test('counters follow the stage totals between scrapes and never go down', async () => {
  let status = observed();
  const metrics = metricsOf(() => status);
  status = observed({
    buffer: {
      ...status.buffer,
      events: 5,
      bytes: 900,
      oldestCreatedAt: Date.now() - 30_000,
      dropped: 3,
      deadLetters: 1,
    },
    producer: {
      ...status.producer,
      delivered: 7,
      deadLettered: 1,
      brokerUp: false,
      failuresByCode: { PRODUCER_SEND: 2 },
    },
    bufferProblem: 'full',
  });
  let text = await metrics.scrape();
  assert.equal(metricValue(text, 'gateway_events_delivered_total'), 7);
  assert.equal(metricValue(text, 'gateway_producer_errors_total{code="PRODUCER_SEND"}'), 2);
  assert.equal(metricValue(text, 'gateway_buffer_dropped_total'), 3);
  assert.equal(metricValue(text, 'gateway_events_dead_lettered_total'), 1);
  assert.equal(metricValue(text, 'gateway_buffer_events'), 5);
  assert.equal(metricValue(text, 'gateway_buffer_bytes'), 900);
  assert.equal(metricValue(text, 'gateway_buffer_dead_letters'), 1);
  assert.equal(metricValue(text, 'gateway_buffer_writable'), 0);
  assert.equal(metricValue(text, 'gateway_broker_up'), 0);
  const age = metricValue(text, 'gateway_buffer_oldest_age_seconds') ?? 0;
  assert.ok(age >= 30 && age < 40, `age ${age}`);

  status = observed({
    producer: {
      ...status.producer,
      delivered: 12,
      brokerUp: true,
      failuresByCode: { PRODUCER_SEND: 2, PRODUCER_AUTH: 1 },
    },
  });
  text = await metrics.scrape();
  assert.equal(metricValue(text, 'gateway_events_delivered_total'), 12);
  assert.equal(metricValue(text, 'gateway_producer_errors_total{code="PRODUCER_AUTH"}'), 1);
  assert.equal(metricValue(text, 'gateway_buffer_oldest_age_seconds'), 0, 'empty buffer: no age');
  assert.equal(
    metricValue(text, 'gateway_buffer_dropped_total'),
    3,
    'a total that went down leaves the counter',
  );
});

test('committed events are counted by transition and priority', async () => {
  const metrics = metricsOf(() => observed());
  const event = (overrides: Partial<AlarmEvent>) => ({ ...draft(), seq: 1, ...overrides }) as AlarmEvent;
  metrics.committed([
    event({ transition: 'raise', priority: 'high' }),
    event({ transition: 'raise', priority: 'high' }),
  ]);
  metrics.committed([event({ transition: 'clear', priority: 'high' })]);
  const text = await metrics.scrape();
  assert.equal(metricValue(text, 'gateway_events_produced_total{transition="raise",priority="high"}'), 2);
  assert.equal(metricValue(text, 'gateway_events_produced_total{transition="clear",priority="high"}'), 1);
});

test('alarm KPIs are absent until the alarm stage registers them, then published', async () => {
  const metrics = metricsOf(() => observed());
  assert.equal(metricValue(await metrics.scrape(), 'gateway_alarms_standing'), undefined);
  metrics.useAlarmKpis(() => ({
    annunciatedPer10Min: { boilers: 4, packing: 0 },
    floodPercent: { boilers: 25 },
    inFlood: ['boilers'],
    topAlarms: [{ condition_id: 'a/b/c/d/e/f', count: 9 }],
    activeByPriority: { critical: 1, high: 0, medium: 0, low: 0, diagnostic: 0 },
    unacknowledged: 1,
    standing: 3,
    shelved: 2,
    suppressed: 1,
    outOfService: 5,
  }));
  const text = await metrics.scrape();
  assert.equal(metricValue(text, 'gateway_alarms_annunciated_10min{area="boilers"}'), 4);
  assert.equal(metricValue(text, 'gateway_alarms_annunciated_10min{area="packing"}'), 0);
  assert.equal(metricValue(text, 'gateway_alarm_flood_time_percent{area="boilers"}'), 25);
  assert.equal(metricValue(text, 'gateway_alarm_area_in_flood{area="boilers"}'), 1);
  assert.equal(metricValue(text, 'gateway_alarm_top_annunciations{condition_id="a/b/c/d/e/f"}'), 9);
  assert.equal(metricValue(text, 'gateway_alarms_standing'), 3);
  assert.equal(metricValue(text, 'gateway_alarms_shelved'), 2);
  assert.equal(metricValue(text, 'gateway_alarms_suppressed'), 1);
  assert.equal(metricValue(text, 'gateway_alarms_out_of_service'), 5);
});

test('process metrics are there by default', async () => {
  const metrics = new GatewayMetrics({ gatewayId: 'gw-1', site: 'site-a', status: () => observed() });
  const text = await metrics.scrape();
  assert.ok(metricValue(text, 'process_resident_memory_bytes') !== undefined);
  assert.match(text, /nodejs_eventloop_lag_seconds/);
});

test('operator commands: reading, and commands by outcome; none read without a command topic', async () => {
  const commands = { reading: true, applied: 3, duplicates: 1, rejected: 2, foreign: 5 };
  const metrics = metricsOf(() => ({ ...observed(), commands }));
  const text = await metrics.scrape();
  assert.equal(metricValue(text, 'gateway_commands_reading'), 1);
  assert.equal(metricValue(text, 'gateway_commands_total{outcome="applied"}'), 3);
  assert.equal(metricValue(text, 'gateway_commands_total{outcome="duplicate"}'), 1);
  assert.equal(metricValue(text, 'gateway_commands_total{outcome="rejected"}'), 2);
  assert.equal(metricValue(text, 'gateway_commands_total{outcome="foreign"}'), 5);
  commands.applied = 4;
  assert.equal(metricValue(await metrics.scrape(), 'gateway_commands_total{outcome="applied"}'), 4);
  const without = await metricsOf(() => observed()).scrape();
  assert.equal(metricValue(without, 'gateway_commands_reading'), 0);
  assert.equal(metricValue(without, 'gateway_commands_total{outcome="applied"}'), undefined);
});
