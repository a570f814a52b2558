/**
 * What a host application knows about one Sparkplug B edge node: whether it
 * (and the device this map entry follows) is alive, the metric aliases of its
 * births, and the sequence number of its last message. Pure: each message in,
 * what it means out (metric values, liveness changes, a rebirth to request).
 */
import type { SparkplugSource } from '../../config/schema.ts';
import type { MalformedKind } from './decoded.ts';
import type { SparkplugMetric, SparkplugPayload } from './sparkplug-codec.ts';
import { BDSEQ_METRIC, type SparkplugTopic } from './sparkplug-topic.ts';

export interface MetricValue {
  readonly name: string;
  readonly datatype?: number;
  readonly value?: number | boolean | string;
  readonly isNull: boolean;
  readonly time?: number;
}

export interface SparkplugOutcome {
  /** Values of the followed node or device. */
  readonly metrics: MetricValue[];
  readonly problems: { kind: MalformedKind; reason: string }[];
  /** The sequence or the births do not add up: ask the node for new births. */
  readonly rebirth?: string;
  /** The followed node or device was born (true) or died (false). */
  readonly alive?: { up: boolean; reason: string };
}

interface Definition {
  readonly name: string;
  readonly datatype?: number;
}

const SEQ_MODULUS = 256;

export class SparkplugNode {
  readonly #target: SparkplugSource;
  #born = false;
  #bdSeq: number | undefined;
  #lastSeq: number | undefined;
  readonly #nodeAliases = new Map<number, Definition>();
  readonly #deviceAliases = new Map<string, Map<number, Definition>>();
  #alive = false;

  constructor(target: SparkplugSource) {
    this.#target = target;
  }

  /** Whether the followed node (or device) is known alive. */
  get alive(): boolean {
    return this.#alive;
  }

  /** Gone from the host's view (the host itself lost the broker): births are needed again. */
  forget(): void {
    this.#born = false;
    this.#lastSeq = undefined;
    this.#nodeAliases.clear();
    this.#deviceAliases.clear();
    this.#alive = false;
  }

