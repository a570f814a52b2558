-- The gateway's topics as Flink tables. ${EVENT_TOPICS} lists every topic the
-- gateway writes events to (the default topic and each route's topic,
-- separated by semicolons); ${STATE_TOPIC} is its compacted state topic.
--
-- The record key (the asset path by default) is read with the raw key format;
-- the Kafka connector has no 'key' metadata column. The headers carry
-- content-type: the JSON format reads application/json values; a gateway that
-- writes Protobuf needs the Protobuf format instead (docs/lakehouse.md).
-- Offsets: a streaming job starts from the group's committed offsets (the
-- earliest on its first run) and commits them on each checkpoint; a batch
-- backfill reads from the earliest to the latest offset at its start.

CREATE TEMPORARY TABLE kafka_alarm_events (
  record_key    STRING,
  event_id      STRING,
  `schema`      STRING,
  gateway_id    STRING,
  seq           BIGINT,
  site          STRING,
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
  `value`       STRING,        -- a number or a boolean as text, as the gateway sent it
  unit          STRING,
  quality       STRING,
  `limit`       DOUBLE,
  deadband      DOUBLE,
  source_time   TIMESTAMP_LTZ(3),
  gateway_time  TIMESTAMP_LTZ(3),
  event_date    STRING,
  message       STRING,
  reason        STRING,        -- kept as JSON text: its fields grow within v1
  actor         STRING,
  `comment`     STRING,
  command_id    STRING,
  kafka_topic   STRING METADATA FROM 'topic' VIRTUAL,
  kafka_partition INT METADATA FROM 'partition' VIRTUAL,
  kafka_offset  BIGINT METADATA FROM 'offset' VIRTUAL,
  headers       MAP<STRING, BYTES> METADATA FROM 'headers' VIRTUAL,
  proc_time AS PROCTIME()
) WITH (
  'connector' = 'kafka',
  'topic' = '${EVENT_TOPICS}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.group.id' = '${GROUP_ID}',
  'properties.auto.offset.reset' = 'earliest',
  'properties.partition.discovery.interval.ms' = '60000',
  'scan.startup.mode' = '${SCAN_STARTUP_MODE}',
  'scan.bounded.mode' = '${SCAN_BOUNDED_MODE}',
  'key.format' = 'raw',
  'key.fields' = 'record_key',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY',
  'value.json.timestamp-format.standard' = 'ISO-8601',
  'value.json.fail-on-missing-field' = 'false',
  'value.json.ignore-parse-errors' = 'false'
);

-- The compacted state topic, keyed by condition_id: the latest event of each
-- alarm that is not over, a tombstone (null value) once it is. upsert-kafka
-- reads a tombstone as the deletion of its key.
CREATE TEMPORARY TABLE kafka_alarm_state (
  condition_id  STRING,
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
  'connector' = 'upsert-kafka',
  'topic' = '${STATE_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.group.id' = '${GROUP_ID}',
  'scan.bounded.mode' = '${SCAN_BOUNDED_MODE}',
  'key.format' = 'raw',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY',
  'value.json.timestamp-format.standard' = 'ISO-8601',
  'value.json.fail-on-missing-field' = 'false'
);
