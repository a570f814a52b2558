/**
 * The README's first command, end to end: the built gateway on the simulated
 * plant of devices/plant.yaml, shipping to a real broker, and the events
 * showing up on the topic.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sharedBrokers } from './harness/kafka.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

before(() => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: root,
  });
});

async function demo(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  const child = spawn(process.execPath, ['scripts/demo.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const [code] = await once(child, 'exit');
  return { code, output };
}

test('the demo shows alarm events from the simulated plant arriving on the topic', async () => {
  const brokers = await sharedBrokers();
  const { code, output } = await demo(['--seconds', '20'], { KAFKA_BROKERS: brokers });
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

// The lakehouse itself (Flink, two more JVMs at the end) takes minutes: README's
// `scripts/demo.sh --lakehouse` is run by hand; here only its way out without Java.
test('with --lakehouse and no Java, the demo says so and runs as the plain demo', async () => {
  const brokers = await sharedBrokers();
  const { code, output } = await demo(['--lakehouse', '--seconds', '8'], {
    KAFKA_BROKERS: brokers,
    JAVA_HOME: '/nonexistent',
  });
  assert.equal(code, 0, output);
  assert.match(
    output,
    /lakehouse: not available: it needs Java 17\+ and Maven \(.+\); running the plain demo/,
  );
  assert.match(output, /^← iiot\.alarms\.v1 /m);
  assert.doesNotMatch(output, /exited \(/);
  assert.match(output, /Events still in the buffer: \d+/);
});
