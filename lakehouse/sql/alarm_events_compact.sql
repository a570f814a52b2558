-- Batch maintenance of lake.iiot.alarm_events for the days from
-- ${COMPACT_SINCE} on: rewrites each of those partitions as few large files
-- (a streaming job writes a file per partition and writer at every checkpoint)
-- and drops a twin that reached the table after the events job's dedupe
-- window (a resend later than its state TTL), keeping the first landed row.
--
-- Run it while the streaming events job is stopped: Iceberg's partition
-- overwrite does not check for files appended meanwhile, and would drop rows
-- a running job committed to these days during the rewrite.

INSERT OVERWRITE lake.iiot.alarm_events
SELECT event_id, `schema`, gateway_id, seq, site, area, line, asset, device, point, alarm, condition_id,
       kind, transition, state, priority, severity, `value`, unit, quality, `limit`, deadband,
       source_time, gateway_time, event_date, message, reason, actor, `comment`, command_id,
       record_key, kafka_topic, kafka_partition, kafka_offset, landed_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY landed_at, kafka_topic, kafka_offset) AS first_landed
  FROM lake.iiot.alarm_events
  WHERE event_date >= '${COMPACT_SINCE}'
)
WHERE first_landed = 1;
