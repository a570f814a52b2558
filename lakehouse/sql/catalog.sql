-- The Iceberg catalog and the tables the jobs write: one definition of each
-- table, run before every job (CREATE ... IF NOT EXISTS). The default catalog
-- is Iceberg's Hadoop catalog on a directory (the warehouse); on a cluster,
-- point ${WAREHOUSE} at a shared file system or object store every
-- TaskManager reaches, or swap the catalog for a REST/Hive/Glue one: the
-- tables and jobs stay as they are.

CREATE CATALOG lake WITH (
  'type' = 'iceberg',
  'catalog-type' = 'hadoop',
  'warehouse' = '${WAREHOUSE}'
);

CREATE DATABASE IF NOT EXISTS lake.iiot;

-- Every alarm transition, once. Partitioned by site and by the UTC date of
-- source_time, so a backlog drained after an outage lands in the day it
-- happened. Append-only: duplicates are dropped by the jobs before they get
-- here (see alarm_events.sql), which keeps the table readable by any Iceberg
-- reader and free of delete files. Hash distribution sends each partition's
-- rows to one writer: fewer files, and no rows lost when a bounded streaming
-- job ends (a writer that finishes first could otherwise leave its last files
-- uncommitted).
CREATE TABLE IF NOT EXISTS lake.iiot.alarm_events (
  event_id      STRING NOT NULL,
  `schema`      STRING,
  gateway_id    STRING,
  seq           BIGINT,
  site          STRING NOT NULL,
  area          STRING,
  line          STRING,
  asset         STRING,
  device        STRING,
  point         STRING,
  alarm         STRING,
  condition_id  STRING,
  kind          STRING,
  transition    STRING,
  state         ROW<active BOOLEAN, acked BOOLEAN, latched BOOLEAN, shelved BOOLEAN, suppressed BOOLEAN,
                    out_of_service BOOLEAN, `level` STRING, isa_state STRING, confirmed BOOLEAN>,
  priority      STRING,
  severity      INT,
  `value`       STRING,
  unit          STRING,
  quality       STRING,
  `limit`       DOUBLE,
  deadband      DOUBLE,
  source_time   TIMESTAMP_LTZ(3),
  gateway_time  TIMESTAMP_LTZ(3),
  event_date    STRING NOT NULL,
  message       STRING,
  reason        STRING,
  actor         STRING,
  `comment`     STRING,
  command_id    STRING,
  record_key    STRING,
  kafka_topic   STRING,
  kafka_partition INT,
  kafka_offset  BIGINT,
  landed_at     TIMESTAMP_LTZ(3)
) PARTITIONED BY (site, event_date) WITH (
  'format-version' = '2',
  'write.format.default' = 'parquet',
  'write.distribution-mode' = 'hash',
  'write.target-file-size-bytes' = '134217728',
  'write.parquet.compression-codec' = 'zstd',
  'write.metadata.delete-after-commit.enabled' = 'true',
  'write.metadata.previous-versions-max' = '100'
);

-- The alarms that are not over (active, unacknowledged, latched, shelved or
-- out of service): one row per condition, the latest event of each. An upsert
-- table keyed by condition_id: a newer event replaces the row, a tombstone on
-- the state topic deletes it.
CREATE TABLE IF NOT EXISTS lake.iiot.alarm_state (
  condition_id  STRING NOT NULL,
  site          STRING,
  area          STRING,
  line          STRING,
  asset         STRING,
  point         STRING,
  alarm         STRING,
  kind          STRING,
  transition    STRING,
  state         ROW<active BOOLEAN, acked BOOLEAN, latched BOOLEAN, shelved BOOLEAN, suppressed BOOLEAN,
                    out_of_service BOOLEAN, `level` STRING, isa_state STRING, confirmed BOOLEAN>,
  priority      STRING,
  `value`       STRING,
  unit          STRING,
  message       STRING,
  event_id      STRING,
  seq           BIGINT,
  gateway_id    STRING,
  source_time   TIMESTAMP_LTZ(3),
  PRIMARY KEY (condition_id) NOT ENFORCED
) WITH (
  'format-version' = '2',
  'write.upsert.enabled' = 'true',
  'write.parquet.compression-codec' = 'zstd',
  'write.metadata.delete-after-commit.enabled' = 'true',
  'write.metadata.previous-versions-max' = '100'
);

-- Alarm performance (ISA-18.2 / EEMUA 191), per site and area, computed by
-- alarm_kpis.sql from alarm_events by source_time: a late event lands in the
-- window and day it happened. Each run replaces the days it computes.

-- Annunciated alarms (raise transitions of process alarms) per 10 minutes.
-- Windows without an alarm have no row.
CREATE TABLE IF NOT EXISTS lake.iiot.alarm_kpi_windows (
  site          STRING NOT NULL,
  area          STRING NOT NULL,
  window_start  TIMESTAMP_LTZ(3) NOT NULL,
  event_date    STRING NOT NULL,
  alarms        BIGINT,
  flood         BOOLEAN          -- more than 10 alarms in the window
) PARTITIONED BY (event_date) WITH ('format-version' = '2');

-- One row per site, area and UTC day.
CREATE TABLE IF NOT EXISTS lake.iiot.alarm_kpi_daily (
  site              STRING NOT NULL,
  area              STRING NOT NULL,
  event_date        STRING NOT NULL,
  alarms            BIGINT,      -- annunciated alarms
  avg_per_10min     DOUBLE,      -- alarms / 144
  peak_10min        BIGINT,      -- the busiest 10-minute window
  flood_windows     BIGINT,      -- windows with more than 10 alarms
  flood_share       DOUBLE,      -- flood_windows / 144
  top10_share       DOUBLE,      -- share of the day's alarms from its 10 most frequent alarms
  chattering        BIGINT,      -- alarms raised 3 or more times within 60 s
  standing          BIGINT,      -- alarms active for more than 24 h at the end of the day
  critical          BIGINT,      -- annunciated alarms by priority
  high              BIGINT,
  medium            BIGINT,
  low               BIGINT,
  diagnostic        BIGINT,
  shelved           BIGINT,      -- shelve transitions
  suppressed        BIGINT,      -- suppress transitions
  out_of_service    BIGINT       -- out_of_service transitions
) PARTITIONED BY (event_date) WITH ('format-version' = '2');

-- The most frequent alarms of each site, area and day (rank 1 to 10).
CREATE TABLE IF NOT EXISTS lake.iiot.alarm_kpi_top (
  site          STRING NOT NULL,
  area          STRING NOT NULL,
  event_date    STRING NOT NULL,
  `rank`        INT NOT NULL,
  condition_id  STRING NOT NULL,
  priority      STRING,
  alarms        BIGINT,
  share         DOUBLE           -- of the day's alarms of the site and area
) PARTITIONED BY (event_date) WITH ('format-version' = '2');

-- Acknowledgement time per priority: from an alarm's raise to its ack.
CREATE TABLE IF NOT EXISTS lake.iiot.alarm_kpi_ack (
  site          STRING NOT NULL,
  area          STRING NOT NULL,
  event_date    STRING NOT NULL, -- the day of the ack
  priority      STRING NOT NULL,
  acks          BIGINT,
  avg_ack_s     DOUBLE,
  max_ack_s     DOUBLE
) PARTITIONED BY (event_date) WITH ('format-version' = '2');
