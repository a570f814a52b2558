/** Which topics and which sign-in the site file asks for. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SiteFile } from '../../src/config/schema.ts';
import { brokerConnection } from '../../src/producer/connection.ts';
import { eventsTopic, gatewayTopics, resolveCommandTopic } from '../../src/producer/topics.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { tempDir } from '../harness/fixtures.ts';

const site = (kafka: NonNullable<SiteFile['gateway']['kafka']>): SiteFile => ({
  site: 's',
  gateway: { id: 'gw-1', kafka },
  devices: [],
});
const silent = createLogger('silent');

test('the events topic takes its name, partitions, replication and configs (as text) from the site file', () => {
  assert.deepEqual(eventsTopic(site({})), { topic: 'iiot.alarms.v1', partitions: 3 });
  assert.deepEqual(
    eventsTopic(
      site({
        topic: 'alarms',
        partitions: 6,
        replication_factor: 3,
        topic_config: {
          'retention.ms': 604800000,
          'cleanup.policy': 'delete',
          'unclean.leader.election.enable': false,
        },
      }),
    ),
    {
      topic: 'alarms',
      partitions: 6,
      replicationFactor: 3,
      configs: {
        'retention.ms': '604800000',
        'cleanup.policy': 'delete',
        'unclean.leader.election.enable': 'false',
      },
    },
  );
  assert.deepEqual(
    gatewayTopics(site({ topic: 'alarms' })).map((spec) => spec.topic),
    ['alarms'],
  );
});

test('the gateway signs in as itself; provisioning replaces SASL and overrides single TLS keys', () => {
  const temp = tempDir();
  try {
    const file = (name: string, text: string) => {
      const path = join(temp.dir, name);
      writeFileSync(path, text);
      return path;
    };
    const config = site({
      brokers: ['k:9093'],
      sasl: { mechanism: 'scram-sha-512', username: 'gateway', password: { env: 'GW_PASS' } },
      tls: { ca_file: file('ca.pem', 'CA'), server_name: 'kafka.plant' },
      provisioning: {
        sasl: { mechanism: 'scram-sha-512', username: 'provisioner', password: { env: 'PROV_PASS' } },
      },
    });
    const env = { GW_PASS: 'gw-secret', PROV_PASS: 'prov-secret' };
    const gateway = brokerConnection(config, env, silent);
    assert.equal(gateway.clientId, 'edge-alarm-gateway-gw-1');
    assert.deepEqual(gateway.sasl, {
      mechanism: 'scram-sha-512',
      username: 'gateway',
      password: 'gw-secret',
    });
    assert.deepEqual(gateway.tls, { ca: 'CA', servername: 'kafka.plant' });
    const provisioning = brokerConnection(config, env, silent, 'provisioning');
    assert.equal(provisioning.sasl?.username, 'provisioner');
    assert.equal(provisioning.sasl?.password, 'prov-secret');
    assert.deepEqual(provisioning.tls, { ca: 'CA', servername: 'kafka.plant' });
    // Without a provisioning block, topics ensure signs in as the gateway.
    assert.equal(
      brokerConnection(site({ sasl: config.gateway.kafka?.sasl }), env, silent, 'provisioning').sasl
        ?.username,
      'gateway',
    );
  } finally {
    temp.remove();
  }
});

test('the command topic is a gateway topic when the site file reads commands: one partition, replicated like the events', () => {
  const withCommands = (commands: SiteFile['gateway']['commands'], kafka = {}): SiteFile => ({
    ...site(kafka),
    gateway: { id: 'gw-1', kafka, commands },
  });
  assert.deepEqual(
    gatewayTopics(withCommands({}, { replication_factor: 3 })).map(
      ({ topic, partitions, replicationFactor }) => [topic, partitions, replicationFactor],
    ),
    [
      ['iiot.alarms.v1', 3, 3],
      ['iiot.alarm-commands.v1', 1, 3],
    ],
  );
  assert.deepEqual(resolveCommandTopic(withCommands({})), {
    topic: 'iiot.alarm-commands.v1',
    groupId: 'edge-alarm-gateway-gw-1-commands',
  });
  assert.deepEqual(resolveCommandTopic(withCommands({ topic: 'cmds', group_id: 'g' }, { client_id: 'c' })), {
    topic: 'cmds',
    groupId: 'g',
  });
  assert.equal(resolveCommandTopic(withCommands({}, { client_id: 'c' }))?.groupId, 'c-commands');
  assert.equal(resolveCommandTopic(withCommands({ enabled: false })), undefined);
  assert.equal(resolveCommandTopic(site({})), undefined);
  assert.deepEqual(
    gatewayTopics(withCommands({ enabled: false })).map((spec) => spec.topic),
    ['iiot.alarms.v1'],
  );
});
