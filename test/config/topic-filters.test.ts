import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  fillTemplate,
  matchTopic,
  type ParsedFilter,
  parseTopicFilter,
  templateNames,
} from '../../src/config/topic-filters.ts';

function parsed(filter: string): ParsedFilter {
  const result = parseTopicFilter(filter);
  assert.ok(!('problem' in result), `${filter} parses`);
  return result;
}

describe('topic filters with named levels', () => {
  test('names are removed from the subscription and remembered', () => {
    const filter = parsed('plant/+line/+asset/temp');
    assert.equal(filter.subscription, 'plant/+/+/temp');
    assert.deepEqual(filter.names, ['line', 'asset']);
    assert.equal(parsed('a/+/#').subscription, 'a/+/#');
    assert.equal(parsed('#').subscription, '#');
  });

  test('bad filters say what is wrong', () => {
    const problem = (filter: string) => (parseTopicFilter(filter) as { problem: string }).problem;
    assert.match(problem(''), /empty/);
    assert.match(problem('a/#/b'), /"#" must be the last level/);
    assert.match(problem('a/b#'), /whole level/);
    assert.match(problem('a/x+/b'), /whole level/);
    assert.match(problem('a/+1x'), /named level/);
    assert.match(problem('a/+n/+n'), /used twice/);
    assert.match(problem('a/\u0000'), /NUL/);
  });

  test('matching binds the named levels; # matches the rest, including nothing', () => {
    const filter = parsed('plant/+line/+asset/temp');
    assert.deepEqual(matchTopic(filter, 'plant/l1/pump-3/temp'), { line: 'l1', asset: 'pump-3' });
    assert.equal(matchTopic(filter, 'plant/l1/pump-3/pressure'), undefined);
    assert.equal(matchTopic(filter, 'plant/l1/temp'), undefined);
    assert.equal(matchTopic(filter, 'plant/l1/pump-3/temp/extra'), undefined);
    const rest = parsed('plant/+area/#');
    assert.deepEqual(matchTopic(rest, 'plant/a/b/c'), { area: 'a' });
    assert.deepEqual(matchTopic(rest, 'plant/a'), { area: 'a' });
    assert.equal(matchTopic(parsed('+/x'), '$SYS/x'), undefined, 'wildcards do not match $ topics');
  });

  test('point id templates', () => {
    assert.deepEqual(templateNames('{line}.{asset}.temp'), ['line', 'asset']);
    assert.equal(fillTemplate('{line}.{asset}.temp', { line: 'l1', asset: 'p3' }), 'l1.p3.temp');
  });
});
