/**
 * Bodies the listener will not read: a refusal (no token, actions off, too
 * large) is answered at once and the connection closed, instead of taking in
 * what a sender still streams. Measured in body bytes the sender got rid of,
 * not in time: closing stops the flow after what the sockets' buffers hold.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_BODY_BYTES } from '../../src/telemetry/listener-limits.ts';
import { RecordingSink } from '../operator/fixtures.ts';
import { type StartedListener, startListener } from './listener-fixture.ts';
import { exchange, streamBody } from './raw-http.ts';

const TOKEN = 'body-test-token';
const HUGE = 100 * 1024 * 1024;
/** Far below the whole body, far above what loopback socket buffers hold. */
const MOST_ACCEPTED = HUGE / 4;

const head = (headers: Record<string, string>, target = '/api/commands', method = 'POST') =>
  `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

const JSON_TYPE = { 'content-type': 'application/json' };

describe('a body the listener refuses', () => {
  let started: StartedListener;
  let disabled: StartedListener;
  before(async () => {
    started = await startListener({ token: TOKEN, commands: new RecordingSink() });
    disabled = await startListener();
  });
  after(async () => {
    await started.listener.stop();
    await disabled.listener.stop();
  });

  async function assertRefusedAndClosed(port: number, request: string, status: number) {
    const streamed = await streamBody(port, request, HUGE);
    assert.equal(streamed.answer?.status, status);
    assert.equal(streamed.answer?.headers.connection, 'close');
    assert.ok(streamed.closedByListener, 'the listener closed the connection');
    assert.ok(
      streamed.bodyBytesWritten < MOST_ACCEPTED,
      `${streamed.bodyBytesWritten} of ${HUGE} body bytes went out before the close`,
    );
  }

  test('without a token: 401, and the 100 MB body is not read', async () => {
    await assertRefusedAndClosed(started.port, head({ ...JSON_TYPE, 'content-length': String(HUGE) }), 401);
  });

  test('with actions off: 403, and the body is not read', async () => {
    await assertRefusedAndClosed(
      disabled.port,
      head({ ...JSON_TYPE, authorization: `Bearer ${TOKEN}`, 'content-length': String(HUGE) }),
      403,
    );
  });

  test('a Content-Length over the limit: 413 before any of it is read', async () => {
    await assertRefusedAndClosed(
      started.port,
      head({ ...JSON_TYPE, authorization: `Bearer ${TOKEN}`, 'content-length': String(HUGE) }),
      413,
    );
  });

  test('a chunked body that passes the limit: 413 as soon as it does', async () => {
    // One endless chunk: the listener counts its bytes as they come.
    const chunkHeader = `${HUGE.toString(16)}\r\n`;
    await assertRefusedAndClosed(
      started.port,
      head({ ...JSON_TYPE, authorization: `Bearer ${TOKEN}`, 'transfer-encoding': 'chunked' }) + chunkHeader,
      413,
    );
  });

  test('a body on a route that reads none: answered, and the connection closed', async () => {
    await assertRefusedAndClosed(
      started.port,
      head({ 'content-length': String(HUGE) }, '/healthz', 'GET'),
      200,
    );
  });

  test('a body within the limit is read and answered, and the connection stays open', async () => {
    const body = JSON.stringify({ action: 'ack', condition_id: 'a/b/c/d/e/f', actor: 'jane' });
    assert.ok(body.length < MAX_BODY_BYTES);
    const { answer, closed } = await exchange(
      started.port,
      head({ ...JSON_TYPE, authorization: `Bearer ${TOKEN}`, 'content-length': String(body.length) }) + body,
    );
    assert.equal(answer?.status, 200);
    assert.notEqual(answer?.headers.connection, 'close');
    assert.equal(closed, false, 'the answer came before any close');
  });
});
