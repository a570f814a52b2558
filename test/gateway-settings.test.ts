import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SiteFile } from '../src/config/schema.ts';
import { resolveBrokers } from '../src/producer/connection.ts';
import { resolveBufferPath } from '../src/system/state-paths.ts';

const site = (gateway: SiteFile['gateway']): SiteFile => ({ site: 's', gateway, devices: [] });

test('KAFKA_BROKERS overrides the site file, which overrides the default', () => {
  const withBrokers = site({ id: 'g', kafka: { brokers: ['a:1', 'b:2'] } });
  assert.deepEqual(resolveBrokers(withBrokers, {}), ['a:1', 'b:2']);
  assert.deepEqual(resolveBrokers(withBrokers, { KAFKA_BROKERS: ' x:9 , y:8 ,' }), ['x:9', 'y:8']);
  assert.deepEqual(resolveBrokers(withBrokers, { KAFKA_BROKERS: '' }), ['a:1', 'b:2']);
  assert.deepEqual(resolveBrokers(site({ id: 'g' }), {}), ['127.0.0.1:9092']);
});

test('the buffer lives in STATE_DIRECTORY, else the site state_dir, else ./var', () => {
  assert.equal(
    resolveBufferPath(site({ id: 'g' }), { STATE_DIRECTORY: '/var/lib/gw:/other' }),
    '/var/lib/gw/buffer.db',
  );
  assert.equal(resolveBufferPath(site({ id: 'g', state_dir: '/srv/gw' }), {}), '/srv/gw/buffer.db');
  assert.match(resolveBufferPath(site({ id: 'g' }), {}), /\/var\/buffer\.db$/);
  assert.equal(resolveBufferPath(site({ id: 'g', buffer: { path: '/data/b.db' } }), {}), '/data/b.db');
});
