/** Which request targets the listener serves, and by which path. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequestTarget } from '../../src/telemetry/request-target.ts';

test('a path is served by its path and query; the Host header names the host', () => {
  const target = parseRequestTarget('/api/loglevel?component=adapter&level=debug');
  assert.equal(target?.url.pathname, '/api/loglevel');
  assert.equal(target?.url.searchParams.get('level'), 'debug');
  assert.equal(target?.authority, undefined);
  assert.equal(parseRequestTarget('/a/../healthz')?.url.pathname, '/healthz');
  assert.equal(parseRequestTarget('/[x]')?.url.pathname, '/[x]');
});

test('an http URL is served by its path, and names the host itself', () => {
  const target = parseRequestTarget('HTTP://[::1]:9330/metrics');
  assert.equal(target?.url.pathname, '/metrics');
  assert.equal(target?.authority, '[::1]:9330');
});

test('anything else is no target the listener serves', () => {
  for (const target of [
    '',
    '*',
    'metrics',
    'localhost:9330',
    'ftp://127.0.0.1/metrics',
    '//[',
    '//x:99999/',
    '//%',
    '//@/',
    '//metrics',
    '/\\\\host/metrics',
    '/%',
    '/a%2g',
    'http://[',
    'http://',
    'http://x:99999/',
    'http://%/',
    'http://127.0.0.1//metrics',
  ]) {
    assert.equal(parseRequestTarget(target), undefined, JSON.stringify(target));
  }
});
