-- Streaming: every event topic into lake.iiot.alarm_events, each event_id once.
--
-- The gateway delivers at least once: after a crash or a lost acknowledgement
-- it sends the same record again, usually within seconds of the original and
-- at worst when it comes back from an outage. The job keeps the first row of
-- each event_id in its state for ${DEDUPE_TTL} and drops the later ones
-- (keep-first-row on processing time, which Flink emits as append-only rows,
-- so the table needs no delete files). The state is one entry per event_id
-- held (measured: 3.8 MB of savepoint per 100,000); it is checkpointed, so a
-- restarted job still knows what it landed. A resend later than the TTL lands twice: pick a TTL longer than the
-- gateway's longest outage (its buffer holds events up to max_age_ms, 30 days
-- by default) or let the compact job (alarm_events_compact.sql) remove such late twins.
-- An event-time window would drop a late backlog instead, and ordering by seq
-- keeps every event_id in state forever.

SET 'table.exec.state.ttl' = '${DEDUPE_TTL}';

INSERT INTO lake.iiot.alarm_events
SELECT event_id, `schema`, gateway_id, seq, site, area, line, asset, device, point, alarm, condition_id,
       kind, transition, state, priority, severity, `value`, unit, quality, `limit`, deadband,
       source_time, gateway_time, event_date, message, reason, actor, `comment`, command_id,
       record_key, kafka_topic, kafka_partition, kafka_offset, CURRENT_TIMESTAMP AS landed_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY proc_time ASC) AS first_seen
  FROM kafka_alarm_events
)
WHERE first_seen = 1;
