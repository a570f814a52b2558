/**
 * Random requests, written byte for byte on raw sockets to one real listener:
 * methods, request targets (hostile, percent-encoded, bracketed, absolute,
 * very long), Host, Authorization, Content-Type and Content-Length headers
 * that may lie, and bodies for the command endpoint. Whatever arrives, each
 * request gets a well-formed HTTP answer with a status from 200 to 599 (Node's
 * parser answers 400 itself to what is not HTTP), no failure escapes as an
 * unhandled rejection or exception, the token is never logged, and the
 * listener answers /healthz at the end.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { COMMAND_ACTIONS } from '../../src/alarms/command.ts';
import { MAX_BODY_BYTES } from '../../src/telemetry/listener-limits.ts';
import { fuzzBudget, fuzzTimeoutMs } from '../harness/fuzz.ts';
import { RecordingSink } from '../operator/fixtures.ts';
import { type StartedListener, startListener } from './listener-fixture.ts';
import { exchange } from './raw-http.ts';
import { escapedFailures } from './unhandled.ts';

const TOKEN = 'fuzz-operator-token-5f2c';

const KNOWN_PATHS = [
  '/',
  '/status.js',
  '/metrics',
  '/healthz',
  '/readyz',
  '/api/status',
  '/api/commands',
  '/api/loglevel',
  '/api/loglevel?component=adapter&level=debug',
  '/api/loglevel?component=kafka&level=loud',
];

const HOSTILE_TARGETS = [
  '//[',
  'http://[',
  '//x:99999/',
  '//%',
  '//@/',
  '*',
  'http://',
  'https://[::1/',
  'http://%/',
  '/%',
  '/%%',
  '/\\\\host/',
  '/../../etc/passwd',
  '/api/commands#frag',
  '/?',
  '/metrics?%zz',
];

const pieces = fc.oneof(
  fc.constantFrom(
    '%',
    '%2',
    '%zz',
    '%2F',
    '%00',
    '%5B',
    '[',
    ']',
    '@',
    ':',
    '//',
    '..',
    '?',
    '#',
    '&',
    '=',
    '\\',
  ),
  fc.stringMatching(/^[a-z0-9._~-]{1,8}$/),
);

const target = fc.oneof(
  fc.constantFrom(...KNOWN_PATHS, ...HOSTILE_TARGETS),
  fc.array(pieces, { maxLength: 12 }).map((parts) => `/${parts.join('')}`),
  fc
    .tuple(
      fc.constantFrom('http://', 'https://', 'HTTP://', 'ftp://', '//', ''),
      fc.constantFrom(
        '127.0.0.1',
        'localhost',
        '[::1]',
        '[::1',
        '[',
        'x:99999',
        '127.0.0.1:65536',
        '@',
        '%',
        '',
      ),
      fc.constantFrom(...KNOWN_PATHS, '', '/%'),
    )
    .map(([scheme, host, path]) => `${scheme}${host}${path}`),
  fc.integer({ min: 1, max: 20_000 }).map((length) => `/${'a'.repeat(length)}`),
  fc.string({ maxLength: 30 }),
);

const method = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'),
  fc.stringMatching(/^[A-Za-z]{1,8}$/),
);

const command = fc.record(
  {
    action: fc.oneof(fc.constantFrom(...COMMAND_ACTIONS), fc.string({ maxLength: 10 })),
    condition_id: fc.oneof(fc.constant('a/b/c/d/e/f'), fc.string({ maxLength: 20 }), fc.integer()),
    scope: fc.string({ maxLength: 20 }),
    actor: fc.oneof(fc.constant('jane'), fc.string({ maxLength: 20 }), fc.constant(null)),
    comment: fc.string({ maxLength: 20 }),
    duration_ms: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 })),
    one_shot: fc.oneof(fc.boolean(), fc.string({ maxLength: 5 })),
    command_id: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  fc.constant(''),
  command.map((value) => JSON.stringify(value)),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 200 }),
  fc.integer({ min: MAX_BODY_BYTES - 2, max: MAX_BODY_BYTES + 2000 }).map((size) => 'x'.repeat(size)),
);

/** Content-Length as announced: true, missing, short, long, or nonsense. */
const lengthOf = fc.constantFrom('exact', 'missing', 'short', 'long', 'huge', 'garbage', 'chunked');

