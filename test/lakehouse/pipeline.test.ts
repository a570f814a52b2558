/**
 * The whole path as a plant runs it: simulated PLCs → gateway → Kafka (a
 * default and a routed topic, plus the state topic) → Flink → Iceberg, read
 * back by pyiceberg, which shares no code with Flink. Faults on the way: the
 * gateway is killed with -9 while it drains yesterday's backlog (its resends
 * must land once), and the Flink job is killed with -9 mid-stream and resumed
 * from its last checkpoint (no row lost, none twice).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type IcebergRead, readIcebergTable } from '../../scripts/lakehouse/python.ts';
import {
  type LakehouseRun,
  queryLakehouse,
  LakehouseRun as Run,
  runLakehouse,
} from '../../scripts/lakehouse/run.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { waitingEvents } from '../../src/buffer/waiting.ts';
import { recordShape } from '../../src/producer/record.ts';
import { draft, tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { consumeAll, kafkaClient, sharedBrokers, topicSize, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';

const BACKLOG = 3000;
const DAY_MS = 86_400_000;

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Whether a checkpoint of the job has completed (Flink writes _metadata last). */
function hasCheckpoint(stateDir: string): boolean {
  const root = join(stateDir, 'checkpoints');
  if (!existsSync(root)) return false;
  return readdirSync(root).some((job) =>
    readdirSync(join(root, job)).some((chk) => existsSync(join(root, job, chk, '_metadata'))),
  );
}

