-- Streaming: the compacted state topic into lake.iiot.alarm_state, the table
-- of current alarms. Each record replaces the row of its condition_id; a
-- tombstone (the alarm is over) deletes it. Iceberg writes an equality delete
-- for every replaced or deleted row; the table stays small (one row per
-- condition not over), so rewrite its files now and then (docs/lakehouse.md).

INSERT INTO lake.iiot.alarm_state
SELECT condition_id, site, area, line, asset, point, alarm, kind, transition, state, priority, `value`,
       unit, message, event_id, seq, gateway_id, source_time
FROM kafka_alarm_state;
