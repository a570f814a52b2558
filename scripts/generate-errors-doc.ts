/**
 * Writes docs/errors.md from the error catalogue (src/system/errors.ts), so
 * the page says word for word what the gateway logs. With --check it only
 * compares, and exits 1 when the page differs (CI runs this).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERRORS } from '../src/system/errors.ts';
import { markdownTable } from './markdown-table.ts';

const INTRO = `# Error codes

Every error the gateway reports carries one of these codes, the stage it comes from, what happened and what to do. In logs the line reads \`[stage] CODE: what: detail (what to do)\` and the JSON has a \`code\` field to alert on.

None of them loses data: events are committed to the buffer before anything else happens to them, and a failure to commit rolls the alarm state back so the transition is decided again.

This page is generated from \`src/system/errors.ts\` (\`node scripts/generate-errors-doc.ts\`).
`;

/** The page: the introduction, then one padded Markdown row per code, in catalogue order. */
export function renderErrorsDoc(): string {
  const rows = Object.entries(ERRORS).map(([code, entry]) => [
    `\`${code}\``,
    entry.stage,
    entry.what,
    entry.todo,
  ]);
  return `${INTRO}\n${markdownTable(['code', 'stage', 'what happened', 'what to do'], rows)}\n`;
}

const target = fileURLToPath(new URL('../docs/errors.md', import.meta.url));
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const expected = renderErrorsDoc();
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== expected) {
      process.stderr.write(
        'docs/errors.md is stale: run `node scripts/generate-errors-doc.ts` and commit it\n',
      );
      process.exit(1);
    }
    process.stdout.write('docs/errors.md is up to date\n');
  } else {
    writeFileSync(target, expected);
  }
}
