/**
 * The lakehouse runs' input: gateway-shaped JSON alarm events on a Kafka
 * topic, as several gateways would leave them. Each site has its own gateway
 * (own seq), its assets' events are keyed by asset path with the gateway's
 * headers, source times spread over several UTC days, and about 1 % of the
 * records are byte-identical resends of a record sent shortly before (what an
 * at-least-once gateway sends again after a lost acknowledgement). Produced
 * with kafkajs in large batches, several in flight; the caller times what it
 * wants to time, not this.
 */
import type { Message } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { type AlarmEvent, EVENT_SCHEMA, SEVERITY } from '../../src/alarms/event.ts';
import type { Priority } from '../../src/config/schema-common.ts';
import { recordShape } from '../../src/producer/record.ts';
import { kafkaClient } from '../../test/harness/kafka.ts';

export const SITES = ['plant-north', 'plant-south', 'plant-east', 'plant-west'] as const;
export const DAYS = 3;
const AREAS = ['press', 'paint', 'utilities'] as const;
const LINES_PER_AREA = 2;
const ASSETS_PER_LINE = 5;
const POINTS = [
  'temperature',
  'pressure',
  'vibration',
  'flow',
  'level',
  'current',
  'speed',
  'torque',
] as const;
const UNITS: Record<(typeof POINTS)[number], string> = {
  temperature: 'degC',
  pressure: 'bar',
  vibration: 'mm/s',
  flow: 'm3/h',
  level: '%',
  current: 'A',
  speed: 'rpm',
  torque: 'Nm',
};
/** One record in RESEND_EVERY is a resend of a record at most RESEND_WINDOW records back. */
const RESEND_EVERY = 100;
const RESEND_WINDOW = 2000;
const BATCH = 2000;
const IN_FLIGHT = 4;
const DAY_MS = 86_400_000;

export interface ProducedEvents {
  topic: string;
  /** Records on the topic, resends included. */
  records: number;
  /** Distinct event_ids among them. */
  distinct: number;
  resends: number;
  /** Bytes of the JSON values. */
  valueBytes: number;
  /** The UTC days (event_date) the events fall on, oldest first. */
  days: string[];
  /** site × day partitions the table should end up with. */
  partitions: number;
  seconds: number;
}

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Cheap deterministic noise in [0, 1), so two runs produce the same shape of data. */
function noise(n: number): number {
  const x = Math.sin(n * 12.9898) * 43758.5453;
  return x - Math.floor(x);
}

interface Condition {
  site: string;
  area: string;
  line: string;
  asset: string;
  device: string;
  point: (typeof POINTS)[number];
  active: boolean;
}

function conditionsOf(site: string): Condition[] {
  const out: Condition[] = [];
  for (const area of AREAS) {
    for (let l = 1; l <= LINES_PER_AREA; l++) {
      for (let a = 1; a <= ASSETS_PER_LINE; a++) {
        for (const point of POINTS) {
          out.push({
            site,
            area,
            line: `line-${l}`,
            asset: `${area}-${l}${a}`,
            device: `plc-${area}-${l}`,
            point,
            active: false,
          });
        }
      }
    }
  }
  return out;
}

