/**
 * Events about the gateway itself rather than the plant. They travel with the
 * alarm events, under the gateway's own asset path, so downstream learns of a
 * gap in the same stream where it would notice it.
 */
import type { DroppedTally } from '../buffer/dropped.ts';
import type { Recovery } from '../buffer/integrity.ts';
import { type AlarmEventDraft, EVENT_SCHEMA, SEVERITY } from './event.ts';
import { isoTime, utcDate } from './format.ts';

export interface GatewayIdentity {
  gatewayId: string;
  site: string;
}

/** Area and line of system events: a leading underscore cannot collide with a site file id. */
export const SYSTEM_AREA = '_gateway';

export function systemConditionId(identity: GatewayIdentity, alarm: string): string {
  return `${identity.site}/${SYSTEM_AREA}/${SYSTEM_AREA}/${identity.gatewayId}/buffer/${alarm}`;
}

function systemDraft(
  identity: GatewayIdentity,
  alarm: string,
  transition: AlarmEventDraft['transition'],
  value: number,
  text: string,
  now: number,
  newId: () => string,
): AlarmEventDraft {
  const time = isoTime(now);
  return {
    event_id: newId(),
    schema: EVENT_SCHEMA,
    gateway_id: identity.gatewayId,
    site: identity.site,
    area: SYSTEM_AREA,
    line: SYSTEM_AREA,
    asset: identity.gatewayId,
    device: identity.gatewayId,
    point: 'buffer',
    alarm,
    condition_id: systemConditionId(identity, alarm),
    kind: 'system',
    transition,
    state: {
      active: false,
      acked: false,
      latched: false,
      shelved: false,
      suppressed: false,
      out_of_service: false,
    },
    priority: 'high',
    severity: SEVERITY.high,
    value,
    quality: 'good',
    source_time: time,
    gateway_time: time,
    event_date: utcDate(time),
    message: `Gateway ${identity.gatewayId}: ${text}`,
    reason: { rule: alarm === 'events_dropped' ? 'buffer_bounds' : 'buffer_integrity', text },
  };
}

/**
 * Reports a buffer found corrupt at start: events that waited in it may not
 * arrive; seq continues after the highest one still readable.
 */
export function bufferReplacedDraft(
  identity: GatewayIdentity,
  recovery: Recovery,
  now: number,
  newId: () => string,
): AlarmEventDraft {
  const text = `the buffer was corrupt (${recovery.problem}) and was replaced by a fresh one; the old file is ${recovery.movedTo}; events that waited in it are missing unless exported from it; seq continues after ${recovery.salvagedLastSeq}`;
  return systemDraft(
    identity,
    'buffer_replaced',
    'buffer_replaced',
    recovery.salvagedLastSeq,
    text,
    now,
    newId,
  );
}

/** Reports events the buffer dropped by policy: how many, which priorities, which seq range. */
export function droppedEventsDraft(
  identity: GatewayIdentity,
  tally: DroppedTally,
  policy: string,
  now: number,
  newId: () => string,
): AlarmEventDraft {
  const priorities = Object.entries(tally.byPriority)
    .map(([priority, count]) => `${count} ${priority}`)
    .join(', ');
  const text = `the buffer dropped ${tally.count} events (${priorities}), seq ${tally.firstSeq}..${tally.lastSeq}, by policy ${policy}`;
  const draft = systemDraft(identity, 'events_dropped', 'events_dropped', tally.count, text, now, newId);
  draft.reason.dropped = {
    count: tally.count,
    first_seq: tally.firstSeq,
    last_seq: tally.lastSeq,
    by_priority: tally.byPriority,
    by_cause: tally.byCause,
    policy,
    since: isoTime(tally.since),
  };
  return draft;
}
