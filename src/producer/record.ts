/**
 * How an alarm event becomes a Kafka record (docs/event-contract.md): the key
 * keeps every alarm of one asset on one partition, in order; the headers let
 * consumers route and partition without parsing the value.
 */
import type { AlarmEvent } from '../alarms/event.ts';
import type { RecordShape } from '../buffer/outbox.ts';

export const CONTENT_TYPE_JSON = 'application/json';

export function assetPath(event: Pick<AlarmEvent, 'site' | 'area' | 'line' | 'asset'>): string {
  return `${event.site}/${event.area}/${event.line}/${event.asset}`;
}

export function recordShape(event: AlarmEvent): RecordShape {
  return {
    key: assetPath(event),
    headers: {
      schema: event.schema,
      'content-type': CONTENT_TYPE_JSON,
      event_id: event.event_id,
      site: event.site,
      event_date: event.event_date,
      priority: event.priority,
    },
  };
}