  handle(topic: SparkplugTopic, payload: SparkplugPayload): SparkplugOutcome {
    const outcome: Mutable = { metrics: [], problems: [] };
    if (topic.type === 'NCMD' || topic.type === 'DCMD' || topic.type === 'STATE') return outcome;
    if (topic.type === 'NDEATH') {
      this.#death(payload, outcome);
      return outcome;
    }
    if (topic.type !== 'NBIRTH') this.#checkSequence(payload.seq, outcome);
    switch (topic.type) {
      case 'NBIRTH':
        this.#nodeBirth(payload, outcome);
        break;
      case 'NDATA':
        if (!this.#born) return this.#beforeBirth(outcome, 'NDATA before the NBIRTH of the node');
        if (this.#target.device_id === undefined) this.#values(payload, this.#nodeAliases, outcome);
        break;
      case 'DBIRTH':
        if (!this.#born)
          return this.#beforeBirth(outcome, `DBIRTH of ${topic.device} before the NBIRTH of the node`);
        this.#deviceBirth(topic.device as string, payload, outcome);
        break;
      case 'DDATA': {
        const aliases = this.#deviceAliases.get(topic.device as string);
        if (aliases === undefined)
          return this.#beforeBirth(outcome, `DDATA of ${topic.device} before its DBIRTH`);
        if (topic.device === this.#target.device_id) this.#values(payload, aliases, outcome);
        break;
      }
      case 'DDEATH':
        this.#deviceAliases.delete(topic.device as string);
        if (topic.device === this.#target.device_id) this.#setAlive(false, 'device died (DDEATH)', outcome);
        break;
    }
    return outcome;
  }

  #nodeBirth(payload: SparkplugPayload, outcome: Mutable): void {
    this.#born = true;
    this.#lastSeq = payload.seq;
    this.#nodeAliases.clear();
    // A node's birth invalidates its devices' births; they send new ones.
    this.#deviceAliases.clear();
    const bdSeq = payload.metrics.find((metric) => metric.name === BDSEQ_METRIC)?.value;
    this.#bdSeq = typeof bdSeq === 'number' ? bdSeq : undefined;
    learnAliases(payload.metrics, this.#nodeAliases);
    if (this.#target.device_id === undefined) {
      this.#values(payload, this.#nodeAliases, outcome);
      this.#setAlive(true, 'edge node born (NBIRTH)', outcome);
    }
    // A followed device stays alive across its node's rebirth: its DBIRTH follows at once, and a
    // brief loss on every rebirth would only make the communication alarm flap.
  }

  #deviceBirth(device: string, payload: SparkplugPayload, outcome: Mutable): void {
    const aliases = new Map<number, Definition>();
    learnAliases(payload.metrics, aliases);
    this.#deviceAliases.set(device, aliases);
    if (device !== this.#target.device_id) return;
    this.#values(payload, aliases, outcome);
    this.#setAlive(true, 'device born (DBIRTH)', outcome);
  }

  /** A death certificate whose bdSeq is not that of the current birth is from an older session: ignored. */
  #death(payload: SparkplugPayload, outcome: Mutable): void {
    const bdSeq = payload.metrics.find((metric) => metric.name === BDSEQ_METRIC)?.value;
    if (typeof bdSeq === 'number' && this.#bdSeq !== undefined && bdSeq !== this.#bdSeq) return;
    this.#born = false;
    this.#lastSeq = undefined;
    this.#nodeAliases.clear();
    this.#deviceAliases.clear();
    this.#setAlive(false, 'edge node died (NDEATH)', outcome);
  }

  /** Seq counts 0..255 over every message but NDEATH; a repeat is a redelivery, anything else a gap. */
  #checkSequence(seq: number | undefined, outcome: Mutable): void {
    if (seq === undefined || this.#lastSeq === undefined) {
      if (seq !== undefined) this.#lastSeq = seq;
      return;
    }
    const expected = (this.#lastSeq + 1) % SEQ_MODULUS;
    if (seq !== expected && seq !== this.#lastSeq) {
      outcome.rebirth = `sequence gap: expected seq ${expected}, got ${seq}`;
    }
    this.#lastSeq = seq;
  }

  #beforeBirth(outcome: Mutable, reason: string): SparkplugOutcome {
    outcome.problems.push({ kind: 'before_birth', reason });
    outcome.rebirth = reason;
    return outcome;
  }

  #values(payload: SparkplugPayload, aliases: ReadonlyMap<number, Definition>, outcome: Mutable): void {
    for (const metric of payload.metrics) {
      const definition =
        metric.name !== undefined
          ? { name: metric.name, datatype: metric.datatype ?? aliasDatatype(aliases, metric.name) }
          : metric.alias === undefined
            ? undefined
            : aliases.get(metric.alias);
      if (definition === undefined) {
        const what =
          metric.alias === undefined ? 'a metric with neither name nor alias' : `alias ${metric.alias}`;
        outcome.problems.push({ kind: 'unknown_alias', reason: `${what} is not in the birth certificate` });
        outcome.rebirth ??= `unknown ${what}`;
        continue;
      }
      const time = metric.timestamp ?? payload.timestamp;
      outcome.metrics.push({
        name: definition.name,
        ...(definition.datatype === undefined ? {} : { datatype: definition.datatype }),
        ...(metric.value === undefined ? {} : { value: metric.value }),
        isNull: metric.isNull === true || metric.value === undefined,
        ...(time === undefined ? {} : { time }),
      });
    }
  }

  #setAlive(up: boolean, reason: string, outcome: Mutable): void {
    if (this.#alive === up) return;
    this.#alive = up;
    outcome.alive = { up, reason };
  }
}

type Mutable = {
  metrics: MetricValue[];
  problems: { kind: MalformedKind; reason: string }[];
  rebirth?: string;
  alive?: { up: boolean; reason: string };
};

function learnAliases(metrics: readonly SparkplugMetric[], into: Map<number, Definition>): void {
  for (const metric of metrics) {
    if (metric.name === undefined || metric.alias === undefined) continue;
    into.set(metric.alias, {
      name: metric.name,
      ...(metric.datatype === undefined ? {} : { datatype: metric.datatype }),
    });
  }
}

function aliasDatatype(aliases: ReadonlyMap<number, Definition>, name: string): number | undefined {
  for (const definition of aliases.values()) if (definition.name === name) return definition.datatype;
  return undefined;
}
