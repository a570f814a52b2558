-- Batch: alarm performance KPIs (ISA-18.2 / EEMUA 191) from lake.iiot.alarm_events
-- into alarm_kpi_windows, alarm_kpi_daily, alarm_kpi_top and alarm_kpi_ack, per
-- site, area and UTC day (catalog.sql has their columns).
--
-- Time is source_time, when the alarm happened at the plant, not when it
-- reached Kafka or the lake: a backlog a gateway drains after an outage, or
-- any late event, lands in the 10-minute window and the day it happened. The
-- day is event_date, which the gateway sets to the UTC date of source_time
-- (docs/event-contract.md); it is also the partition column of alarm_events,
-- so filters on it skip whole partitions. The session time zone is set to UTC
-- because window boundaries, DATE_FORMAT and UNIX_TIMESTAMP follow it.
--
-- What runs: each KPI table gets INSERT OVERWRITE, which the Iceberg sink
-- performs as a dynamic partition overwrite (batch mode only): the event_date
-- partitions the run produces rows for are replaced, every other day is kept
-- as it is. Output is restricted to event_date >= ${KPI_SINCE} (default
-- 0000-01-01, everything), so a nightly run with KPI_SINCE = yesterday
-- recomputes yesterday and today and leaves the rest alone, and a rerun gives
-- the same rows (idempotent). Inputs are not restricted the same way: a
-- standing alarm, an ack or a chattering burst at the start of a day needs
-- events of earlier days, so those read the whole history (only the columns
-- used; Parquet reads no others). A day whose recomputation yields no row in
-- a table (say no ack any more) keeps its old rows in that table: dynamic
-- overwrite cannot replace a partition with nothing, and a run that produces
-- no row at all commits nothing. alarm_events only grows (compaction removes
-- only second copies of an event), so a day does not lose its last row of a
-- table in practice.
--
-- All four INSERTs run as one statement set: one job instead of four, and the
-- planner shares the views they have in common.
-- Flink 1.20 batch limits worked around below: LEAD in an OVER window finds
-- no batch plan, a RANGE frame of INTERVAL '60' SECOND over a timestamp fails
-- to compile, and a timestamp cannot be CAST to a number (there is no
-- PERCENTILE either, so the ack table has avg and max, no median). So time
-- arithmetic is done on epoch milliseconds (source_ms), and "the next event"
-- is a MIN over the following rows. Doubles come from CAST(... AS DOUBLE):
-- BIGINT / BIGINT is integer division in Flink SQL.

SET 'table.local-time-zone' = 'UTC';

