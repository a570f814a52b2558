/**
 * The loader's bounds: a file too large, nested too deeply or whose aliases
 * expand too far is refused with CONFIG_LIMIT and the place where it passes
 * the limit, quickly and without exhausting the stack or the heap.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MAX_EXPANDED_VALUES, MAX_NESTING_DEPTH, MAX_SITE_FILE_BYTES } from '../../src/config/limits.ts';
import { formatIssue, type LoadResult, loadSiteFile, parseSiteText } from '../../src/config/load.ts';
import { FILE } from './helpers.ts';

const directory = mkdtempSync(join(tmpdir(), 'site-limits-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function refusal(result: LoadResult): string[] {
  assert.ok(!result.ok, 'the file must be refused');
  return result.issues.map((issue) => `${issue.code} ${formatIssue(issue)}`);
}

const HEADER = 'site: demo\ngateway:\n  id: gw-1\n';

describe('size', () => {
  // 40-byte comment lines: the limit is passed on a known line and column.
  const line = `# ${'x'.repeat(37)}\n`;
  const lines = Math.ceil(MAX_SITE_FILE_BYTES / line.length) + 10;
  const oversize = line.repeat(lines);
  const passedAt = `${Math.floor(MAX_SITE_FILE_BYTES / line.length) + 1}:${(MAX_SITE_FILE_BYTES % line.length) + 1}`;
  const message = `the site file is larger than 4 MiB (${MAX_SITE_FILE_BYTES} bytes), the most a site file may have; it passes the limit here`;

  test('a file past the limit is refused where it passes it, without reading the rest', () => {
    const file = join(directory, 'oversize.yaml');
    writeFileSync(file, oversize);
    assert.deepEqual(refusal(loadSiteFile(file)), [`CONFIG_LIMIT ${file}:${passedAt} ${message}`]);
  });

  test('a text past the limit is refused the same way', () => {
    assert.deepEqual(refusal(parseSiteText(oversize, FILE)), [`CONFIG_LIMIT ${FILE}:${passedAt} ${message}`]);
  });

  test('the limit counts bytes, not characters', () => {
    // Three bytes each in UTF-8: fewer characters than the limit, more bytes.
    const text = `${HEADER}description: "${'€'.repeat(Math.ceil(MAX_SITE_FILE_BYTES / 3))}"\n`;
    assert.ok(text.length < MAX_SITE_FILE_BYTES);
    assert.deepEqual(
      refusal(parseSiteText(text, FILE)).map((issue) => issue.split(' ')[0]),
      ['CONFIG_LIMIT'],
    );
  });

  test('a file just within the limit is loaded', () => {
    const comment = line.repeat(Math.floor((MAX_SITE_FILE_BYTES - 200) / line.length));
    const text = `${comment}site: demo\ngateway: { id: gw-1 }\ndevices: []\n`;
    assert.ok(Buffer.byteLength(text) <= MAX_SITE_FILE_BYTES);
    const codes = refusal(parseSiteText(text, FILE)).map((issue) => issue.split(' ')[0]);
    assert.deepEqual(
      codes,
      ['CONFIG_SCHEMA'],
      'checked like any file (an empty device list is a schema error)',
    );
  });
});

describe('nesting', () => {
  const tooDeep = `nested more than ${MAX_NESTING_DEPTH} levels deep (indentation levels plus open brackets); a site file needs about ten`;
  const cases: [string, string, string][] = [
    // `site` and its ":" open two levels, each bracket one more: the 63rd bracket is the 65th level.
    ['a million open brackets', `site: ${'['.repeat(1_000_000)}`, '1:69'],
    ['nested flow mappings', `site: ${'{a: '.repeat(500_000)}1`, '1:255'],
    ['a million "- " on one line', `devices:\n${'- '.repeat(1_000_000)}x\n`, '2:129'],
    // The parser gives up on the broken flow collection and reads the next line as a block again.
    [
      'a million "- " after unbalanced brackets',
      `{||\\ -[}*\ndevices:\n${'- '.repeat(1_000_000)}x\n`,
      '3:129',
    ],
    [
      'mappings indented one space deeper on each line',
      Array.from({ length: 1000 }, (_, depth) => `${' '.repeat(depth)}a:`).join('\n'),
      '64:65',
    ],
  ];
  for (const [name, text, place] of cases) {
    test(`${name}: refused at the level past the limit`, () => {
      assert.deepEqual(refusal(parseSiteText(text, FILE)), [`CONFIG_LIMIT ${FILE}:${place} ${tooDeep}`]);
    });
  }

  test('the deepest nesting a site file uses is far from the limit', () => {
    const rule =
      '          - id: level\n            kind: limit\n            H: { value: [85], priority: high }\n';
    const text = `${HEADER}devices:\n  - id: ua\n    points:\n      - id: p\n        alarms:\n${rule}`;
    const codes = refusal(parseSiteText(text, FILE)).map((issue) => issue.split(' ')[0]);
    assert.ok(!codes.includes('CONFIG_LIMIT'), codes.join());
  });
});

describe('aliases', () => {
  test('an anchor used so often that the file expands past the limit is refused at that place', () => {
    const keys = 1000;
    const uses = Math.ceil(MAX_EXPANDED_VALUES / (2 * keys)) + 10;
    const anchor = Array.from({ length: keys }, (_, index) => `  k${index}: ${index}\n`).join('');
    const text = `${HEADER}shared: &big\n${anchor}devices:\n${'  - *big\n'.repeat(uses)}`;
    assert.deepEqual(refusal(parseSiteText(text, FILE)), [
      `CONFIG_LIMIT ${FILE}:${keys + 6}:3 anchors and aliases expand the file to more than ${MAX_EXPANDED_VALUES} values; an alias repeats its anchor each time it is used`,
    ]);
  });

  test('merge keys count like aliases', () => {
    const keys = 1000;
    const uses = Math.ceil(MAX_EXPANDED_VALUES / (2 * keys)) + 10;
    const anchor = Array.from({ length: keys }, (_, index) => `  k${index}: ${index}\n`).join('');
    const text = `${HEADER}shared: &big\n${anchor}devices:\n${'  - <<: *big\n    id: d\n'.repeat(uses)}`;
    const codes = refusal(parseSiteText(text, FILE)).map((issue) => issue.split(' ')[0]);
    assert.deepEqual(codes, ['CONFIG_LIMIT']);
  });

  test('aliases of aliases ("billion laughs") are refused', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 10; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    const codes = refusal(parseSiteText(`${levels.join('\n')}\n`, FILE)).map((issue) => issue.split(' ')[0]);
    assert.deepEqual(codes, ['CONFIG_LIMIT']);
  });

  test('an alias inside the value it names is a YAML issue at the alias', () => {
    assert.deepEqual(refusal(parseSiteText(`${HEADER}devices: &d\n  - *d\n`, FILE)), [
      `CONFIG_YAML ${FILE}:5:5 alias *d is inside the value it names, so that value would contain itself`,
    ]);
  });
});
