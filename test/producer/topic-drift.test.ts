import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configDrift, describeDrift, metadataDrift } from '../../src/producer/topic-drift.ts';

const spec = { topic: 't', partitions: 3, replicationFactor: 3, configs: { 'retention.ms': '604800000' } };

test('matching partitions and replication are no drift; unset replication is not compared', () => {
  assert.deepEqual(metadataDrift(spec, { partitions: 3, replicationFactor: 3 }), []);
  assert.deepEqual(metadataDrift({ topic: 't', partitions: 3 }, { partitions: 3, replicationFactor: 1 }), []);
});

test('fewer or more partitions and another replication factor are drift', () => {
  assert.deepEqual(metadataDrift(spec, { partitions: 2, replicationFactor: 1 }), [
    { kind: 'partitions', actual: 2, wanted: 3 },
    { kind: 'replication', actual: 1, wanted: 3 },
  ]);
  assert.deepEqual(metadataDrift(spec, { partitions: 6, replicationFactor: 3 }), [
    { kind: 'partitions', actual: 6, wanted: 3 },
  ]);
});

test('configs differ by value, by absence, but not by the order of a list', () => {
  assert.deepEqual(configDrift(spec, { 'retention.ms': '604800000' }), []);
  assert.deepEqual(configDrift(spec, { 'retention.ms': '86400000' }), [
    { kind: 'config', name: 'retention.ms', actual: '86400000', wanted: '604800000' },
  ]);
  assert.deepEqual(configDrift(spec, {}), [
    { kind: 'config', name: 'retention.ms', actual: undefined, wanted: '604800000' },
  ]);
  const policy = { topic: 't', partitions: 1, configs: { 'cleanup.policy': 'compact,delete' } };
  assert.deepEqual(configDrift(policy, { 'cleanup.policy': 'delete, compact' }), []);
  assert.equal(configDrift(policy, { 'cleanup.policy': 'delete' }).length, 1);
  assert.deepEqual(configDrift({ topic: 't', partitions: 1 }, { 'retention.ms': '1' }), []);
});

test('each difference says what the broker has, what the site file says and what to do', () => {
  assert.equal(
    describeDrift('t', { kind: 'partitions', actual: 2, wanted: 3 }),
    'partitions: 2 on the broker, 3 in the site file (add them with `gateway topics ensure --increase-partitions`; keys then map to other partitions)',
  );
  assert.match(
    describeDrift('t', { kind: 'partitions', actual: 6, wanted: 3 }),
    /Kafka cannot remove partitions: set partitions: 6 in the site file/,
  );
  assert.match(
    describeDrift('t', { kind: 'replication', actual: 1, wanted: 3 }),
    /kafka-reassign-partitions/,
  );
  assert.equal(
    describeDrift('t', { kind: 'config', name: 'retention.ms', actual: undefined, wanted: '5' }),
    'retention.ms: not set on the broker, 5 in the site file (kafka-configs --alter --entity-type topics --entity-name t --add-config retention.ms=5)',
  );
});
