-- Batch: rebuilds lake.iiot.alarm_state from lake.iiot.alarm_events, for a
-- first load or when the state topic is not configured or has lost history:
-- the latest event of each alarm, kept only while the alarm is not over
-- (active, unacknowledged, latched, shelved or out of service), the same rule
-- by which the gateway writes a tombstone to its state topic. The whole table
-- is replaced; the upsert mode is off for this statement because Iceberg
-- cannot overwrite and upsert at once.

INSERT OVERWRITE lake.iiot.alarm_state /*+ OPTIONS('upsert-enabled' = 'false') */
SELECT condition_id, site, area, line, asset, point, alarm, kind, transition, state, priority, `value`,
       unit, message, event_id, seq, gateway_id, source_time
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY condition_id ORDER BY source_time DESC, seq DESC) AS latest
  FROM lake.iiot.alarm_events
  WHERE kind <> 'system'
)
WHERE latest = 1
  AND NOT (state.active = FALSE AND state.acked = TRUE AND state.latched IS NOT TRUE
           AND state.shelved IS NOT TRUE AND state.out_of_service IS NOT TRUE);
