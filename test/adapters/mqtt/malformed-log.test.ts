import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedLog } from '../../../src/adapters/mqtt/malformed-log.ts';
import { keptLog } from './fixtures.ts';

test('counts every malformed message; logs each class at most once per interval, naming the topic', () => {
  let now = 0;
  const { logger, lines } = keptLog();
  const log = new MalformedLog(logger, { intervalMs: 1000, now: () => now });
  for (let i = 0; i < 5; i++) log.note('bad_json', `t/${i}`, 'not JSON');
  log.note('wrong_type', 't/x', 'a string');
  assert.equal(log.counters.bad_json, 5);
  assert.equal(log.counters.wrong_type, 1);
  assert.equal(log.counters.missing_path, 0);
  assert.deepEqual(
    lines.map((line) => [line.kind, line.topic]),
    [
      ['bad_json', 't/0'],
      ['wrong_type', 't/x'],
    ],
  );
  now = 1500;
  log.note('bad_json', 't/9', 'not JSON');
  const last = lines.at(-1);
  assert.equal(last?.topic, 't/9');
  assert.equal(last?.suppressed, 4);
  assert.equal(last?.code, 'MQTT_PAYLOAD');
  assert.match(String(last?.msg), /\[adapter\] MQTT_PAYLOAD: .*bad_json on t\/9: not JSON.*4 more/);
});
