import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderErrorsDoc } from '../../scripts/generate-errors-doc.ts';
import { ERRORS, GatewayError } from '../../src/system/errors.ts';

test('docs/errors.md says word for word what the catalogue says', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  assert.equal(doc, renderErrorsDoc(), 'run `node scripts/generate-errors-doc.ts`');
  for (const code of Object.keys(ERRORS)) assert.ok(doc.includes(`| \`${code}\``), code);
});

test('an error names its stage, what happened, the detail and what to do', () => {
  const error = new GatewayError('BUFFER_WRITE', 'SQLITE_FULL');
  assert.equal(error.code, 'BUFFER_WRITE');
  assert.equal(error.stage, 'buffer');
  assert.equal(
    error.describe(),
    '[buffer] BUFFER_WRITE: events could not be committed to the buffer: SQLITE_FULL (check free disk space and the health of the state directory)',
  );
});
