/**
 * `npm run chaos`: the store-and-forward proof under random faults. Prints a
 * summary table; exits 1 when an event was lost, a key went out of order, the
 * buffer did not drain or no fresh event followed the faults.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runChaos, summaryTable, violations } from './chaos/run.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    'round-ms': { type: 'string', default: '3000' },
    devices: { type: 'string', default: '3' },
    points: { type: 'string', default: '40' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    keep: { type: 'boolean', default: false },
  },
});

const dir = mkdtempSync(join(tmpdir(), 'gateway-chaos-'));
const log = (line: string) => process.stderr.write(`${line}\n`);
log(`chaos: seed ${values.seed} (repeat with --seed ${values.seed}); work directory ${dir}`);
try {
  const report = await runChaos({
    rounds: Number(values.rounds),
    roundMs: Number(values['round-ms']),
    devices: Number(values.devices),
    pointsPerDevice: Number(values.points),
    seed: Number(values.seed),
    dir,
    log,
  });
  process.stdout.write(`${summaryTable(report)}\n`);
  const found = violations(report);
  for (const violation of found) process.stdout.write(`VIOLATION: ${violation}\n`);
  process.exitCode = found.length > 0 ? 1 : 0;
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
