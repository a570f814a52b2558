-- Benchmark only (scripts/bench/section-lakehouse.ts): the dedupe strategy the
-- project rejected (docs/lakehouse.md, Deduplication), measured beside the
-- shipped one. An Iceberg upsert table keyed on event_id plus the partition
-- columns (Iceberg upserts need them in the key), fed by a plain INSERT: a
-- resent event replaces itself, so the job keeps no dedupe state, and every
-- write adds delete files. Same columns, partitioning and Parquet settings as
-- lake.iiot.alarm_events; no 'write.distribution-mode', as docs/lakehouse.md
-- shows it (the sink then keys rows by the primary key).

CREATE TABLE IF NOT EXISTS lake.iiot.alarm_events_upsert (
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
  landed_at     TIMESTAMP_LTZ(3),
  PRIMARY KEY (event_id, site, event_date) NOT ENFORCED
) PARTITIONED BY (site, event_date) WITH (
  'format-version' = '2',
  'write.upsert.enabled' = 'true',
  'write.format.default' = 'parquet',
  'write.target-file-size-bytes' = '134217728',
  'write.parquet.compression-codec' = 'zstd',
  'write.metadata.delete-after-commit.enabled' = 'true',
  'write.metadata.previous-versions-max' = '100'
);

INSERT INTO lake.iiot.alarm_events_upsert
SELECT event_id, `schema`, gateway_id, seq, site, area, line, asset, device, point, alarm, condition_id,
       kind, transition, state, priority, severity, `value`, unit, quality, `limit`, deadband,
       source_time, gateway_time, event_date, message, reason, actor, `comment`, command_id,
       record_key, kafka_topic, kafka_partition, kafka_offset, CURRENT_TIMESTAMP AS landed_at
FROM kafka_alarm_events;
