/**
 * Writes devices/schema.json from the TypeBox schema. With --check it only
 * compares, and exits 1 when the checked-in file differs (CI runs this).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSiteJsonSchema } from '../src/config/json-schema.ts';

const target = fileURLToPath(new URL('../devices/schema.json', import.meta.url));
const shown = 'devices/schema.json';
const expected = renderSiteJsonSchema();

if (process.argv.includes('--check')) {
  let current: string | undefined;
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === expected) {
    process.stdout.write(`${shown} is up to date\n`);
  } else {
    const why = current === undefined ? 'is missing' : 'is stale: it differs from src/config/schema.ts';
    process.stderr.write(`${shown} ${why}; run \`npm run schema\` and commit the result\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, expected);
  process.stdout.write(`wrote ${shown}\n`);
}
