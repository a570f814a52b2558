/**
 * The docs cannot drift: the Flink SQL blocks of docs/lakehouse.md run as
 * they stand, with only the broker address and the warehouse substituted,
 * against a real broker holding gateway-shaped records, and the tables they
 * produce are checked. A failed statement fails the run (the launcher exits 1
 * with its file and line), and the tables are checked whatever the exit code.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KafkaBroker } from '../../scripts/kafka-broker.ts';
import { readIcebergTable } from '../../scripts/lakehouse/python.ts';
import { queryLakehouse, runLakehouse } from '../../scripts/lakehouse/run.ts';
import { tempDir } from '../harness/fixtures.ts';
import { createTopic, kafkaClient, ownBroker } from '../harness/kafka.ts';

const DOC = fileURLToPath(new URL('../../docs/lakehouse.md', import.meta.url));
const DOC_BROKER = 'redpanda:9092';
const DOC_WAREHOUSE = 'file:///var/lib/lakehouse/warehouse';
const EVENTS_TOPIC = 'iiot.alarms.v1';
const STATE_TOPIC = 'iiot.alarms.state.v1';

function docSql(): string {
  const blocks = [...readFileSync(DOC, 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1]);
  assert.ok(blocks.length >= 4, 'docs/lakehouse.md has its SQL blocks');
  return blocks.join('\n');
}

function event(n: number) {
  const site = n % 3 === 0 ? 'plant-b' : 'plant-a';
  const day = n % 2 === 0 ? '2026-11-30' : '2026-12-01';
  const asset = `pump-${n % 4}`;
  const time = `${day}T08:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.250Z`;
  return {
    event_id: `0193a1b2-0000-7000-8000-${String(n).padStart(12, '0')}`,
    schema: 'iiot.alarm.v1',
    gateway_id: `gw-${site}`,
    seq: n,
    site,
    area: 'utilities',
    line: 'water',
    asset,
    device: 'plc-1',
    point: 'flow',
    alarm: 'low_flow',
    condition_id: `${site}/utilities/water/${asset}/flow/low_flow`,
    kind: 'limit',
    transition: n % 2 === 0 ? 'raise' : 'clear',
    state: {
      active: n % 2 === 0,
      acked: false,
      latched: false,
      shelved: false,
      suppressed: false,
      out_of_service: false,
      ...(n % 2 === 0 ? { level: 'L' } : {}),
    },
    priority: 'low',
    severity: 300,
    value: n % 5 === 0 ? true : 4.5,
    unit: 'm3/h',
    quality: 'good',
    limit: 5,
    deadband: 0.5,
    source_time: time,
    gateway_time: time,
    event_date: day,
    message: `${asset} flow L alarm`,
    reason: {
      rule: 'low_flow',
      text: 'value 4.5 <= L limit 5',
      samples: [{ value: 4.5, quality: 'good', time }],
    },
  };
}

let broker: KafkaBroker;
let temp: ReturnType<typeof tempDir>;

before(async () => {
  broker = await ownBroker();
  temp = tempDir();
});

after(async () => {
  await broker?.stop();
  temp?.remove();
});

test('the SQL of docs/lakehouse.md lands the topics as the page says', { timeout: 300_000 }, async () => {
  const brokers = broker.brokers;
  await createTopic(brokers, EVENTS_TOPIC, 3);
  await createTopic(brokers, STATE_TOPIC, 1);
  const events = Array.from({ length: 240 }, (_, i) => event(i + 1));
  const record = (e: ReturnType<typeof event>) => ({
    key: `${e.site}/${e.area}/${e.line}/${e.asset}`,
    value: JSON.stringify(e),
    headers: {
      'content-type': 'application/json',
      event_id: e.event_id,
      site: e.site,
      event_date: e.event_date,
    },
  });
  // The current state of eight alarms, four of which are over (a tombstone after their last record).
  const conditions = Array.from({ length: 8 }, (_, i) => events[i] as ReturnType<typeof event>);
  const producer = kafkaClient(brokers).producer();
  await producer.connect();
  await producer.send({ topic: EVENTS_TOPIC, messages: events.map(record) });
  // Resends after a gateway crash: the same records again.
  await producer.send({ topic: EVENTS_TOPIC, messages: events.slice(100, 130).map(record) });
  await producer.send({
    topic: STATE_TOPIC,
    messages: [
      ...conditions.map((e, i) => ({
        key: `condition-${i}`,
        value: JSON.stringify({ ...e, condition_id: `condition-${i}` }),
      })),
      ...[0, 1, 2, 3].map((i) => ({ key: `condition-${i}`, value: null })),
    ],
  });
  await producer.disconnect();

  const warehouse = join(temp.dir, 'warehouse');
  const sql = docSql();
  assert.ok(
    sql.includes(DOC_BROKER) && sql.includes(DOC_WAREHOUSE),
    'the page names the broker and warehouse it assumes',
  );
  const file = join(temp.dir, 'docs.sql');
  writeFileSync(
    file,
    sql.replaceAll(DOC_BROKER, brokers).replaceAll(DOC_WAREHOUSE, pathToFileURL(warehouse).href),
  );
  const outcome = await runLakehouse({
    job: 'events',
    files: [file],
    prelude: false,
    brokers,
    eventTopics: [EVENTS_TOPIC],
    warehouse,
    stateDir: join(temp.dir, 'flink'),
    stopAfterMs: 25_000,
    restartAttempts: 0,
    heapMb: 512,
  });
  assert.equal((outcome.stderr.match(/stopped with savepoint/g) ?? []).length, 2, outcome.stderr);

  const landed = await readIcebergTable(warehouse, 'iiot.alarm_events', [
    'event_id',
    'site',
    'event_date',
    'record_key',
    'value',
  ]);
  assert.equal(landed.rows.length, events.length, 'each event once, resends dropped');
  assert.deepEqual(new Set(landed.rows.map((row) => row.event_id)), new Set(events.map((e) => e.event_id)));
  for (const file of landed.files) assert.deepEqual(file.values, [file.partition], file.path);
  const first = landed.rows.find((row) => row.event_id === events[4]?.event_id);
  assert.deepEqual(first, {
    event_id: events[4]?.event_id,
    site: 'plant-a',
    event_date: '2026-12-01',
    record_key: 'plant-a/utilities/water/pump-1',
    value: 'true',
  });

  const current = await queryLakehouse('SELECT condition_id FROM lake.iiot.current_alarms;', {
    warehouse,
    stateDir: join(temp.dir, 'query'),
  });
  assert.deepEqual(current.map((row) => row.condition_id).sort(), [
    'condition-4',
    'condition-5',
    'condition-6',
    'condition-7',
  ]);
});
