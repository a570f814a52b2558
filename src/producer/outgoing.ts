/**
 * What the forwarder sends for a batch of buffered events: each event on the
 * topic its route chooses, under the key it was committed with, encoded as
 * configured; and with a state topic, the alarm's latest state (or its
 * tombstone) next to it. Records follow the events' order, so each topic's
 * partitions get every key's records in seq order.
 */
import type { AlarmEvent } from '../alarms/event.ts';
import type { StoredEvent } from '../buffer/outbox.ts';
import { hasAlarmState, isOver } from './alarm-state.ts';
import type { OutgoingRecord } from './kafka-client.ts';
import type { Router } from './routing.ts';
import type { ValueEncoder } from './value-encoder.ts';

export interface OutgoingOptions {
  route: Router;
  encode: ValueEncoder;
  /** The compacted topic of current alarm states; none when unset. */
  stateTopic?: string;
}

export type RecordsOf = (events: readonly StoredEvent[]) => Promise<OutgoingRecord[]>;

export function outgoingRecords(options: OutgoingOptions): RecordsOf {
  const { route, encode, stateTopic } = options;

  async function recordOf(stored: StoredEvent, event: AlarmEvent, topic: string): Promise<OutgoingRecord> {
    const { value, contentType } = await encode(stored.payload, event, topic);
    return { topic, key: stored.key, value, headers: { ...stored.headers, 'content-type': contentType } };
  }

  async function stateRecordOf(
    stored: StoredEvent,
    event: AlarmEvent,
    topic: string,
  ): Promise<OutgoingRecord> {
    if (!isOver(event.state)) return { ...(await recordOf(stored, event, topic)), key: event.condition_id };
    // A tombstone has no value, so nothing for a content type to describe.
    const { 'content-type': _none, ...headers } = stored.headers;
    return { topic, key: event.condition_id, value: null, headers };
  }

  return async (events) => {
    const records: OutgoingRecord[] = [];
    for (const stored of events) {
      const event = JSON.parse(stored.payload) as AlarmEvent;
      records.push(await recordOf(stored, event, route(event)));
      if (stateTopic && hasAlarmState(event)) records.push(await stateRecordOf(stored, event, stateTopic));
    }
    return records;
  };
}
