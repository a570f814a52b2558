/**
 * A crowd of clients against one listener: concurrent scrapes share a
 * rendering of the registry instead of each walking it on the event loop,
 * connections beyond the cap are told to come back later, and health probes
 * are answered throughout. Counted in renderings and answers, not in time.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Gauge } from 'prom-client';
import { MAX_CONNECTIONS, SCRAPE_REUSE_MS } from '../../src/telemetry/listener-limits.ts';
import { until } from '../harness/wait.ts';
import { type StartedListener, startListener } from './listener-fixture.ts';
import { exchange } from './raw-http.ts';
import { escapedFailures } from './unhandled.ts';

const SCRAPE = 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
const HEALTH = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Renderings a burst may cost however slowly this machine runs it: one per
 * reuse window it spanned. Without sharing it would be one per scrape.
 */
async function burst(count: number, request: string, port: number, renderings: () => number) {
  const before = renderings();
  const startedAt = performance.now();
  const answers = await Promise.all(Array.from({ length: count }, () => exchange(port, request)));
  const allowed = 1 + Math.ceil((performance.now() - startedAt) / SCRAPE_REUSE_MS);
  return { answers, rendered: renderings() - before, allowed };
}

describe('a crowd of clients', () => {
  let started: StartedListener;
  let renderings = 0;
  const escaped = escapedFailures();
  before(async () => {
    started = await startListener();
    // Collected once per walk of the registry: counts the renderings.
    new Gauge({
      name: 'test_renderings',
      help: 'Renderings of the registry.',
      registers: [started.metrics.registry],
      collect() {
        renderings += 1;
        this.set(renderings);
      },
    });
  });
  after(async () => {
    escaped.stop();
    await started.listener.stop();
  });

  test('concurrent scrapes within the cap share one rendering', async () => {
    const scrapes = Math.floor(MAX_CONNECTIONS * 0.75);
    const { answers, rendered, allowed } = await burst(scrapes, SCRAPE, started.port, () => renderings);
    for (const { answer } of answers) assert.equal(answer?.status, 200);
    assert.match(answers[0]?.answer?.body ?? '', /^gateway_info\{/m);
    assert.ok(rendered >= 1 && rendered <= allowed, `${scrapes} scrapes rendered ${rendered} times`);
    assert.ok(new Set(answers.map(({ answer }) => answer?.body)).size <= rendered, 'each got a shared text');
  });

  test('beyond the cap, scrapes get 503 with Retry-After while health probes are answered', async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => connected(started.port)));
    try {
      const refused = await exchange(started.port, SCRAPE);
      assert.equal(refused.answer?.status, 503);
      assert.equal(refused.answer?.headers['retry-after'], '1');
      assert.equal(refused.answer?.headers.connection, 'close');
      assert.equal((await exchange(started.port, HEALTH)).answer?.status, 200);
    } finally {
      for (const socket of held) socket.destroy();
    }
    await until(
      async () => (await exchange(started.port, SCRAPE)).answer?.status === 200,
      'scrapes served again once the crowd left',
      5000,
      20,
    );
  });

  test('a flood of scrapes is answered 200 or 503, rendered a bounded number of times, and /healthz stays 200', async () => {
    const scrapes = MAX_CONNECTIONS * 3;
    const { answers, rendered, allowed } = await burst(scrapes, SCRAPE, started.port, () => renderings);
    const statuses = answers.map(({ answer }) => answer?.status);
    assert.ok(
      statuses.every((status) => status === 200 || status === 503),
      `statuses ${[...new Set(statuses)]}`,
    );
    assert.ok(statuses.includes(200));
    assert.ok(rendered <= allowed, `${scrapes} scrapes rendered ${rendered} times`);
    assert.equal((await exchange(started.port, HEALTH)).answer?.status, 200);
    assert.deepEqual(escaped.failures, []);
  });
});
