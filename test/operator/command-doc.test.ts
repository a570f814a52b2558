/**
 * docs/operator-commands.md states the fields and limits of a command as the
 * schema defines them: its table is rendered from src/operator/command-schema.ts
 * and this test fails when the two differ. `UPDATE_DOCS=1` rewrites the table.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { markdownTable } from '../../scripts/markdown-table.ts';
import { CommandSchema } from '../../src/operator/command-schema.ts';

const DOC = 'docs/operator-commands.md';
const BEGIN =
  '<!-- command fields: rendered from src/operator/command-schema.ts; UPDATE_DOCS=1 node --test test/operator/command-doc.test.ts rewrites it -->';
const END = '<!-- end of command fields -->';

type FieldSchema = Record<string, unknown>;

function kindOf(field: FieldSchema): string {
  if (Array.isArray(field.enum)) return `one of ${field.enum.map((value) => `\`${value}\``).join(', ')}`;
  switch (field.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return `integer, ${field.minimum} to ${field.maximum}`;
    case 'string': {
      const form = String(field.patternErrorMessage ?? '');
      if (form.startsWith('must be ')) {
        const [path, ids] = form.slice('must be '.length).split(': ');
        return `\`${path}\`: ${ids}`;
      }
      const length =
        field.minLength === 1 ? `1–${field.maxLength} characters` : `at most ${field.maxLength} characters`;
      return `string, ${length}${form === 'must not be blank' ? ', not blank' : ''}`;
    }
    default:
      return String(field.type);
  }
}

function renderTable(): string {
  const required = new Set<string>(CommandSchema.required ?? []);
  const rows = Object.entries(CommandSchema.properties as Record<string, FieldSchema>).map(
    ([name, field]) => [
      `\`${name}\``,
      kindOf(field),
      required.has(name) ? 'yes' : 'no',
      String(field.description),
    ],
  );
  return [
    BEGIN,
    '',
    markdownTable(['Field', 'Type and limits', 'Required', 'Meaning'], rows),
    '',
    'Any other field is refused, naming the field.',
    '',
    END,
  ].join('\n');
}

test('the table of command fields in docs/operator-commands.md is the schema’s', () => {
  const text = readFileSync(DOC, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  assert.ok(start !== -1 && end > start, `${DOC} has no block between "${BEGIN}" and "${END}"`);
  const current = text.slice(start, end + END.length);
  const expected = renderTable();
  if (current !== expected && process.env.UPDATE_DOCS === '1') {
    writeFileSync(DOC, text.slice(0, start) + expected + text.slice(end + END.length));
    return;
  }
  assert.equal(current, expected, `${DOC} differs from the schema; run with UPDATE_DOCS=1 to rewrite it`);
});
