/**
 * The site loader against random YAML: the example site files of devices/
 * with lines deleted and duplicated, random characters, values replaced by
 * huge numbers and wrong types, deep nesting, anchors and aliases (alias and
 * merge bombs too) and files past the size limit. Whatever arrives, the
 * loader gives a valid, frozen site or a list of problems each placed at a
 * line and column of the text with a known code; it never throws, and the
 * limits keep every load small in time and memory.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { MAX_SITE_FILE_BYTES } from '../../src/config/limits.ts';
import { parseSiteText } from '../../src/config/load.ts';
import { parseYaml } from '../../src/config/yaml-parse.ts';
import { fuzzBudget, fuzzTimeoutMs } from '../harness/fuzz.ts';
import { FILE } from './helpers.ts';

const BASES = readdirSync('devices')
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => readFileSync(join('devices', name), 'utf8'));

const CODES = new Set(['CONFIG_LIMIT', 'CONFIG_YAML', 'CONFIG_SCHEMA', 'CONFIG_REFERENCE']);

/** Far longer than any load within the limits takes, even on a busy machine; a runaway load takes minutes. */
const RUNAWAY_MS = 20_000;

const SYNTAX = [...'[]{}:,-?&*!|>#\'"%@`\\\t \n\r\u00a0\ufeff'];
const VALUES = [
  '100000000000',
  '2147483648',
  '-0',
  '1e309',
  '-1e309',
  '.nan',
  '0x7fffffffffffffff',
  '9'.repeat(400),
  '~',
  'null',
  'true',
  '"text"',
  '[1, 2]',
  '{ a: 1 }',
  '[]',
  '{}',
  '!!str 5',
  '!custom x',
  '|\n  block',
  "'single ''quoted'''",
  '"\\u0000\\uD800"',
];

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'insert'; at: number; column: number; text: string }
  | { kind: 'value'; at: number; value: string }
  | { kind: 'nest'; at: number; depth: number; style: 'brackets' | 'maps' | 'dashes' | 'indent' }
  | { kind: 'anchor'; at: number; name: string; uses: number[] }
  | { kind: 'bomb'; levels: number; width: number; merge: boolean };

const line = fc.nat({ max: 10_000 });
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...SYNTAX), maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ maxLength: 12 }),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: line }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: line }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: line,
      column: fc.nat({ max: 60 }),
      text,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('value' as const),
      at: line,
      value: fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 8 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('nest' as const),
      at: line,
      depth: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.constantFrom(1_000, 100_000, 1_000_000)),
      style: fc.constantFrom('brackets' as const, 'maps' as const, 'dashes' as const, 'indent' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('anchor' as const),
      at: line,
      name: fc.constantFrom('a', 'b', 'defaults'),
      uses: fc.array(line, { maxLength: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('bomb' as const),
      levels: fc.integer({ min: 1, max: 12 }),
      width: fc.integer({ min: 1, max: 12 }),
      merge: fc.boolean(),
    }),
  },
);

