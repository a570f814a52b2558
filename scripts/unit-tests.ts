/**
 * `npm run test:unit`: the tests that need no JVM, broker or browser (the
 * alarm engine, the config loader, encoders, planners, simulators in
 * process), for a quick loop while changing code. A test file counts as
 * an integration test when it uses a Kafka broker, Mosquitto, socat,
 * Chromium, the lakehouse or a whole gateway; `npm test` runs everything.
 */
import { spawnSync } from 'node:child_process';
import { globSync, readFileSync } from 'node:fs';

const NEEDS_OUTSIDE_PARTS =
  /harness\/(kafka|mosquitto|socat|gateway-process|systemd-box)|sharedBrokers|ownBroker|playwright|lakehouse|Gateway\.start/;

const files = globSync('test/**/*.test.ts')
  .filter((file) => !NEEDS_OUTSIDE_PARTS.test(readFileSync(file, 'utf8')))
  .sort();
process.stderr.write(`test:unit: ${files.length} test files that need no broker, JVM or browser\n`);
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
