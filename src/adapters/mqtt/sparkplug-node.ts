/**
 * What a host application knows about one Sparkplug B edge node: whether it
 * (and the device this map entry follows) is alive, the metric aliases of its
 * births, and the sequence number of its last message. Pure: each message in,
 * what it means out (metric values, liveness changes, a rebirth to request).
 *
 * Only the births the map entry follows are kept: a node may have thousands
 * of devices, each birth hundreds of metrics, and the host reads one of them.
 * The other devices are counted, and the first MAX_NOTICED_DEVICES named once.
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
  /** Worth a line in the log: a device of the node the map entry does not follow, seen for the first time. */
  readonly notice?: string;
}

interface Definition {
  readonly name: string;
  readonly datatype?: number;
}

const SEQ_MODULUS = 256;

/** Devices of a node, not followed, whose names are remembered (to log each once); the rest are only counted. */
export const MAX_NOTICED_DEVICES = 100;

export class SparkplugNode {
  readonly #target: SparkplugSource;
  #born = false;
  #bdSeq: number | undefined;
  #lastSeq: number | undefined;
  readonly #nodeAliases = new Map<number, Definition>();
  /** The aliases of the followed device's birth; undefined until it is born. */
  #deviceAliases: Map<number, Definition> | undefined;
  readonly #noticed = new Set<string>();
  /** More devices than MAX_NOTICED_DEVICES showed up, and that was said. */
  #noticedAll = false;
  #unfollowedBirths = 0;
  #alive = false;

  constructor(target: SparkplugSource) {
    this.#target = target;
  }

  /** Whether the followed node (or device) is known alive. */
  get alive(): boolean {
    return this.#alive;
  }

  /** Births of devices of the node that the map entry does not follow: ignored. */
  get unfollowedBirths(): number {
    return this.#unfollowedBirths;
  }

  /** What the host keeps about the node, bounded whatever the node sends (births aside, which the broker bounds). */
  get stateSize(): { aliasTables: number; aliases: number; noticedDevices: number } {
    const device = this.#deviceAliases?.size;
    return {
      aliasTables: device === undefined ? 1 : 2,
      aliases: this.#nodeAliases.size + (device ?? 0),
      noticedDevices: this.#noticed.size,
    };
  }

  /** Gone from the host's view (the host itself lost the broker): births are needed again. */
  forget(): void {
    this.#born = false;
    this.#lastSeq = undefined;
    this.#nodeAliases.clear();
    this.#deviceAliases = undefined;
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
        if (topic.device !== this.#target.device_id) {
          this.#unfollowed(topic.device as string, outcome);
          break;
        }
        if (!this.#born)
          return this.#beforeBirth(outcome, `DBIRTH of ${topic.device} before the NBIRTH of the node`);
        this.#deviceBirth(payload, outcome);
        break;
      case 'DDATA': {
        // Data of another device is no concern of this entry, born or not: it only counts for seq.
        if (topic.device !== this.#target.device_id) break;
        const aliases = this.#deviceAliases;
        if (aliases === undefined)
          return this.#beforeBirth(outcome, `DDATA of ${topic.device} before its DBIRTH`);
        this.#values(payload, aliases, outcome);
        break;
      }
      case 'DDEATH':
        if (topic.device !== this.#target.device_id) break;
        this.#deviceAliases = undefined;
        this.#setAlive(false, 'device died (DDEATH)', outcome);
        break;
    }
    return outcome;
  }

  #unfollowed(topicDevice: string, outcome: Mutable): void {
    this.#unfollowedBirths += 1;
    // A topic level may be 64 KiB long; a name is remembered only to log it once.
    const device = topicDevice.length > 200 ? `${topicDevice.slice(0, 200)}…` : topicDevice;
    if (this.#noticed.has(device)) return;
    const where = `${this.#target.group_id}/${this.#target.edge_node_id}`;
    const followed = this.#target.device_id ?? 'the node itself';
    if (this.#noticed.size < MAX_NOTICED_DEVICES) {
      this.#noticed.add(device);
      outcome.notice = `edge node ${where} has device ${device}; this device map entry follows ${followed} and ignores it`;
    } else if (!this.#noticedAll) {
      this.#noticedAll = true;
      outcome.notice = `edge node ${where} has more than ${MAX_NOTICED_DEVICES} devices besides ${followed}; further ones are counted (unfollowed births), not named`;
    }
  }

  #nodeBirth(payload: SparkplugPayload, outcome: Mutable): void {
    this.#born = true;
    this.#lastSeq = payload.seq;
    this.#nodeAliases.clear();
    // A node's birth invalidates its devices' births; they send new ones.
    this.#deviceAliases = undefined;
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

  #deviceBirth(payload: SparkplugPayload, outcome: Mutable): void {
    const aliases = new Map<number, Definition>();
    learnAliases(payload.metrics, aliases);
    this.#deviceAliases = aliases;
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
    this.#deviceAliases = undefined;
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
  notice?: string;
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
