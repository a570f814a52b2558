/** The broker probe against the real broker: what it finds, and how it says what failed without throwing. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { SiteFile } from '../../src/config/schema.ts';
import { probeBroker } from '../../src/producer/broker-probe.ts';
import { createTopic, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';

let brokers: string;
const site = (kafka: NonNullable<SiteFile['gateway']['kafka']>): SiteFile => ({
  site: 's',
  gateway: { id: 'gw-1', kafka },
  devices: [],
});

before(async () => {
  brokers = await sharedBrokers();
});

test('a reachable broker: the cluster, the principal and which topics exist', async () => {
  const present = uniqueTopic('probe');
  await createTopic(brokers, present, 2);
  const result = await probeBroker(site({ brokers: brokers.split(','), topic: present }), { env: {} });
  assert.equal(result.ok, true, result.summary);
  assert.equal(result.security, 'PLAINTEXT');
  assert.equal(result.principal, 'User:ANONYMOUS');
  assert.equal(result.cluster?.brokers, 1);
  assert.deepEqual(result.topics, [{ topic: present, status: 'present', partitions: 2 }]);

  const absent = uniqueTopic('probe-absent');
  const missing = await probeBroker(site({ brokers: brokers.split(','), topic: absent }), { env: {} });
  assert.equal(missing.ok, true);
  assert.deepEqual(missing.topics, [{ topic: absent, status: 'missing' }]);
  assert.match(missing.summary, new RegExp(`over PLAINTEXT as User:ANONYMOUS; ${absent} missing`));
});

test('an unreachable broker is PRODUCER_CONNECT; a secret that cannot be read is PRODUCER_SECRET; neither throws', async () => {
  const down = await probeBroker(site({ brokers: ['127.0.0.1:1'] }), { env: {} });
  assert.equal(down.ok, false);
  assert.equal(down.code, 'PRODUCER_CONNECT');
  assert.match(down.summary, /^\[producer\] PRODUCER_CONNECT: .*127\.0\.0\.1:1/);

  const noSecret = await probeBroker(
    site({
      brokers: brokers.split(','),
      sasl: { mechanism: 'plain', username: 'gw', password: { env: 'NOT_SET' } },
      tls: {},
    }),
    { env: {} },
  );
  assert.equal(noSecret.ok, false);
  assert.equal(noSecret.code, 'PRODUCER_SECRET');
  assert.equal(noSecret.security, 'SASL_SSL');
  assert.match(noSecret.summary, /NOT_SET is not set/);
});
