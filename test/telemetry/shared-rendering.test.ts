/** One rendering of the metrics for every scrape of a moment, with a clock the test turns. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedRendering } from '../../src/telemetry/shared-rendering.ts';

function counted(texts: Array<string | Error>) {
  let now = 0;
  let calls = 0;
  const rendering = new SharedRendering(
    async () => {
      const next = texts[calls++] ?? 'last';
      await new Promise((resolve) => setImmediate(resolve));
      if (next instanceof Error) throw next;
      return next;
    },
    500,
    () => now,
  );
  return { rendering, calls: () => calls, advance: (ms: number) => (now += ms) };
}

test('scrapes while a rendering runs wait for it instead of starting their own', async () => {
  const { rendering, calls } = counted(['a']);
  const texts = await Promise.all(Array.from({ length: 100 }, () => rendering.text()));
  assert.equal(calls(), 1);
  assert.deepEqual(new Set(texts), new Set(['a']));
});

test('a rendering answers for the reuse window, then a new one is made', async () => {
  const { rendering, calls, advance } = counted(['a', 'b']);
  assert.equal(await rendering.text(), 'a');
  advance(499);
  assert.equal(await rendering.text(), 'a');
  advance(1);
  assert.equal(await rendering.text(), 'b');
  assert.equal(calls(), 2);
});

test('a failed rendering fails its waiting scrapes and is not kept', async () => {
  const { rendering, calls } = counted([new Error('collect failed'), 'b']);
  const failed = await Promise.allSettled([rendering.text(), rendering.text()]);
  assert.deepEqual(
    failed.map((result) => result.status),
    ['rejected', 'rejected'],
  );
  assert.equal(await rendering.text(), 'b');
  assert.equal(calls(), 2);
});
