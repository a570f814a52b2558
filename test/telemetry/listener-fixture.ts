/** A real listener on a free loopback port, with its log lines kept for the test to read. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Listener, type ListenerOptions } from '../../src/telemetry/listener.ts';
import { ComponentLevels } from '../../src/telemetry/log-levels.ts';
import { createLogger, stageLogger } from '../../src/telemetry/logger.ts';
import { LoopLag } from '../../src/telemetry/loop-lag.ts';
import { GatewayMetrics } from '../../src/telemetry/metrics.ts';
import { observed } from './fixtures.ts';

export function logSink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

export async function startListener(
  overrides: Partial<ListenerOptions> = {},
  level: Parameters<typeof createLogger>[0] = 'info',
) {
  const log = logSink();
  const levels = new ComponentLevels();
  const logger = createLogger(level, log.stream, levels);
  const status = () => observed();
  const metrics = new GatewayMetrics({ gatewayId: 'gw-1', site: 'site-a', status, processMetrics: false });
  const listener = new Listener({
    host: '127.0.0.1',
    port: 0,
    site: 'site-a',
    gatewayId: 'gw-1',
    metrics,
    status,
    loopLag: new LoopLag(),
    maxLoopLagMs: 2000,
    minDevicesShare: 0.5,
    refreshMs: 1500,
    levels,
    logger: stageLogger(logger, 'telemetry'),
    newId: () => 'id-1',
    ...overrides,
  });
  const address = await listener.start();
  assert.ok(address);
  return {
    listener,
    metrics,
    base: `http://127.0.0.1:${address.port}`,
    log,
    levels,
    logger,
    port: address.port,
  };
}

export type StartedListener = Awaited<ReturnType<typeof startListener>>;
