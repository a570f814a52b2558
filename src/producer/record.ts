/**
 * How an alarm event becomes a Kafka record (docs/event-contract.md): the key
 * keeps the events of one asset (or one alarm, line or site) on one
 * partition, in order; the headers let consumers route and partition without
 * parsing the value. Both are fixed when the event is committed.
 */
import type { AlarmEvent } from '../alarms/event.ts';
import type { RecordShape } from '../buffer/outbox.ts';
import type { KeyStrategy } from '../config/output-schema.ts';

export const CONTENT_TYPE_JSON = 'application/json';

type Hierarchy = Pick<AlarmEvent, 'site' | 'area' | 'line' | 'asset' | 'condition_id'>;

export function assetPath(event: Pick<AlarmEvent, 'site' | 'area' | 'line' | 'asset'>): string {
  return `${event.site}/${event.area}/${event.line}/${event.asset}`;
}

const KEYS: Record<KeyStrategy, (event: Hierarchy) => string> = {
  asset: assetPath,
  condition_id: (event) => event.condition_id,
  line: (event) => `${event.site}/${event.area}/${event.line}`,
  site: (event) => event.site,
};

export function recordKey(event: Hierarchy, strategy: KeyStrategy): string {
  return KEYS[strategy](event);
}

/** The shape of each event's record under a key strategy. */
export function recordShaper(strategy: KeyStrategy = 'asset'): (event: AlarmEvent) => RecordShape {
  return (event) => ({
    key: recordKey(event, strategy),
    headers: {
      schema: event.schema,
      'content-type': CONTENT_TYPE_JSON,
      event_id: event.event_id,
      site: event.site,
      event_date: event.event_date,
      priority: event.priority,
    },
  });
}

/** The default shape: keyed by asset path. */
export const recordShape = recordShaper('asset');