const host = fc.option(
  fc.oneof(
    fc.constantFrom('127.0.0.1', 'localhost:9330', '[::1]', '[::1]:1', '[', 'attacker.example', ''),
    fc.string({ maxLength: 30 }),
  ),
  { nil: undefined },
);

const authorization = fc.option(
  fc.oneof(
    fc.constantFrom(`Bearer ${TOKEN}`, 'Bearer wrong', `Basic ${TOKEN}`, 'Bearer', `bearer  ${TOKEN}  `),
    fc.string({ maxLength: 40 }),
  ),
  { nil: undefined },
);

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'APPLICATION/JSON'),
    fc.string({ maxLength: 30 }),
  ),
  { nil: undefined },
);

const request = fc.record({ method, target, host, authorization, contentType, body, length: lengthOf });
type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

/** The request's bytes; a body shorter than announced is ended by half-closing the connection. */
function bytesOf(r: FuzzRequest): { text: Buffer; head: boolean; halfClose: boolean } {
  const payload = Buffer.from(r.body, 'utf8');
  const headers: string[] = [];
  if (r.host !== undefined) headers.push(`Host: ${r.host}`);
  if (r.authorization !== undefined) headers.push(`Authorization: ${r.authorization}`);
  if (r.contentType !== undefined) headers.push(`Content-Type: ${r.contentType}`);
  let sent = payload;
  switch (r.length) {
    case 'exact':
      headers.push(`Content-Length: ${payload.length}`);
      break;
    case 'short':
      headers.push(`Content-Length: ${Math.max(0, payload.length - 3)}`);
      break;
    case 'long':
      headers.push(`Content-Length: ${payload.length + 7}`);
      break;
    case 'huge':
      headers.push('Content-Length: 104857600');
      break;
    case 'garbage':
      headers.push('Content-Length: 12, 13', 'Content-Length: -1');
      break;
    case 'chunked':
      headers.push('Transfer-Encoding: chunked');
      sent = Buffer.concat([
        Buffer.from(`${payload.length.toString(16)}\r\n`),
        payload,
        Buffer.from(payload.length > 0 ? '\r\n0\r\n\r\n' : '\r\n'),
      ]);
      break;
    default:
      break;
  }
  const head = `${r.method} ${r.target} HTTP/1.1\r\n${headers.map((line) => `${line}\r\n`).join('')}\r\n`;
  return {
    text: Buffer.concat([Buffer.from(head, 'latin1'), sent]),
    head: r.method === 'HEAD',
    halfClose: r.length === 'long' || r.length === 'huge',
  };
}

let started: StartedListener;
const sink = new RecordingSink();
const escaped = escapedFailures();

before(async () => {
  started = await startListener({ token: TOKEN, commands: sink }, 'debug');
});

after(async () => {
  escaped.stop();
  await started.listener.stop();
});

test('every request gets a well-formed answer and the listener stays up', {
  timeout: fuzzTimeoutMs(),
}, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(request, { minLength: 1, maxLength: 4 }),
      fc.nat({ max: 2 }),
      async (requests, failingCommands) => {
        // The alarm stage refusing the next commands, as a failing buffer does.
        sink.failNext = failingCommands;
        const exchanges = await Promise.all(
          requests.map((r) => {
            const { text, head, halfClose } = bytesOf(r);
            return exchange(started.port, text, { head, halfClose });
          }),
        );
        for (const [index, { answer, received }] of exchanges.entries()) {
          const sent = `${requests[index]?.method} ${requests[index]?.target.slice(0, 100)}`;
          assert.ok(
            answer,
            `${sent}: no well-formed answer, got ${JSON.stringify(received.toString('latin1').slice(0, 200))}`,
          );
          assert.ok(answer.status >= 200 && answer.status <= 599, `${sent}: status ${answer.status}`);
        }
        assert.deepEqual(escaped.failures, []);
        const logged = JSON.stringify(started.log.lines);
        started.log.lines.length = 0;
        assert.ok(!logged.includes(TOKEN), 'the token is never logged');
      },
    ),
    fuzzBudget(),
  );
  const health = await exchange(started.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.equal(health.answer?.status, 200);
});