-- Process-alarm events, each event_id once. alarm_events is already
-- deduplicated by the landing jobs, but a resend later than the streaming
-- job's dedupe TTL can land twice until alarm_events_compact.sql removes it;
-- a resent event is the same event (same fields), so DISTINCT over the
-- columns used here counts it once either way. kind 'system' events (the
-- gateway's own: events_dropped, flood_start, ... under area _gateway) are not
-- process alarms and are left out of every KPI. source_ms is source_time as
-- epoch milliseconds (UTC).
CREATE TEMPORARY VIEW kpi_events AS
SELECT event_id, site, area, condition_id, transition, priority, active, seq, source_time, event_date,
       UNIX_TIMESTAMP(DATE_FORMAT(source_time, 'yyyy-MM-dd HH:mm:ss')) * 1000
         + CAST(DATE_FORMAT(source_time, 'SSS') AS BIGINT) AS source_ms
FROM (
  SELECT DISTINCT event_id, site, COALESCE(area, '') AS area, condition_id, transition, priority,
         state.active AS active, seq, source_time, event_date
  FROM lake.iiot.alarm_events
  WHERE kind IS DISTINCT FROM 'system' AND condition_id IS NOT NULL AND source_time IS NOT NULL
);

-- Annunciated alarms: the raise transitions of process alarms (kind <> 'system').
-- Only a raise is an alarm shown to the operator; clear, ack, level_change,
-- shelve ... are not. A re-alarm (realarm) is not counted either.
CREATE TEMPORARY VIEW kpi_alarms AS
SELECT * FROM kpi_events WHERE transition = 'raise';

-- The days of each site: every event_date the site has any event on (system
-- events included: a day the gateway reported on is a day of the site). A
-- standing alarm is counted on each of them, also where its area had no
-- event. day_end_ms is the next midnight (UTC) as epoch milliseconds.
CREATE TEMPORARY VIEW kpi_site_days AS
SELECT site, event_date, UNIX_TIMESTAMP(event_date, 'yyyy-MM-dd') * 1000 + 86400000 AS day_end_ms
FROM (
  SELECT DISTINCT site, event_date FROM lake.iiot.alarm_events WHERE event_date >= '${KPI_SINCE}'
);

-- KPI alarm_kpi_windows: annunciated alarms per site, area and 10-minute
-- tumbling window of source_time, aligned on UTC (00:00, 00:10, ...); a
-- window never spans two days. flood: more than 10 alarms in the window
-- (EEMUA 191's alarm flood). Windows without an alarm have no row.
CREATE TEMPORARY VIEW kpi_windows AS
SELECT site, area, CAST(window_start AS TIMESTAMP_LTZ(3)) AS window_start, event_date, COUNT(*) AS alarms
FROM TABLE(TUMBLE(TABLE kpi_alarms, DESCRIPTOR(source_time), INTERVAL '10' MINUTES))
WHERE event_date >= '${KPI_SINCE}'
GROUP BY site, area, window_start, window_end, event_date;

-- KPI alarm_kpi_top: the 10 most frequent alarms (condition_ids) of each site,
-- area and day by annunciated alarms; equal counts are ranked by condition_id
-- ascending, so the ranks are stable from run to run. priority: that of the
-- condition's latest raise that day (by source_time, then seq); share: its
-- alarms / all annunciated alarms of the site, area and day.
CREATE TEMPORARY VIEW kpi_top AS
SELECT site, area, event_date, CAST(`rank` AS INT) AS `rank`, condition_id, priority, alarms,
       CAST(alarms AS DOUBLE) / day_alarms AS share
FROM (
  SELECT site, area, event_date, condition_id, priority, alarms,
         SUM(alarms) OVER (PARTITION BY site, area, event_date) AS day_alarms,
         ROW_NUMBER() OVER (PARTITION BY site, area, event_date ORDER BY alarms DESC, condition_id ASC) AS `rank`
  FROM (
    SELECT site, area, event_date, condition_id, priority,
           COUNT(*) OVER (PARTITION BY site, area, event_date, condition_id) AS alarms,
           ROW_NUMBER() OVER (PARTITION BY site, area, event_date, condition_id
                              ORDER BY source_ms DESC, seq DESC, event_id DESC) AS latest
    FROM kpi_alarms
    WHERE event_date >= '${KPI_SINCE}'
  )
  WHERE latest = 1
)
WHERE `rank` <= 10;

-- Chattering (for alarm_kpi_daily.chattering): a condition chatters on a day
-- when one of its raises that day, together with its raises in the 60 s
-- before it, makes 3 or more: the frame is [t - 60 s, t], both ends
-- inclusive, so raises at 10:00:00.000, 10:00:30.000 and 10:01:00.000 chatter,
-- and with the third at 10:01:00.001 they do not. Counted once per condition
-- and day however often it chatters. The frame reaches back into the day
-- before, so this reads every raise.
CREATE TEMPORARY VIEW kpi_chattering AS
SELECT site, area, event_date, COUNT(DISTINCT condition_id) AS chattering
FROM (
  SELECT site, area, event_date, condition_id,
         COUNT(*) OVER (PARTITION BY site, area, condition_id ORDER BY source_ms
                        RANGE BETWEEN 60000 PRECEDING AND CURRENT ROW) AS raises_60s
  FROM kpi_alarms
)
WHERE raises_60s >= 3 AND event_date >= '${KPI_SINCE}'
GROUP BY site, area, event_date;

-- Standing alarms (for alarm_kpi_daily.standing): at the end of a day (the
-- next midnight UTC, exclusive), a condition whose latest event before it
-- has state.active = true and whose latest raise before it is more than 24 h
-- earlier, i.e. raised before the day began and active ever since (acked,
-- shelved or out of service or not). Counted on every day of the site
-- (kpi_site_days), also days without any event of the alarm or its area.
-- Each event of a condition holds from its source_time until the next
-- event's (until_ms; NULL: still the latest); raised_ms is the latest raise
-- at or before it. Only the active spans that last beyond 24 h after their
-- raise can make a standing alarm: those few are matched with the days.
CREATE TEMPORARY VIEW kpi_standing AS
SELECT d.site, s.area, d.event_date, COUNT(*) AS standing
FROM kpi_site_days AS d
JOIN (
  SELECT * FROM (
    SELECT site, area, condition_id, active, source_ms AS from_ms,
           MIN(source_ms) OVER (PARTITION BY condition_id ORDER BY source_ms DESC, seq DESC, event_id DESC
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS until_ms,
           MAX(CASE WHEN transition = 'raise' THEN source_ms END)
             OVER (PARTITION BY condition_id ORDER BY source_ms ASC, seq ASC, event_id ASC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS raised_ms
    FROM kpi_events
  )
  WHERE active IS TRUE AND raised_ms IS NOT NULL AND (until_ms IS NULL OR until_ms - raised_ms > 86400000)
) AS s
  ON s.site = d.site
WHERE s.from_ms < d.day_end_ms
  AND (s.until_ms IS NULL OR s.until_ms >= d.day_end_ms)
  AND d.day_end_ms - s.raised_ms > 86400000
GROUP BY d.site, s.area, d.event_date;

-- Counts of the day from the events themselves (for alarm_kpi_daily):
-- annunciated alarms, those by priority, and the shelve, suppress and
-- out_of_service transitions (operator or design actions that hide alarms;
-- their reversals are not counted). Every site, area and day with any process
-- event has a row here, with zeros where nothing happened.
CREATE TEMPORARY VIEW kpi_day_counts AS
SELECT site, area, event_date,
       COUNT(CASE WHEN transition = 'raise' THEN 1 END) AS alarms,
       COUNT(CASE WHEN transition = 'raise' AND priority = 'critical' THEN 1 END) AS critical,
       COUNT(CASE WHEN transition = 'raise' AND priority = 'high' THEN 1 END) AS high,
       COUNT(CASE WHEN transition = 'raise' AND priority = 'medium' THEN 1 END) AS medium,
       COUNT(CASE WHEN transition = 'raise' AND priority = 'low' THEN 1 END) AS low,
       COUNT(CASE WHEN transition = 'raise' AND priority = 'diagnostic' THEN 1 END) AS diagnostic,
       COUNT(CASE WHEN transition = 'shelve' THEN 1 END) AS shelved,
       COUNT(CASE WHEN transition = 'suppress' THEN 1 END) AS suppressed,
       COUNT(CASE WHEN transition = 'out_of_service' THEN 1 END) AS out_of_service
FROM kpi_events
WHERE event_date >= '${KPI_SINCE}'
GROUP BY site, area, event_date;

-- KPI alarm_kpi_daily, one row per site, area and UTC day that has any process
-- event, plus the days where the area only has standing alarms:
--   alarms         annunciated alarms of the day
--   avg_per_10min  alarms / 144 (the 10-minute windows of a day)
--   peak_10min     the most alarms in one 10-minute window (0: none)
--   flood_windows  windows with more than 10 alarms; flood_share = flood_windows / 144
--   top10_share    alarms of the day's 10 most frequent conditions (alarm_kpi_top)
--                  / alarms; 0 on a day without alarms
--   chattering     conditions that chattered that day (kpi_chattering)
--   standing       standing alarms at the end of the day (kpi_standing)
--   critical .. diagnostic, shelved, suppressed, out_of_service: kpi_day_counts
CREATE TEMPORARY VIEW kpi_daily AS
SELECT k.site, k.area, k.event_date,
       COALESCE(c.alarms, 0) AS alarms,
       CAST(COALESCE(c.alarms, 0) AS DOUBLE) / 144 AS avg_per_10min,
       COALESCE(w.peak_10min, 0) AS peak_10min,
       COALESCE(w.flood_windows, 0) AS flood_windows,
       CAST(COALESCE(w.flood_windows, 0) AS DOUBLE) / 144 AS flood_share,
       CASE WHEN c.alarms > 0 THEN CAST(t.top10_alarms AS DOUBLE) / c.alarms ELSE CAST(0 AS DOUBLE) END
         AS top10_share,
       COALESCE(ch.chattering, 0) AS chattering,
       COALESCE(s.standing, 0) AS standing,
       COALESCE(c.critical, 0) AS critical,
       COALESCE(c.high, 0) AS high,
       COALESCE(c.medium, 0) AS medium,
       COALESCE(c.low, 0) AS low,
       COALESCE(c.diagnostic, 0) AS diagnostic,
       COALESCE(c.shelved, 0) AS shelved,
       COALESCE(c.suppressed, 0) AS suppressed,
       COALESCE(c.out_of_service, 0) AS out_of_service
FROM (
  SELECT site, area, event_date FROM kpi_day_counts
  UNION
  SELECT site, area, event_date FROM kpi_standing
) AS k
LEFT JOIN kpi_day_counts AS c
  ON c.site = k.site AND c.area = k.area AND c.event_date = k.event_date
LEFT JOIN (
  SELECT site, area, event_date, MAX(alarms) AS peak_10min,
         COUNT(CASE WHEN alarms > 10 THEN 1 END) AS flood_windows
  FROM kpi_windows
  GROUP BY site, area, event_date
) AS w
  ON w.site = k.site AND w.area = k.area AND w.event_date = k.event_date
LEFT JOIN (
  SELECT site, area, event_date, SUM(alarms) AS top10_alarms FROM kpi_top GROUP BY site, area, event_date
) AS t
  ON t.site = k.site AND t.area = k.area AND t.event_date = k.event_date
LEFT JOIN kpi_chattering AS ch
  ON ch.site = k.site AND ch.area = k.area AND ch.event_date = k.event_date
LEFT JOIN kpi_standing AS s
  ON s.site = k.site AND s.area = k.area AND s.event_date = k.event_date;

-- KPI alarm_kpi_ack: for each ack event, the time from the latest raise of the
-- same condition_id at or before it (same millisecond included) to the ack,
-- in seconds; per site, area, day of the ack and priority of the ack event:
-- acks, avg_ack_s, max_ack_s. An ack with no raise before it (the raise is
-- older than the table) is not counted. The raise may be days earlier, so
-- this reads every raise and ack.
CREATE TEMPORARY VIEW kpi_ack AS
SELECT site, area, event_date, priority, COUNT(*) AS acks,
       AVG(CAST(source_ms - raised_ms AS DOUBLE)) / 1000 AS avg_ack_s,
       CAST(MAX(source_ms - raised_ms) AS DOUBLE) / 1000 AS max_ack_s
FROM (
  SELECT site, area, event_date, COALESCE(priority, 'unknown') AS priority, transition, source_ms,
         MAX(CASE WHEN transition = 'raise' THEN source_ms END)
           OVER (PARTITION BY condition_id ORDER BY source_ms
                 RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS raised_ms
  FROM kpi_events
  WHERE transition IN ('raise', 'ack')
)
WHERE transition = 'ack' AND raised_ms IS NOT NULL AND event_date >= '${KPI_SINCE}'
GROUP BY site, area, event_date, priority;

EXECUTE STATEMENT SET
BEGIN
  INSERT OVERWRITE lake.iiot.alarm_kpi_windows
  SELECT site, area, window_start, event_date, alarms, alarms > 10 AS flood FROM kpi_windows;

  INSERT OVERWRITE lake.iiot.alarm_kpi_daily
  SELECT * FROM kpi_daily;

  INSERT OVERWRITE lake.iiot.alarm_kpi_top
  SELECT * FROM kpi_top;

  INSERT OVERWRITE lake.iiot.alarm_kpi_ack
  SELECT * FROM kpi_ack;
END;
