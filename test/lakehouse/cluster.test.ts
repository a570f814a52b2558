/**
 * The same SQL submitted to an existing Flink cluster instead of the local
 * one: a standalone session cluster (a JobManager and two TaskManagers, each
 * its own JVM, with Flink's own jars only) runs the events job at parallelism
 * 2 over a topic of four partitions. The job ships the Kafka connector,
 * Iceberg and Hadoop itself (pipeline.jars), its source runs on both
 * TaskManagers, and the table holds each event once, in its partition.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FlinkCluster } from '../../scripts/lakehouse/cluster.ts';
import { queryLakehouse, runLakehouse } from '../../scripts/lakehouse/run.ts';
import { createTopic, kafkaClient, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';

const PARTITIONS = 4;
const EVENTS = 2000;
const RESENT = 50;
const SITES = ['north-works', 'south-works'] as const;
const DAYS = ['2026-11-23', '2026-11-24'] as const;
const AREAS = ['utilities', 'packing'] as const;
const LINES = ['line-1', 'line-2'] as const;
const ASSETS = ['pump-1', 'pump-2', 'boiler-1'] as const;
const PRIORITIES = [
  ['critical', 900],
  ['high', 700],
  ['medium', 500],
  ['low', 300],
] as const;

interface Landed {
  event_id: string;
  site: string;
  event_date: string;
}

/** A gateway-shaped JSON event (docs/event-contract.md), its record key, site and day. */
function alarmEvent(seq: number): { key: string; value: string; landed: Landed } {
  const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;
  const site = pick(SITES, seq);
  const day = pick(DAYS, Math.floor(seq / 2));
  const area = pick(AREAS, Math.floor(seq / 4));
  const line = pick(LINES, Math.floor(seq / 8));
  const asset = pick(ASSETS, Math.floor(seq / 16));
  const [priority, severity] = pick(PRIORITIES, seq);
  const point = 'pressure';
  const alarm = 'high_pressure';
  const raise = seq % 3 !== 2;
  const value = 10 + (seq % 50) / 10;
  const time = new Date(Date.parse(`${day}T00:00:00.000Z`) + (seq % 86_000) * 1000);
  const event = {
    event_id: randomUUID(),
    schema: 'iiot.alarm.v1',
    gateway_id: `gw-${site}`,
    seq,
    site,
    area,
    line,
    asset,
    device: `${asset}-plc`,
    point,
    alarm,
    condition_id: `${site}/${area}/${line}/${asset}/${point}/${alarm}`,
    kind: 'limit',
    transition: raise ? 'raise' : 'clear',
    state: {
      active: raise,
      acked: false,
      latched: false,
      shelved: false,
      suppressed: false,
      out_of_service: false,
      ...(raise ? { level: 'H' } : {}),
      isa_state: raise ? 'unacknowledged' : 'returned_to_normal_unacknowledged',
    },
    priority,
    severity,
    value,
    unit: 'bar',
    quality: 'good',
    limit: 12,
    deadband: 0.2,
    source_time: time.toISOString(),
    gateway_time: new Date(time.getTime() + 1).toISOString(),
    event_date: day,
    message: `${asset} ${point} ${raise ? 'H alarm' : 'back to normal'}: ${value} bar (limit 12)`,
    reason: { rule: alarm, text: `value ${value} ${raise ? '>=' : '<'} H limit 12`, threshold: 12 },
  };
  return {
    key: `${site}/${area}/${line}/${asset}`,
    value: JSON.stringify(event),
    landed: { event_id: event.event_id, site, event_date: day },
  };
}

