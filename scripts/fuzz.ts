/**
 * Runs the property-based fuzz tests (`test/**\/*.fuzz.test.ts`) for longer
 * than the suite does: `npm run fuzz -- --minutes N` gives each property N
 * minutes. `--seed S` (and `--path P`) replay a failure fast-check printed.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    seed: { type: 'string' },
    path: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) {
  process.stderr.write(`fuzz: --minutes must be a positive number, not ${values.minutes}\n`);
  process.exit(2);
}
const env: NodeJS.ProcessEnv = { ...process.env, FUZZ_MINUTES: String(minutes) };
if (values.seed !== undefined) env.FUZZ_SEED = values.seed;
if (values.path !== undefined) env.FUZZ_PATH = values.path;
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=1', '--test-timeout=0', 'test/**/*.fuzz.test.ts'],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