/** The n-th event of a run that spans [startMs, startMs + DAYS days). */
function eventOf(n: number, total: number, startMs: number, condition: Condition, seq: number): AlarmEvent {
  const sourceMs = startMs + Math.floor((n / total) * DAYS * DAY_MS);
  const sourceTime = new Date(sourceMs).toISOString();
  const raise = !condition.active;
  condition.active = raise;
  const critical = noise(n) > 0.85;
  const priority: Priority = critical ? 'critical' : 'high';
  const level = critical ? 'HH' : 'H';
  const limit = critical ? 90 : 80;
  const value = raise
    ? limit + 1 + Math.round(noise(n + 1) * 150) / 10
    : limit - 2 - Math.round(noise(n + 2) * 50) / 10;
  const unit = UNITS[condition.point];
  const { site, area, line, asset, device, point } = condition;
  const alarm = `${point}_limit`;
  return {
    event_id: uuidv7({ msecs: sourceMs }),
    schema: EVENT_SCHEMA,
    gateway_id: `gw-${site}`,
    site,
    area,
    line,
    asset,
    device,
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
      ...(raise ? { level } : {}),
      isa_state: raise ? 'unacknowledged' : 'returned_to_normal_unacknowledged',
    },
    priority,
    severity: SEVERITY[priority],
    value,
    unit,
    quality: 'good',
    limit,
    deadband: 1,
    source_time: sourceTime,
    gateway_time: new Date(sourceMs + 3 + Math.floor(noise(n + 3) * 40)).toISOString(),
    event_date: utcDate(sourceMs),
    message: raise
      ? `${asset} ${point} ${level} alarm: ${value} ${unit} (limit ${limit})`
      : `${asset} ${point} back to normal: ${value} ${unit}`,
    reason: {
      rule: alarm,
      text: raise ? `value ${value} >= ${level} limit ${limit}` : `value ${value} < ${limit} - deadband 1`,
      threshold: limit,
      deadband: 1,
      samples: [{ value, quality: 'good', time: sourceTime }],
    },
    actor: 'gateway',
    seq,
  };
}

/**
 * Produces `records` records (resends included) to `topic`, which must exist.
 * Events are in source_time order over DAYS UTC days ending yesterday.
 */
export async function produceLakehouseEvents(options: {
  brokers: string;
  topic: string;
  records: number;
  log?: (line: string) => void;
}): Promise<ProducedEvents> {
  const started = performance.now();
  const firstDay =
    Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) - DAYS * DAY_MS;
  const resends = Math.floor(options.records / RESEND_EVERY);
  const distinct = options.records - resends;
  const bySite = SITES.map((site) => conditionsOf(site));
  const seqs = SITES.map(() => 0);
  const recent: Message[] = [];
  const days = new Set<string>();
  let valueBytes = 0;
  let made = 0;

  const producer = kafkaClient(options.brokers).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const inFlight = new Set<Promise<unknown>>();
  let failure: unknown;
  try {
    let batch: Message[] = [];
    for (let i = 0; i < options.records; i++) {
      let message: Message;
      if (i % RESEND_EVERY === RESEND_EVERY - 1 && recent.length > 0) {
        // A byte-identical resend: same key, value and headers as a record sent shortly before.
        message = recent[Math.floor(noise(i) * recent.length)] as Message;
      } else {
        const n = made++;
        const site = n % SITES.length;
        const conditions = bySite[site] as Condition[];
        const condition = conditions[Math.floor(noise(n + 7) * conditions.length)] as Condition;
        seqs[site] = (seqs[site] ?? 0) + 1;
        const event = eventOf(n, distinct, firstDay, condition, seqs[site] as number);
        days.add(event.event_date);
        const shape = recordShape(event);
        message = { key: shape.key, value: JSON.stringify(event), headers: shape.headers };
        recent.push(message);
        if (recent.length > RESEND_WINDOW) recent.shift();
      }
      valueBytes += Buffer.byteLength(message.value as string);
      batch.push(message);
      if (batch.length === BATCH || i === options.records - 1) {
        const sending = producer.send({ topic: options.topic, acks: 1, messages: batch });
        batch = [];
        inFlight.add(sending);
        sending.then(
          () => inFlight.delete(sending),
          (error: unknown) => {
            inFlight.delete(sending);
            failure ??= error;
          },
        );
        if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight).catch(() => {});
        if (failure !== undefined) throw failure;
        if ((i + 1) % 200_000 < BATCH)
          options.log?.(`lakehouse: ${i + 1} of ${options.records} records produced`);
      }
    }
    await Promise.allSettled(inFlight);
    if (failure !== undefined) throw failure;
  } finally {
    await producer.disconnect();
  }
  return {
    topic: options.topic,
    records: options.records,
    distinct: made,
    resends: options.records - made,
    valueBytes,
    days: [...days].sort(),
    partitions: SITES.length * days.size,
    seconds: (performance.now() - started) / 1000,
  };
}
