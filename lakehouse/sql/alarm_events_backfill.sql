-- Batch: the event topics from their earliest to their latest offset into
-- lake.iiot.alarm_events, adding only the event_ids the table lacks. Safe to
-- run again (a batch run commits no Kafka offsets and re-reads everything)
-- and beside the streaming job's output: what is already landed is not
-- written twice. The anti-join reads the event_id column of the days the
-- topics still hold, not the whole table.

INSERT INTO lake.iiot.alarm_events
SELECT e.event_id, e.`schema`, e.gateway_id, e.seq, e.site, e.area, e.line, e.asset, e.device, e.point,
       e.alarm, e.condition_id, e.kind, e.transition, e.state, e.priority, e.severity, e.`value`, e.unit,
       e.quality, e.`limit`, e.deadband, e.source_time, e.gateway_time, e.event_date, e.message, e.reason,
       e.actor, e.`comment`, e.command_id, e.record_key, e.kafka_topic, e.kafka_partition, e.kafka_offset,
       CURRENT_TIMESTAMP AS landed_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY kafka_topic, kafka_partition, kafka_offset)
         AS first_seen
  FROM kafka_alarm_events
) AS e
LEFT JOIN lake.iiot.alarm_events AS landed
  ON landed.event_id = e.event_id AND landed.site = e.site AND landed.event_date = e.event_date
WHERE e.first_seen = 1 AND landed.event_id IS NULL;
