import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { ComponentLevels } from '../../src/telemetry/log-levels.ts';
import { createLogger, stageLogger } from '../../src/telemetry/logger.ts';

function captured() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

test('a component level changes its loggers made before and after, and no other component', () => {
  const { lines, stream } = captured();
  const levels = new ComponentLevels();
  const root = createLogger('info', stream, levels);
  const adapter = stageLogger(root, 'adapter', { device: 'plc-1' });
  const library = adapter.child({ library: 'modbus' });
  const alarms = stageLogger(root, 'alarms');

  adapter.debug('hidden');
  levels.set('adapter', 'debug');
  adapter.debug('adapter debug');
  library.debug('library debug');
  stageLogger(root, 'adapter', { device: 'plc-2' }).debug('new device debug');
  alarms.debug('alarms stay at info');
  root.debug('root stays at info');
  assert.deepEqual(
    lines.map((line) => line.msg),
    ['adapter debug', 'library debug', 'new device debug'],
  );

  levels.set('adapter', 'warn');
  adapter.info('quiet now');
  alarms.info('alarms info');
  assert.equal(lines.at(-1)?.msg, 'alarms info');
  assert.deepEqual(levels.current(), {
    adapter: 'warn',
    alarms: 'info',
    buffer: 'info',
    producer: 'info',
    telemetry: 'info',
  });
});

test('component names are checked', () => {
  assert.equal(ComponentLevels.isComponent('producer'), true);
  assert.equal(ComponentLevels.isComponent('kafka'), false);
});

test('secrets are redacted at any depth they are known to sit at', () => {
  const { lines, stream } = captured();
  const logger = createLogger('info', stream);
  logger.info(
    {
      password: 'p0',
      kafka: { sasl: { mechanism: 'plain', username: 'gw', password: 'p1' } },
      device: { user: { password: 'p2' } },
      req: { headers: { authorization: 'Bearer t0' } },
      listener: { operator_token: { file: '/run/t' } },
      token: 't1',
    },
    'settings',
  );
  const text = JSON.stringify(lines[0]);
  for (const secret of ['p0', 'p1', 'p2', 't0', 't1', '/run/t']) {
    assert.ok(!text.includes(`"${secret}"`) && !text.includes(`${secret}"`), `${secret} leaked: ${text}`);
  }
  assert.match(text, /\[redacted\]/);
});