describe('lakehouse on a Flink session cluster', { timeout: 240_000 }, () => {
  let cluster: FlinkCluster | undefined;
  const work = mkdtempSync(join(tmpdir(), 'lakehouse-cluster-'));
  const topic = uniqueTopic('lakehouse-cluster');
  const events = Array.from({ length: EVENTS }, (_, seq) => alarmEvent(seq + 1));
  let brokers: string;

  before(async () => {
    brokers = await sharedBrokers();
    const produce = async () => {
      await createTopic(brokers, topic, PARTITIONS);
      const producer = kafkaClient(brokers).producer();
      await producer.connect();
      try {
        // The key decides the partition (Java's murmur2), as for the gateway; 24 assets spread over all four.
        const records = events.map(({ key, value }) => ({
          key,
          value,
          headers: { 'content-type': 'application/json' },
        }));
        // A resend after a crash: the same records (same event_id, same bytes) again, later.
        const resent = records.slice(0, RESENT);
        for (let at = 0; at < records.length; at += 500) {
          await producer.send({ topic, messages: records.slice(at, at + 500) });
        }
        await producer.send({ topic, messages: resent });
      } finally {
        await producer.disconnect();
      }
      const admin = kafkaClient(brokers).admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        assert.equal(offsets.length, PARTITIONS);
        for (const { partition, high } of offsets)
          assert.ok(Number(high) > 0, `partition ${partition} is empty`);
      } finally {
        await admin.disconnect();
      }
    };
    // The cluster's JVMs start while the events are written; a cluster that
    // started is kept for after() to stop, whichever of the two failed.
    const results = await Promise.allSettled([
      FlinkCluster.start({ taskManagers: 2, slotsPerTaskManager: 1 }).then((started) => {
        cluster = started;
      }),
      produce(),
    ]);
    for (const result of results) if (result.status === 'rejected') throw result.reason;
  });

  after(async () => {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  function running(): FlinkCluster {
    assert.ok(cluster, 'the cluster did not start');
    return cluster;
  }

  test("the cluster's JVMs have Flink's own jars only: no Kafka connector, Iceberg or Hadoop", () => {
    const { logDir } = running();
    for (const name of ['jobmanager', 'taskmanager-1', 'taskmanager-2']) {
      const log = readFileSync(join(logDir, `${name}.log`), 'utf8');
      const classpath = /Classpath: (\S+)/.exec(log)?.[1]?.split(':') ?? [];
      const jars = classpath.map((entry) => basename(entry));
      for (const jar of [
        'flink-runtime-',
        'flink-table-runtime-',
        'flink-table-planner-loader-',
        'log4j-core-',
      ]) {
        assert.ok(
          jars.some((each) => each.startsWith(jar)),
          `${name} lacks ${jar}*: ${jars.join(' ')}`,
        );
      }
      const foreign = jars.filter((jar) =>
        /^(flink-connector-kafka|kafka-clients|iceberg-|hadoop-|guava-|jackson-)/.test(jar),
      );
      assert.deepEqual(foreign, [], `${name} has jars a Flink distribution lacks`);
    }
  });

  test('the events job runs on both TaskManagers and lands each event once, in its partition', async () => {
    const cluster = running();
    const warehouse = join(work, 'warehouse');
    const outcome = await runLakehouse({
      job: 'events',
      mode: 'streaming',
      bounded: true,
      brokers,
      eventTopics: [topic],
      groupId: `lakehouse-cluster-${randomUUID().slice(0, 8)}`,
      warehouse,
      stateDir: join(work, 'events'),
      parallelism: 2,
      restartAttempts: 0,
      checkpointMs: 1000,
      // Only the client runs here: it plans the job and submits it.
      heapMb: 384,
      jobmanager: cluster.rest,
    }).catch((error: unknown) => {
      // Where a job fails on the cluster, its TaskManagers' logs tell why.
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${reason}\n-- the cluster's logs:\n${cluster.logTail(40)}`);
    });
    const jobId = /lakehouse: job ([0-9a-f]{32}) submitted/.exec(outcome.stderr)?.[1];
    assert.ok(jobId, `no job id in the launcher's output:\n${outcome.stderr}`);

    // (a) The cluster ran it: parallelism 2, the Kafka source on both TaskManagers, each reading records.
    interface Vertex {
      id: string;
      name: string;
      parallelism: number;
    }
    const job = await cluster.api<{ state: string; vertices: Vertex[] }>(`/jobs/${jobId}`);
    assert.equal(job.state, 'FINISHED');
    const source = job.vertices.find((vertex) => vertex.name.includes('kafka_alarm_events'));
    assert.ok(source, `no Kafka source among ${job.vertices.map((vertex) => vertex.name).join(' | ')}`);
    const writer = job.vertices.find((vertex) => vertex.name === 'IcebergStreamWriter');
    // The Iceberg committer runs once (parallelism 1) by design; the source and the writers run twice.
    assert.equal(source.parallelism, 2);
    assert.equal(writer?.parallelism, 2);
    const detail = await cluster.api<{
      subtasks: { subtask: number; 'taskmanager-id': string; metrics: Record<string, number> }[];
    }>(`/jobs/${jobId}/vertices/${source.id}`);
    const taskManagers = new Set(detail.subtasks.map((subtask) => subtask['taskmanager-id']));
    assert.deepEqual([...taskManagers].sort(), ['tm-1', 'tm-2']);
    for (const subtask of detail.subtasks) {
      assert.ok(
        (subtask.metrics['write-records'] ?? 0) > 0,
        `source subtask ${subtask.subtask} read nothing`,
      );
    }

    // (b) A local query of the same warehouse: every event once, in the partition of its site and day.
    const rows = await queryLakehouse(
      'SELECT event_id, site, event_date FROM lake.iiot.alarm_events;\n' +
        'SELECT `partition` AS file_partition, record_count, file_path FROM lake.iiot.`alarm_events$files`;',
      { warehouse, stateDir: join(work, 'query') },
    );
    const landed = rows.filter((row) => 'event_id' in row) as unknown as Landed[];
    const files = rows.filter((row) => 'file_path' in row) as unknown as {
      file_partition: [string, string];
      record_count: number;
      file_path: string;
    }[];
    assert.equal(landed.length, EVENTS, 'one row per distinct event_id');
    const expected = new Map(events.map(({ landed: row }) => [row.event_id, row]));
    const seen = new Set<string>();
    for (const row of landed) {
      assert.ok(!seen.has(row.event_id), `${row.event_id} landed twice`);
      seen.add(row.event_id);
      assert.deepEqual(row, expected.get(row.event_id));
    }
    const perPartition = new Map<string, number>();
    for (const { landed: row } of events) {
      const key = `site=${row.site}/event_date=${row.event_date}`;
      perPartition.set(key, (perPartition.get(key) ?? 0) + 1);
    }
    const inFiles = new Map<string, number>();
    for (const file of files) {
      const [site, day] = file.file_partition;
      const key = `site=${site}/event_date=${day}`;
      assert.ok(file.file_path.includes(`/data/${key}/`), `${file.file_path} is not in ${key}`);
      inFiles.set(key, (inFiles.get(key) ?? 0) + file.record_count);
    }
    assert.deepEqual(Object.fromEntries([...inFiles].sort()), Object.fromEntries([...perPartition].sort()));
  });
});
