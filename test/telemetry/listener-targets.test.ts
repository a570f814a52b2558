/**
 * Request lines no browser sends, written byte for byte on a raw socket: a
 * target that is not a plain path (or an http URL) is answered 400, a target
 * in absolute form is served like its path, and the listener answers
 * /healthz after each one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type StartedListener, startListener } from './listener-fixture.ts';
import { exchange } from './raw-http.ts';
import { escapedFailures } from './unhandled.ts';

const HOSTILE_TARGETS = [
  '//[',
  'http://[',
  '//x:99999/',
  '//%',
  '//@/',
  'http://x:99999/metrics',
  'http://%/healthz',
  'https://[::1/healthz',
  'http://',
  '*',
  '//metrics',
  'http://127.0.0.1//metrics',
  '/\\host/metrics',
  '/%',
  '/a%2',
  '/%zz?x=1',
];

/** Targets Node's HTTP parser refuses itself, before the listener sees them. */
const UNPARSEABLE_TARGETS = ['metrics', 'localhost:9330', '/a\tb', '/\u0000'];

describe('request targets the listener cannot parse', () => {
  let started: StartedListener;
  const escaped = escapedFailures();
  before(async () => {
    started = await startListener();
  });
  after(async () => {
    escaped.stop();
    await started.listener.stop();
  });

  const get = (target: string, host = '127.0.0.1') =>
    exchange(started.port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);

  test('each is answered 400 and the listener goes on answering /healthz', async () => {
    for (const target of HOSTILE_TARGETS) {
      const { answer } = await get(target);
      assert.equal(answer?.status, 400, `GET ${target}`);
      assert.match(answer?.body ?? '', /request target/, `GET ${target} says why`);
      assert.equal((await get('/healthz')).answer?.status, 200, `alive after GET ${target}`);
    }
    assert.deepEqual(escaped.failures, []);
  });

  test("those Node's HTTP parser refuses are answered 400 by it, and the listener lives on", async () => {
    for (const target of UNPARSEABLE_TARGETS) {
      assert.equal((await get(target)).answer?.status, 400, `GET ${JSON.stringify(target)}`);
    }
    assert.equal((await get('/healthz')).answer?.status, 200);
  });

  test('a path that only looks odd is a path: 404', async () => {
    for (const target of ['/[', '/a%20b', '/x:99999/', '/@/', '/a?%', `/${'a'.repeat(8000)}`]) {
      assert.equal((await get(target)).answer?.status, 404, `GET ${target}`);
    }
    assert.deepEqual(escaped.failures, []);
  });

  test('an absolute-form target is served by its path, and its host is the one checked', async () => {
    assert.equal((await get('http://127.0.0.1/healthz')).answer?.status, 200);
    assert.equal((await get('HTTP://[::1]:9330/api/status?x=1')).answer?.status, 200);
    assert.equal(
      (await get('http://attacker.example/api/status')).answer?.status,
      403,
      'the Host header is not what counts when the target names a host',
    );
  });
});
