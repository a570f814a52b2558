import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERRORS, GatewayError } from '../../src/system/errors.ts';

test('every error code is documented in docs/errors.md with its stage', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, entry] of Object.entries(ERRORS)) {
    assert.match(doc, new RegExp(`\\| \`${code}\`\\s+\\| ${entry.stage}\\s+\\|`), code);
  }
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
