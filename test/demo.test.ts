/**
 * The README's first command, end to end: the built gateway on the simulated
 * plant of devices/plant.yaml, shipping to a real broker, and the events
 * showing up on the topic.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sharedBrokers } from './harness/kafka.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

test('the demo shows alarm events from the simulated plant arriving on the topic', async () => {
  const brokers = await sharedBrokers();
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: root,
  });
  const demo = spawn(process.execPath, ['scripts/demo.ts', '--seconds', '20'], {
    cwd: root,
    env: { ...process.env, KAFKA_BROKERS: brokers },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  demo.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  demo.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const [code] = await once(demo, 'exit');
  assert.equal(code, 0, output);
  const arrived = output.split('\n').filter((line) => line.startsWith('← iiot.alarms.v1'));
  assert.ok(arrived.length >= 3, `at least three events arrived:\n${output}`);
  assert.match(
    arrived.join('\n'),
    /key=demo-plant\/utilities\/(steam\/boiler-1|compressed-air\/compressor-1) +#\d+ raise /,
  );
  assert.doesNotMatch(output, /exited \(/, 'simulator and gateway ran until stopped');
  assert.match(output, /Events still in the buffer: \d+/);
});
