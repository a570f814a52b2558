/**
 * The SQL launcher (lakehouse/launcher/RunSql.java) as the jobs rely on it:
 * statements split at semicolons outside strings, comments and statement
 * sets, hints kept, ${VARIABLES} substituted, SELECT rows printed as JSON
 * lines, and every failure an exit code 1 that names the file and line.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LakehouseRun, type RunOutcome } from '../../scripts/lakehouse/run.ts';
import { tempDir } from '../harness/fixtures.ts';

let temp: ReturnType<typeof tempDir>;
before(() => {
  temp = tempDir();
});
after(() => temp?.remove());

async function runSql(name: string, sql: string, vars: Record<string, string> = {}): Promise<RunOutcome> {
  const file = join(temp.dir, name);
  writeFileSync(file, sql);
  const run = await LakehouseRun.start({
    job: 'events',
    mode: 'batch',
    files: [file],
    prelude: false,
    brokers: 'unused:9092',
    eventTopics: ['unused'],
    warehouse: join(temp.dir, 'warehouse'),
    stateDir: join(temp.dir, name.replace('.sql', '')),
    heapMb: 384,
    vars,
  });
  return run.done;
}

test('statements, strings, comments, hints and variables', { timeout: 120_000 }, async () => {
  const outcome = await runSql(
    'good.sql',
    `-- a comment; with a semicolon
CREATE TEMPORARY VIEW words AS
SELECT * FROM (VALUES ('a;b', 1), ('it''s', 2), ('\${GREETING}', 3)) AS t(word, n); /* block; comment */
SET 'table.local-time-zone' = 'UTC';
SELECT word, n, CASE WHEN n > 1 THEN 'many' ELSE 'one' END AS how FROM words ORDER BY n;
SELECT /*+ BROADCAST(b) */ COUNT(*) AS total FROM words AS a JOIN words AS b ON a.n = b.n;
CREATE TEMPORARY TABLE sink (how STRING) WITH ('connector' = 'blackhole');
EXECUTE STATEMENT SET BEGIN
  INSERT INTO sink SELECT CASE WHEN n > 1 THEN 'many' ELSE 'one' END FROM words;
  INSERT INTO sink SELECT word FROM words;
END;
`,
    { GREETING: 'hello "there"' },
  );
  assert.equal(outcome.code, 0, outcome.stderr);
  // One job for the statement set, though an INSERT in it ends in CASE … END;
  assert.equal((outcome.stderr.match(/submitted \(.*good\.sql:8\)/g) ?? []).length, 1, outcome.stderr);
  assert.deepEqual(
    outcome.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
    [
      { word: 'a;b', n: 1, how: 'one' },
      { word: "it's", n: 2, how: 'many' },
      { word: 'hello "there"', n: 3, how: 'many' },
      { total: 3 },
    ],
  );
});

test('a failed statement or a missing variable ends the run with its file and line', {
  timeout: 120_000,
}, async () => {
  const failed = await runSql(
    'bad.sql',
    "CREATE TEMPORARY VIEW v AS SELECT 1 AS x;\n\nSELECT y\nFROM v;\nSELECT 'never';",
  );
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /bad\.sql:3: statement failed: .*Column 'y' not found/);
  assert.doesNotMatch(failed.stdout, /never/, 'nothing after the failed statement runs');

  const missing = await runSql('missing.sql', `SELECT 1;\nSELECT '\${NOT_SET}';`);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /missing\.sql:2: .*\$\{NOT_SET\} is not set/);
});