describe('plant → gateway → Kafka → Flink → Iceberg', { timeout: 600_000 }, () => {
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let bufferPath: string;
  let warehouse: string;
  let flink: LakehouseRun | undefined;
  const topic = uniqueTopic('lake-events');
  const critical = `${topic}.critical`;
  const stateTopic = `${topic}.state`;
  const yesterday = utcDate(Date.now() - DAY_MS);
  const backlogIds = new Set<string>();

  before(async () => {
    brokers = await sharedBrokers();
    temp = tempDir();
    warehouse = join(temp.dir, 'warehouse');
    plant = await startTestSite({
      dir: temp.dir,
      brokers,
      topic,
      batchMaxEvents: 20,
      customize: (site) => ({
        ...site,
        gateway: {
          ...site.gateway,
          kafka: {
            ...site.gateway.kafka,
            routes: [{ when: { priority: ['critical'] }, topic: critical }],
            state_topic: stateTopic,
          },
          commands: { topic: `${topic}.commands` },
        },
      }),
    });
    bufferPath = join(temp.dir, 'state', 'buffer.db');
    // Yesterday's alarms, still in the buffer after an outage.
    const outbox = new Outbox({ path: bufferPath, shapeOf: recordShape });
    const start = Date.parse(`${yesterday}T22:00:00.000Z`);
    for (let i = 0; i < BACKLOG; i += 200) {
      outbox.commit(
        [],
        Array.from({ length: 200 }, (_, j) => {
          const n = i + j;
          const asset = `asset-${n % 7}`;
          const time = new Date(start + n * 1000).toISOString();
          const event = draft({
            gateway_id: 'gw-test',
            site: 'test-site',
            area: 'backlog',
            asset,
            condition_id: `test-site/backlog/line-1/${asset}/temperature/temp`,
            source_time: time,
            gateway_time: time,
            event_date: yesterday,
          });
          backlogIds.add(event.event_id);
          return event;
        }),
      );
    }
    outbox.close();
  });

  const gateways: GatewayProcess[] = [];
  function gateway(): GatewayProcess {
    const started = GatewayProcess.run(plant.file, { KAFKA_BROKERS: brokers });
    gateways.push(started);
    return started;
  }

  after(async () => {
    await flink?.kill();
    for (const each of gateways) await each.kill();
    await plant?.stopPlant();
    temp?.remove();
  });

  const waiting = () => waitingEvents(bufferPath);

  function startFlink(): Promise<LakehouseRun> {
    return Run.start({
      job: 'events',
      brokers,
      eventTopics: [topic, critical],
      warehouse,
      stateDir: join(temp.dir, 'flink-events'),
      checkpointMs: 2000,
      parallelism: 2,
      restartAttempts: 0,
      heapMb: 512,
    });
  }

  async function topicEvents(name: string): Promise<AlarmEvent[]> {
    const size = await topicSize(brokers, name);
    const records = await consumeAll(brokers, name, { expected: size, timeoutMs: 60_000 });
    return records.map((record) => JSON.parse(record.value) as AlarmEvent);
  }

  test('every event lands once, in the partition of its site and day, despite kill -9 on both sides', async () => {
    // The job reads the topics the gateway writes: create them as an operator would.
    const ensure = GatewayProcess.start(['topics', 'ensure', '--config', plant.file], {
      KAFKA_BROKERS: brokers,
    });
    assert.equal(await ensure.exited, 0, ensure.stderr);
    flink = await startFlink();

    // The gateway drains the backlog and is killed mid-drain: what it sent but did not delete goes again.
    const first = gateway();
    await until(() => waiting() < BACKLOG - 200, 'part of the backlog delivered', 90_000, 1);
    await first.kill();
    assert.ok(waiting() > 0, 'killed mid-drain');

    const second = gateway();
    await second.waitForLog((line) => line.msg === 'gateway started', 'restart', 30_000);
    // Live alarms: a high and a critical level (the critical one is routed), a discrete alarm, a low limit.
    plant.press.set('oil_temperature', 85);
    await second.waitForLog(
      (line) => line.transition === 'raise' && String(line.condition_id).includes('oil_temperature'),
      'H',
    );
    plant.press.set('oil_temperature', 95);
    plant.press.set('guard_open', true);
    plant.pump.set('flow', 2);
    await until(
      () => second.logs.filter((line) => line.transition !== undefined).length >= 4,
      'live events',
      30_000,
    );

    // kill -9 the Flink job once it has a checkpoint, then resume it from there.
    await until(() => hasCheckpoint(join(temp.dir, 'flink-events')), 'a Flink checkpoint', 120_000, 200);
    await flink.kill();
    flink = await startFlink();

    plant.press.set('oil_temperature', 60);
    plant.press.set('guard_open', false);
    await until(
      () => second.logs.filter((line) => line.transition === 'clear').length >= 2,
      'clears',
      30_000,
    );
    // Acknowledged and back to normal: those alarms are over, a tombstone on the state topic.
    // A new command consumer starts at the end of the topic: send once it reads. The killed
    // gateway's member holds the group's rebalance for up to its rebalance timeout (60 s).
    await second.waitForLog(
      (line) => String(line.msg).startsWith('reading operator commands'),
      'command intake',
      120_000,
    );
    const ack = GatewayProcess.start(
      ['alarm', 'ack', '--scope', 'test-site/forming', '--config', plant.file, '--actor', 'tester'],
      { KAFKA_BROKERS: brokers },
    );
    assert.equal(await ack.exited, 0, ack.stderr);
    await until(() => second.logs.filter((line) => line.transition === 'ack').length >= 2, 'acks', 60_000);
    await until(() => waiting() === 0, 'buffer drained', 90_000);
    assert.equal(await second.stop(), 0, 'clean exit on SIGTERM');

    // A kill -9 between the broker's acknowledgement and the buffer's delete resends a batch;
    // the window is short, so resend some records as the gateway would (byte for byte) too.
    const resent = (await consumeAll(brokers, topic, { expected: 100, timeoutMs: 60_000 })).slice(0, 100);
    const producer = kafkaClient(brokers).producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: resent.map((record) => ({ key: record.key, value: record.raw, headers: record.headers })),
    });
    await producer.disconnect();

    const sent = [...(await topicEvents(topic)), ...(await topicEvents(critical))];
    const distinct = new Map(sent.map((event) => [event.event_id, event]));
    assert.ok(sent.length >= distinct.size + 100, `resent duplicates on the topic (${sent.length} records)`);
    assert.ok(
      sent.some((event) => event.priority === 'critical'),
      'a critical event went to the routed topic',
    );

    // Each checkpoint commits; wait for the table to hold what the topics hold.
    let landed: IcebergRead = { rows: [], files: [], deletes: 0 };
    await until(
      async () => {
        landed = await readIcebergTable(warehouse, 'iiot.alarm_events', ['event_id']);
        return landed.rows.length >= distinct.size;
      },
      'the table caught up with the topics',
      120_000,
      2000,
    );
    const stopped = await flink.stop();
    flink = undefined;
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stderr, /stopped with savepoint/);

    landed = await readIcebergTable(warehouse, 'iiot.alarm_events', [
      'event_id',
      'seq',
      'site',
      'event_date',
      'source_time',
      'record_key',
      'kafka_topic',
      'kafka_offset',
      'priority',
    ]);
    assert.equal(landed.deletes, 0, 'an append table: no delete files');
    const ids = landed.rows.map((row) => row.event_id as string);
    assert.equal(ids.length, distinct.size, 'one row per distinct event_id on the topics');
    assert.deepEqual(new Set(ids), new Set(distinct.keys()));

    for (const row of landed.rows) {
      const event = distinct.get(row.event_id as string);
      assert.ok(event);
      assert.equal(row.seq, event.seq);
      assert.equal(row.site, event.site);
      assert.equal(row.event_date, event.event_date);
      assert.equal(
        row.event_date,
        (row.source_time as string).slice(0, 10),
        'event_date is the UTC day of source_time',
      );
    }
    for (const id of backlogIds) {
      const row = landed.rows.find((each) => each.event_id === id);
      assert.equal(row?.event_date, yesterday, "yesterday's backlog lands in yesterday's partition");
    }
    for (const file of landed.files) {
      assert.deepEqual(file.values, [file.partition], `${file.path} holds only rows of its partition`);
      assert.deepEqual(Object.keys(file.partition).sort(), ['event_date', 'site']);
    }

    // Per-asset order is recoverable: on each topic, an asset's rows by Kafka offset have rising seq.
    const byKey = new Map<string, { offset: number; seq: number }[]>();
    for (const row of landed.rows) {
      const key = `${row.kafka_topic} ${row.record_key}`;
      byKey.set(key, [...(byKey.get(key) ?? []), { offset: Number(row.kafka_offset), seq: Number(row.seq) }]);
    }
    for (const [key, rows] of byKey) {
      const seqs = rows.sort((a, b) => a.offset - b.offset).map((row) => row.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        `${key}: seq rises with the offset`,
      );
    }

    // A batch backfill over the same topics adds nothing: it skips what is landed.
    await runLakehouse({
      job: 'events',
      mode: 'batch',
      brokers,
      eventTopics: [topic, critical],
      warehouse,
      stateDir: join(temp.dir, 'flink-backfill'),
      restartAttempts: 0,
      heapMb: 512,
    });
    const again = await readIcebergTable(warehouse, 'iiot.alarm_events', ['event_id']);
    assert.equal(again.rows.length, distinct.size, 'the backfill wrote no second copy');
  });

  test('the state topic becomes the table of current alarms; a rebuild from the events agrees', async () => {
    const records = await consumeAll(brokers, stateTopic, {
      expected: await topicSize(brokers, stateTopic),
      timeoutMs: 60_000,
    });
    const latest = new Map<string, string>();
    for (const record of records) latest.set(record.key ?? '', record.value);
    const current = new Map(
      [...latest]
        .filter(([, value]) => value !== '')
        .map(([key, value]) => [key, JSON.parse(value) as AlarmEvent]),
    );
    assert.ok(current.size > 0, 'some alarms are not over');
    assert.ok(latest.size > current.size, 'some alarms are over (tombstoned)');

    await runLakehouse({
      job: 'state',
      bounded: true,
      brokers,
      eventTopics: [topic],
      stateTopic,
      warehouse,
      stateDir: join(temp.dir, 'flink-state'),
      checkpointMs: 2000,
      restartAttempts: 0,
      heapMb: 512,
    });
    const query = 'SELECT condition_id, event_id, seq FROM lake.iiot.alarm_state;';
    const streamed = await queryLakehouse(query, { warehouse, stateDir: join(temp.dir, 'query') });
    const expected = [...current.values()]
      .map((event) => ({ condition_id: event.condition_id, event_id: event.event_id, seq: event.seq }))
      .sort((a, b) => a.condition_id.localeCompare(b.condition_id));
    const byCondition = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.condition_id).localeCompare(String(b.condition_id));
    assert.deepEqual(streamed.sort(byCondition), expected, 'one row per alarm not over: its latest event');

    await runLakehouse({
      job: 'state',
      mode: 'batch',
      brokers,
      eventTopics: [topic],
      warehouse,
      stateDir: join(temp.dir, 'flink-state-rebuild'),
      restartAttempts: 0,
      heapMb: 512,
    });
    const rebuilt = await queryLakehouse(query, { warehouse, stateDir: join(temp.dir, 'query') });
    assert.deepEqual(
      rebuilt.sort(byCondition),
      expected,
      'the rebuild from alarm_events gives the same table',
    );
  });

  test("yesterday's backlog counts in yesterday's KPI windows, not in the hour it arrived", async () => {
    await runLakehouse({
      job: 'kpis',
      mode: 'batch',
      brokers,
      eventTopics: [topic],
      warehouse,
      stateDir: join(temp.dir, 'flink-kpis'),
      restartAttempts: 0,
      heapMb: 512,
    });
    const windows = await queryLakehouse(
      `SELECT window_start, alarms, flood FROM lake.iiot.alarm_kpi_windows
       WHERE site = 'test-site' AND area = 'backlog' ORDER BY window_start;`,
      { warehouse, stateDir: join(temp.dir, 'query') },
    );
    // One raise a second from 22:00 yesterday: five full 10-minute windows, each a flood.
    assert.deepEqual(
      windows,
      [0, 10, 20, 30, 40].map((minute) => ({
        window_start: `${yesterday}T22:${String(minute).padStart(2, '0')}:00Z`,
        alarms: BACKLOG / 5,
        flood: true,
      })),
    );
  });
});