function nesting(depth: number, style: 'brackets' | 'maps' | 'dashes' | 'indent'): string {
  switch (style) {
    case 'brackets':
      return `x: ${'['.repeat(depth)}1${']'.repeat(depth)}`;
    case 'maps':
      return `x: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
    case 'dashes':
      return `x:\n${'- '.repeat(depth)}1`;
    case 'indent':
      // Quadratic in size: kept to a depth whose text stays small.
      return Array.from({ length: Math.min(depth, 300) }, (_, level) => `${' '.repeat(level)}a:`).join('\n');
  }
}

function bomb(levels: number, width: number, merge: boolean): string {
  const lines = ['l0: &l0 { k: v }'];
  for (let level = 1; level <= levels; level += 1) {
    const uses = Array.from({ length: width }, () => `*l${level - 1}`).join(', ');
    lines.push(
      merge ? `l${level}: &l${level} { <<: [${uses}], k${level}: v }` : `l${level}: &l${level} [${uses}]`,
    );
  }
  return lines.join('\n');
}

function apply(base: string, mutations: readonly Mutation[]): string {
  const lines = base.split('\n');
  const at = (index: number) => index % Math.max(lines.length, 1);
  for (const change of mutations) {
    switch (change.kind) {
      case 'delete':
        lines.splice(at(change.at), 1);
        break;
      case 'duplicate':
        lines.splice(at(change.at), 0, lines[at(change.at)] ?? '');
        break;
      case 'insert': {
        const target = lines[at(change.at)] ?? '';
        const column = Math.min(change.column, target.length);
        lines[at(change.at)] = target.slice(0, column) + change.text + target.slice(column);
        break;
      }
      case 'value': {
        const target = lines[at(change.at)] ?? '';
        const colon = target.indexOf(': ');
        lines[at(change.at)] =
          colon === -1 ? `${target} ${change.value}` : `${target.slice(0, colon + 2)}${change.value}`;
        break;
      }
      case 'nest':
        lines.splice(at(change.at), 0, nesting(change.depth, change.style));
        break;
      case 'anchor': {
        const target = lines[at(change.at)] ?? '';
        const colon = target.indexOf(': ');
        if (colon !== -1)
          lines[at(change.at)] = `${target.slice(0, colon + 2)}&${change.name} ${target.slice(colon + 2)}`;
        for (const use of change.uses) {
          const other = lines[at(use)] ?? '';
          const otherColon = other.indexOf(': ');
          if (otherColon !== -1) lines[at(use)] = `${other.slice(0, otherColon + 2)}*${change.name}`;
          else lines.splice(at(use), 0, `${other.match(/^ */)?.[0] ?? ''}<<: *${change.name}`);
        }
        break;
      }
      case 'bomb':
        lines.push(bomb(change.levels, change.width, change.merge));
        break;
    }
  }
  return lines.join('\n');
}

const siteText = fc.oneof(
  {
    weight: 30,
    arbitrary: fc
      .tuple(fc.constantFrom(...BASES), fc.array(mutation, { minLength: 1, maxLength: 6 }))
      .map(([base, mutations]) => apply(base, mutations)),
  },
  // Past the size limit: comments after the example, so the rest of the file is sound.
  { weight: 1, arbitrary: fc.constantFrom(...BASES).map((base) => base + '#'.repeat(MAX_SITE_FILE_BYTES)) },
);

function checkResult(input: string): void {
  const started = performance.now();
  const result = parseSiteText(input, FILE);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < RUNAWAY_MS, `a load took ${Math.round(elapsed)} ms`);
  if (result.ok) {
    assert.ok(Object.isFrozen(result.site));
    assert.ok(Array.isArray(result.site.devices) && result.site.devices.length > 0);
    return;
  }
  assert.ok(result.issues.length > 0, 'refused without a problem');
  const lines = input.split('\n').length;
  for (const issue of result.issues) {
    assert.equal(issue.file, FILE);
    assert.ok(CODES.has(issue.code), `unknown code ${issue.code}`);
    assert.ok(Number.isInteger(issue.line) && issue.line >= 1 && issue.line <= lines, `line ${issue.line}`);
    assert.ok(Number.isInteger(issue.column) && issue.column >= 1, `column ${issue.column}`);
    assert.equal(typeof issue.path, 'string');
    assert.ok(typeof issue.message === 'string' && issue.message.length > 0);
    // The nesting limit is checked before parsing; the stack must never be what stops a load.
    assert.doesNotMatch(issue.message, /call stack/i);
  }
  if (Buffer.byteLength(input) > MAX_SITE_FILE_BYTES) {
    assert.deepEqual(
      result.issues.map((issue) => issue.code),
      ['CONFIG_LIMIT'],
    );
  }
}

test('the site loader gives a site or placed problems for any text, within bounded time', {
  timeout: fuzzTimeoutMs(2),
}, () => {
  fc.assert(fc.property(siteText, checkResult), fuzzBudget());
});

test("the data the loader builds is the data yaml's own toJS builds", { timeout: fuzzTimeoutMs(2) }, () => {
  const small = fc
    .tuple(fc.constantFrom(...BASES), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([base, mutations]) => apply(base, mutations))
    // yaml's toJS is quadratic in aliases and unbounded in expansion: compare where it is cheap.
    .filter((input) => input.length < 50_000 && (input.match(/\*/g) ?? []).length <= 50);
  fc.assert(
    fc.property(small, (input) => {
      const parsed = parseYaml(input, FILE);
      if (parsed.broken) return;
      const doc = parseDocument(input, { uniqueKeys: false, merge: true });
      assert.deepEqual(parsed.data, doc.toJS({ maxAliasCount: -1 }));
    }),
    fuzzBudget(),
  );
});
