/**
 * One drain per encoding and codec: the real Forwarder sends a filled outbox
 * to a fresh topic, and the broker's log segments of that topic tell the bytes
 * per event as they travelled (the broker keeps a producer's compressed
 * batches as they came).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { AlarmEventDraft } from '../../src/alarms/event.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import type { Compression, Encoding } from '../../src/config/schema.ts';
import { Forwarder } from '../../src/producer/forwarder.ts';
import { createBrokerClient } from '../../src/producer/kafka-client.ts';
import { outputPlan } from '../../src/producer/output-plan.ts';
import type { Logger } from '../../src/telemetry/logger.ts';
import { draft } from '../../test/harness/fixtures.ts';
import { uniqueTopic } from '../../test/harness/kafka.ts';
import { ownCpuSeconds } from './cpu.ts';
import { removeDatabase } from './outbox-commit.ts';
import { createBenchTopic, deleteBenchTopic } from './topics.ts';

export interface FormatRun {
  encoding: Encoding;
  compression: Compression;
  eventsPerSecond: number;
  /** CPU seconds of this process per 1,000 events: encoding, compression, client and buffer. */
  cpuMsPerThousand: number;
  /** Record batch bytes per event on the broker; undefined when its log directory is not local. */
  wireBytesPerEvent: number | undefined;
}

export interface FormatPlan {
  brokers: string;
  dir: string;
  events: number;
  encoding: Encoding;
  compression: Compression;
  /** The broker's log.dirs when it runs on this machine. */
  logDir: string | undefined;
  logger: Logger;
}

/** Bytes of the topic's log segments: the record batches as the broker stores them. */
function segmentBytes(logDir: string, topic: string): number {
  let bytes = 0;
  for (const entry of readdirSync(logDir)) {
    if (!entry.startsWith(`${topic}-`)) continue;
    for (const file of readdirSync(join(logDir, entry))) {
      if (file.endsWith('.log')) bytes += statSync(join(logDir, entry, file)).size;
    }
  }
  return bytes;
}

const ASSETS = 50;
const POINTS_PER_ASSET = 20;
const COMMIT_EVENTS = 1000;

/**
 * Events as varied as a plant's: real UUIDv7 ids, values, times, messages and
 * the deciding samples differ from event to event, so the codecs are not
 * measured on near-identical records.
 */
function plantEvent(n: number, startMs: number): AlarmEventDraft {
  const asset = `asset-${n % ASSETS}`;
  const point = `p${Math.floor(n / ASSETS) % POINTS_PER_ASSET}`;
  const raise = Math.floor(n / (ASSETS * POINTS_PER_ASSET)) % 2 === 0;
  const value = Math.round((60 + Math.random() * 40) * 100) / 100;
  const time = new Date(startMs + n * 37 + Math.floor(Math.random() * 30));
  const sourceTime = time.toISOString();
  const base = draft();
  return {
    ...base,
    event_id: uuidv7(),
    asset,
    point,
    condition_id: `site-a/area-1/line-1/${asset}/${point}/temp`,
    transition: raise ? 'raise' : 'clear',
    state: { ...base.state, active: raise },
    value,
    source_time: sourceTime,
    gateway_time: new Date(time.getTime() + 3 + Math.floor(Math.random() * 20)).toISOString(),
    event_date: sourceTime.slice(0, 10),
    message: `${asset} ${point} ${raise ? 'H alarm' : 'back to normal'}: ${value} degC (limit 80)`,
    reason: {
      rule: 'temp',
      text: `value ${value} ${raise ? '>=' : '<'} H limit 80`,
      threshold: 80,
      deadband: 1,
      samples: [{ value, quality: 'good', time: sourceTime }],
    },
  };
}

function fillWithPlantEvents(outbox: Outbox, events: number): void {
  const startMs = Date.now();
  for (let done = 0; done < events; done += COMMIT_EVENTS) {
    const count = Math.min(COMMIT_EVENTS, events - done);
    outbox.commit(
      [],
      Array.from({ length: count }, (_, index) => plantEvent(done + index, startMs)),
    );
  }
}

export async function measureFormat(plan: FormatPlan): Promise<FormatRun> {
  const topic = uniqueTopic(`bench-${plan.encoding}-${plan.compression}`);
  const path = join(plan.dir, `format-${plan.encoding}-${plan.compression}.db`);
  const output = outputPlan({ topic, encoding: plan.encoding, compression: plan.compression });
  const outbox = new Outbox({ path, shapeOf: output.shapeOf, synchronous: 'normal' });
  fillWithPlantEvents(outbox, plan.events);
  await createBenchTopic(plan.brokers, topic, DEFAULTS.partitions);
  const forwarder = new Forwarder({
    outbox,
    client: createBrokerClient({
      brokers: plan.brokers.split(','),
      clientId: 'gateway-bench',
      idempotent: true,
      requestTimeoutMs: DEFAULTS.requestTimeoutMs,
      logger: plan.logger,
      compression: output.compression,
    }),
    topics: output.topics,
    recordsOf: output.recordsOf,
    batchMaxEvents: DEFAULTS.batchMaxEvents,
    batchMaxBytes: DEFAULTS.batchMaxBytes,
    logger: plan.logger,
  });
  try {
    const cpuBefore = ownCpuSeconds();
    const started = performance.now();
    forwarder.start();
    while (outbox.stats().events > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const seconds = (performance.now() - started) / 1000;
    const cpu = ownCpuSeconds() - cpuBefore;
    return {
      encoding: plan.encoding,
      compression: plan.compression,
      eventsPerSecond: plan.events / seconds,
      cpuMsPerThousand: (cpu * 1000 * 1000) / plan.events,
      wireBytesPerEvent: plan.logDir ? segmentBytes(plan.logDir, topic) / plan.events : undefined,
    };
  } finally {
    await forwarder.stop();
    outbox.close();
    removeDatabase(path);
    await deleteBenchTopic(plan.brokers, topic);
  }
}
