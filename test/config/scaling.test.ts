/**
 * The loader's work grows linearly with the site file. Wall time would make a
 * flaky test, so these count steps instead: each helper that used to scan a
 * whole list per lookup is driven with 10,000 entries and must touch each
 * about once. scripts/site-file-timing.ts prints the times.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Alias, isMap, LineCounter, parseDocument, type YAMLMap } from 'yaml';
import { resolveAliases } from '../../src/config/anchors.ts';
import { indexFindings } from '../../src/config/finding-index.ts';
import type { Finding } from '../../src/config/issues.ts';
import { parseSiteText } from '../../src/config/load.ts';
import { createLocator } from '../../src/config/positions.ts';
import { FILE } from './helpers.ts';
import { FIRST_POINT_LINE, opcuaSite, POINT_LINES } from './large-site.ts';

const POINTS = 10_000;

/** An array that counts how often its entries are read. */
function counted<T>(items: T[]): { items: T[]; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
      return Reflect.get(target, key, receiver);
    },
  });
  return { items: proxy, reads: () => reads };
}

describe('consistency checks ask whether a key passed the schema', () => {
  test('10,000 questions against 10,000 findings read each finding once', () => {
    const findings = counted<Finding>(
      Array.from({ length: POINTS }, (_, index) => ({
        code: 'CONFIG_SCHEMA',
        path: ['devices', 0, 'points', index, 'alarms', 0, 'deadband'],
        anchor: 'value',
        message: 'must be a number',
      })),
    );
    const flawed = indexFindings(findings.items);
    let answers = 0;
    for (let index = 0; index < POINTS; index += 1) {
      if (flawed(['devices', 0, 'points', index, 'alarms'])) answers += 1;
      if (flawed(['devices', 0, 'points', index, 'node_id'])) answers -= 1;
    }
    assert.equal(answers, POINTS, 'every point has a finding under alarms and none under node_id');
    assert.ok(findings.reads() <= POINTS + 1, `${findings.reads()} reads of ${POINTS} findings`);
  });

  test('a finding at the top level flaws every path, and none flaws nothing', () => {
    const top: Finding = { code: 'CONFIG_SCHEMA', path: [], anchor: 'container', message: 'x' };
    assert.equal(indexFindings([top])([]), true);
    assert.equal(indexFindings([top])(['site']), false);
    assert.equal(indexFindings([])([]), false);
    const numbered: Finding = { ...top, path: ['devices', 0] };
    assert.equal(indexFindings([numbered])(['devices', '0']), false, 'index 0 is not the key "0"');
  });
});

describe('placing issues in the text', () => {
  test('finding each of 10,000 keys of one mapping reads each key about once', () => {
    const text = Array.from({ length: POINTS }, (_, index) => `k${index}: ${index}`).join('\n');
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter });
    const map = doc.contents as YAMLMap;
    assert.ok(isMap(map));
    const pairs = counted(map.items);
    map.items = pairs.items;
    const locator = createLocator(doc, lineCounter, resolveAliases(doc));
    for (let index = 0; index < POINTS; index += 1) {
      assert.equal(locator.find([`k${index}`], 'key').line, index + 1);
    }
    assert.ok(pairs.reads() <= 2 * POINTS, `${pairs.reads()} reads of ${POINTS} keys`);
  });

  test('aliases are resolved in one pass, not by a walk of the whole document each', () => {
    const whole = Alias.prototype.resolve;
    let walks = 0;
    Alias.prototype.resolve = function (this: Alias, ...args: Parameters<typeof whole>) {
      // Without a context yaml walks the whole document to find the anchor.
      if (args[1] === undefined) walks += 1;
      return whole.apply(this, args);
    };
    try {
      const result = parseSiteText(opcuaSite(2_000, { sharedRule: true }), FILE);
      assert.ok(result.ok);
      assert.equal(result.site.devices[0]?.points[1999]?.alarms?.[0]?.kind, 'limit');
    } finally {
      Alias.prototype.resolve = whole;
    }
    assert.equal(walks, 0);
  });
});

describe('a site of 10,000 OPC UA points', () => {
  test('validates', () => {
    const result = parseSiteText(opcuaSite(POINTS), FILE);
    assert.ok(result.ok);
    assert.equal(result.site.devices[0]?.points.length, POINTS);
  });

  test('with a mistake in every point, each is reported once at its line', () => {
    const result = parseSiteText(opcuaSite(POINTS, { brokenPoints: true }), FILE);
    assert.ok(!result.ok);
    assert.equal(result.issues.length, POINTS);
    const last = result.issues.at(-1);
    assert.equal(last?.path, `devices[0].points[${POINTS - 1}].alarms[0].deadband`);
    assert.equal(last?.line, FIRST_POINT_LINE + (POINTS - 1) * POINT_LINES + 6);
  });
});
