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

/** Where a system event sits: the gateway's buffer unless it concerns an area or the commands. */
interface SystemPlace {
  area: string;
  point: string;
  rule: string;
}

const BUFFER_RULES: Record<string, string> = {
  events_dropped: 'buffer_bounds',
  buffer_replaced: 'buffer_integrity',
};

function systemDraft(
  identity: GatewayIdentity,
  alarm: string,
  transition: AlarmEventDraft['transition'],
  value: number,
  text: string,
  now: number,
  newId: () => string,
  place: SystemPlace = { area: SYSTEM_AREA, point: 'buffer', rule: BUFFER_RULES[alarm] ?? alarm },
): AlarmEventDraft {
  const time = isoTime(now);
  return {
    event_id: newId(),
    schema: EVENT_SCHEMA,
    gateway_id: identity.gatewayId,
    site: identity.site,
    area: place.area,
    line: SYSTEM_AREA,
    asset: identity.gatewayId,
    device: identity.gatewayId,
    point: place.point,
    alarm,
    condition_id: [identity.site, place.area, SYSTEM_AREA, identity.gatewayId, place.point, alarm].join('/'),
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
    reason: { rule: place.rule, text },
  };
}

/** An area's alarm flood started or ended: the alarms annunciated within the window, against the bounds. */
export function floodDraft(
  identity: GatewayIdentity,
  area: string,
  started: boolean,
  flood: { alarms: number; window_ms: number; max_alarms: number; end_below: number },
  now: number,
  newId: () => string,
): AlarmEventDraft {
  const text = started
    ? `${flood.alarms} alarms annunciated in area ${area} within ${flood.window_ms} ms, more than ${flood.max_alarms}: alarm flood`
    : `${flood.alarms} alarms annunciated in area ${area} within ${flood.window_ms} ms, fewer than ${flood.end_below}: the flood is over`;
  const draft = systemDraft(
    identity,
    'flood',
    started ? 'flood_start' : 'flood_end',
    flood.alarms,
    text,
    now,
    newId,
    { area, point: 'alarms', rule: 'flood' },
  );
  draft.state = { ...draft.state, active: started, acked: true };
  draft.message = `Area ${area}: ${started ? 'alarm flood started' : 'alarm flood ended'}`;
  draft.reason.flood = flood;
  return draft;
}

/** A command the gateway refused: what could be read of it and why, so the sender learns of it. */
export function commandRejectedDraft(
  identity: GatewayIdentity,
  command: Record<string, unknown>,
  reason: string,
  now: number,
  newId: () => string,
): AlarmEventDraft {
  const draft = systemDraft(identity, 'command_rejected', 'command_rejected', 0, reason, now, newId, {
    area: SYSTEM_AREA,
    point: 'commands',
    rule: 'operator_command',
  });
  draft.value = null;
  draft.priority = 'low';
  draft.severity = SEVERITY.low;
  draft.message = `Gateway ${identity.gatewayId}: command refused: ${reason}`;
  draft.reason.command = command;
  if (typeof command.actor === 'string') draft.actor = command.actor;
  if (typeof command.comment === 'string') draft.comment = command.comment;
  if (typeof command.command_id === 'string') draft.command_id = command.command_id;
  return draft;
}

/**
 * Reports a buffer found corrupt at start: events that waited in it may not
 * arrive; seq continues above every number issued (see buffer/high-water.ts).
 */
export function bufferReplacedDraft(
  identity: GatewayIdentity,
  recovery: Recovery,
  now: number,
  newId: () => string,
): AlarmEventDraft {
  const text = `the buffer was corrupt (${recovery.problem}) and was replaced by a fresh one; the old file is ${recovery.movedTo}; events that waited in it are missing unless exported from it; the highest seq still readable in it is ${recovery.salvagedLastSeq}, and seq continues above every number issued`;
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
  // Lost and corrupt events were not dropped by the policy, and lost ones have no priority any more.
  const { lost, corrupt, refused, ...byPolicy } = tally.byCause;
  const why =
    [
      ...(Object.keys(byPolicy).length > 0 ? [`by policy ${policy}`] : []),
      ...(lost ? [`${lost} lost with the buffer file`] : []),
      ...(corrupt ? [`${corrupt} failed their checksum and wait as dead letters`] : []),
      ...(refused
        ? [`${refused} transitions decided while the buffer refused commits were never decided again`]
        : []),
    ].join('; ') || `by policy ${policy}`;
  const range = tally.lastSeq > 0 ? `, seq ${tally.firstSeq}..${tally.lastSeq}` : '';
  const text = `the buffer dropped ${tally.count} events${priorities ? ` (${priorities})` : ''}${range}, ${why}`;
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
