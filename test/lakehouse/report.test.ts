/**
 * The alarm performance report end to end: KPI rows written to Iceberg by
 * Flink (one batch run), `lakehouse.ts report` reading them back (one run per
 * report), the page opened in a real headless Chromium. The figures the
 * browser reads off the page must be the rows written, or their aggregates
 * worked out here from the rows, independently of the report's own code.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { KpiRows } from '../../scripts/lakehouse/report/kpis.ts';
import { runLakehouse } from '../../scripts/lakehouse/run.ts';
import { tempDir } from '../harness/fixtures.ts';
import { sampleKpis } from './fixtures/sample-kpis.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WINDOWS_PER_DAY = 144;
/** Set it to keep the screenshot of the full report (the temp dir is removed). */
const KEEP_SCREENSHOT = process.env.REPORT_SCREENSHOT;

// ---- the rows as SQL ----------------------------------------------------

type Kind = 'string' | 'bigint' | 'int' | 'double' | 'boolean' | 'instant';
type Cell = string | number | boolean | null;

/** A literal only: a VALUES row with an expression in it becomes an operator of its own in Flink's plan. */
function literal(kind: Kind, value: Cell): string {
  if (value === null) return 'NULL';
  if (kind === 'string') return `'${String(value).replaceAll("'", "''")}'`;
  if (kind === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (kind === 'instant') return String(Date.parse(String(value)));
  // An exponent makes it a DOUBLE literal rather than a DECIMAL of the digits written.
  return kind === 'double' ? Number(value).toExponential() : String(value);
}

function select(kind: Kind, column: string): string {
  switch (kind) {
    case 'bigint':
      return `CAST(${column} AS BIGINT)`;
    case 'double':
      return `CAST(${column} AS DOUBLE)`;
    case 'string':
      return `CAST(${column} AS STRING)`;
    case 'instant':
      return `TO_TIMESTAMP_LTZ(${column}, 3)`;
    default:
      return column;
  }
}

function insert<T extends object>(
  table: string,
  columns: [keyof T & string, Kind][],
  rows: readonly T[],
): string {
  const values = rows.map(
    (row) =>
      `(${columns.map(([name, kind]) => literal(kind, (row as Record<string, Cell>)[name] ?? null)).join(', ')})`,
  );
  return (
    `INSERT INTO lake.iiot.${table}
SELECT ${columns.map(([name, kind]) => select(kind, `c_${name}`)).join(', ')}
` +
    `FROM (VALUES
  ${values.join(',\n  ')}
) AS v(${columns.map(([name]) => `c_${name}`).join(', ')});`
  );
}

const COUNTS = [
  'chattering',
  'standing',
  'critical',
  'high',
  'medium',
  'low',
  'diagnostic',
  'shelved',
  'suppressed',
  'out_of_service',
] as const;

/** All four tables filled by one job (a statement set): one JVM, one commit per table. */
function insertSql(rows: KpiRows): string {
  return [
    'EXECUTE STATEMENT SET BEGIN',
    insert(
      'alarm_kpi_windows',
      [
        ['site', 'string'],
        ['area', 'string'],
        ['window_start', 'instant'],
        ['event_date', 'string'],
        ['alarms', 'bigint'],
        ['flood', 'boolean'],
      ],
      rows.windows,
    ),
    insert(
      'alarm_kpi_daily',
      [
        ['site', 'string'],
        ['area', 'string'],
        ['event_date', 'string'],
        ['alarms', 'bigint'],
        ['avg_per_10min', 'double'],
        ['peak_10min', 'bigint'],
        ['flood_windows', 'bigint'],
        ['flood_share', 'double'],
        ['top10_share', 'double'],
        ...COUNTS.map((name): [(typeof COUNTS)[number], Kind] => [name, 'bigint']),
      ],
      rows.daily,
    ),
    insert(
      'alarm_kpi_top',
      [
        ['site', 'string'],
        ['area', 'string'],
        ['event_date', 'string'],
        ['rank', 'int'],
        ['condition_id', 'string'],
        ['priority', 'string'],
        ['alarms', 'bigint'],
        ['share', 'double'],
      ],
      rows.top,
    ),
    insert(
      'alarm_kpi_ack',
      [
        ['site', 'string'],
        ['area', 'string'],
        ['event_date', 'string'],
        ['priority', 'string'],
        ['acks', 'bigint'],
        ['avg_ack_s', 'double'],
        ['max_ack_s', 'double'],
      ],
      rows.ack,
    ),
    'END;',
  ].join('\n');
}

// ---- what the page must show, worked out from the rows -----------------

interface Expected {
  headline: Record<string, number>;
  top: { conditionId: string; alarms: number; cumulative: number }[];
  priorities: Record<string, number>;
  ack: { priority: string; acks: number; avg: number; max: number }[];
  areas: Record<string, Record<string, number>>;
}

function expected(rows: KpiRows, site: string, from: string, to: string, days: number): Expected {
  const within = <T extends { site: string; event_date: string }>(list: T[]) =>
    list.filter((r) => r.site === site && r.event_date >= from && r.event_date <= to);
  const daily = within(rows.daily);
  const total = (list: typeof daily, key: keyof (typeof daily)[number]) =>
    list.reduce((sum, r) => sum + Number(r[key]), 0);
  const windows = days * WINDOWS_PER_DAY;
  const alarms = total(daily, 'alarms');

  const perWindow = new Map<string, number>();
  for (const r of within(rows.windows))
    perWindow.set(r.window_start, (perWindow.get(r.window_start) ?? 0) + r.alarms);
  const floods = [...perWindow.values()].filter((n) => n > 10).length;

  const perCondition = new Map<string, number>();
  for (const r of within(rows.top))
    perCondition.set(r.condition_id, (perCondition.get(r.condition_id) ?? 0) + r.alarms);
  // Ties in code-unit order of the condition id, as the report breaks them.
  const ranked = [...perCondition].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, 10);
  let running = 0;
  const top = ranked.map(([conditionId, n]) => {
    running += n;
    return { conditionId, alarms: n, cumulative: running / alarms };
  });

  const standingByDay = new Map<string, number>();
  for (const r of daily) standingByDay.set(r.event_date, (standingByDay.get(r.event_date) ?? 0) + r.standing);

  const acks = new Map<string, { acks: number; weighted: number; max: number }>();
  for (const r of within(rows.ack)) {
    const seen = acks.get(r.priority) ?? { acks: 0, weighted: 0, max: 0 };
    seen.acks += r.acks;
    seen.weighted += (r.avg_ack_s ?? 0) * r.acks;
    seen.max = Math.max(seen.max, r.max_ack_s ?? 0);
    acks.set(r.priority, seen);
  }
  const order = ['critical', 'high', 'medium', 'low'];

  const high = total(daily, 'critical') + total(daily, 'high');
  const split = high + total(daily, 'medium') + total(daily, 'low');
  const areas: Expected['areas'] = {};
  for (const area of new Set(daily.map((r) => r.area))) {
    const own = daily.filter((r) => r.area === area);
    areas[area] = {
      alarms: total(own, 'alarms'),
      'avg-per-10min': total(own, 'alarms') / windows,
      'peak-10min': Math.max(...own.map((r) => r.peak_10min)),
      'flood-windows': total(own, 'flood_windows'),
      chattering: total(own, 'chattering'),
      shelved: total(own, 'shelved'),
    };
  }
  return {
    headline: {
      alarms,
      windows,
      'avg-per-10min': alarms / windows,
      'peak-10min': Math.max(...perWindow.values()),
      'flood-windows': floods,
      'flood-share': floods / windows,
      'top10-share': top.reduce((sum, t) => sum + t.alarms, 0) / alarms,
      chattering: total(daily, 'chattering'),
      standing: Math.max(...standingByDay.values()),
      shelved: total(daily, 'shelved'),
      suppressed: total(daily, 'suppressed'),
      'out-of-service': total(daily, 'out_of_service'),
    },
    top,
    priorities: {
      'priority-critical': total(daily, 'critical'),
      'priority-high-critical': high,
      'priority-high-critical-share': high / split,
      'priority-medium-share': total(daily, 'medium') / split,
      'priority-low-share': total(daily, 'low') / split,
      'priority-diagnostic': total(daily, 'diagnostic'),
    },
    ack: [...acks]
      .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
      .map(([priority, seen]) => ({
        priority,
        acks: seen.acks,
        avg: seen.weighted / seen.acks,
        max: seen.max,
      })),
    areas,
  };
}

// ---- what the page shows, read in the browser ---------------------------

interface Shown {
  site: string;
  headline: Record<string, number>;
  top: { conditionId: string; alarms: number; cumulative: number }[];
  priorities: Record<string, number>;
  ack: { priority: string; acks: number; avg: number; max: number }[];
  areas: Record<string, Record<string, number>>;
}

/** Read with the DOM in the page (a string: this project's TypeScript has no DOM types). */
const READ_PAGE = `(() => {
  const values = (root, selector) => Object.fromEntries([...root.querySelectorAll(selector)]
    .filter((e) => e.dataset.value !== undefined).map((e) => [e.dataset.kpi, Number(e.dataset.value)]));
  const value = (root, kpi) => Number(root.querySelector('[data-kpi="' + kpi + '"]').dataset.value);
  return [...document.querySelectorAll('section.site')].map((section) => ({
    site: section.dataset.site,
    headline: values(section, '.headline [data-kpi]'),
    top: [...section.querySelectorAll('table.top tbody tr')].map((tr) => ({
      conditionId: tr.querySelector('[data-kpi="condition-id"]').textContent,
      alarms: value(tr, 'alarms'),
      cumulative: value(tr, 'cumulative'),
    })),
    priorities: values(section, 'table.priorities [data-kpi]'),
    ack: [...section.querySelectorAll('table.acks tbody tr')].map((tr) => ({
      priority: tr.dataset.priority, acks: value(tr, 'acks'), avg: value(tr, 'avg-ack-s'), max: value(tr, 'max-ack-s'),
    })),
    areas: Object.fromEntries([...section.querySelectorAll('table.areas tbody tr')]
      .map((tr) => [tr.dataset.area, values(tr, '[data-kpi]')])),
  }));
})()`;

function assertClose(actual: number | undefined, wanted: number, what: string): void {
  assert.ok(
    actual !== undefined && Math.abs(actual - wanted) < 1e-9,
    `${what}: ${actual} on the page, ${wanted} expected`,
  );
}

function assertShown(shown: Shown | undefined, want: Expected, site: string): void {
  assert.ok(shown, `a section for ${site}`);
  for (const [kpi, value] of Object.entries(want.headline))
    assertClose(shown.headline[kpi], value, `${site} ${kpi}`);
  assert.deepEqual(
    shown.top.map((t) => [t.conditionId, t.alarms]),
    want.top.map((t) => [t.conditionId, t.alarms]),
    `${site}: the top alarms, in order`,
  );
  for (const [i, t] of want.top.entries()) {
    assertClose(shown.top[i]?.cumulative, t.cumulative, `${site} cumulative #${i + 1}`);
  }
  for (const [kpi, value] of Object.entries(want.priorities))
    assertClose(shown.priorities[kpi], value, `${site} ${kpi}`);
  assert.deepEqual(
    shown.ack.map((a) => [a.priority, a.acks, a.max]),
    want.ack.map((a) => [a.priority, a.acks, a.max]),
    `${site}: acks per priority`,
  );
  for (const [i, a] of want.ack.entries()) {
    assertClose(shown.ack[i]?.avg, a.avg, `${site} ${a.priority} average ack`);
  }
  assert.deepEqual(Object.keys(shown.areas).sort(), Object.keys(want.areas).sort(), `${site}: the areas`);
  for (const [area, figures] of Object.entries(want.areas)) {
    for (const [kpi, value] of Object.entries(figures))
      assertClose(shown.areas[area]?.[kpi], value, `${site}/${area} ${kpi}`);
  }
}

function report(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/lakehouse.ts', 'report', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('alarm performance report from the lakehouse, in a browser', { timeout: 300_000 }, () => {
  const rows = sampleKpis();
  let temp: ReturnType<typeof tempDir>;
  let warehouse: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} missing: install Debian's chromium package (scripts/setup.sh does)`,
    );
    temp = tempDir('lakehouse-report-');
    warehouse = join(temp.dir, 'warehouse');
    const sql = join(temp.dir, 'kpi-rows.sql');
    writeFileSync(sql, insertSql(rows));
    const started = Date.now();
    await runLakehouse({
      job: 'kpis',
      mode: 'batch',
      files: [sql],
      brokers: 'unused:9092',
      eventTopics: ['unused'],
      warehouse,
      stateDir: join(temp.dir, 'fill'),
      restartAttempts: 0,
    });
    console.log(`# KPI rows written in ${Date.now() - started} ms`);
    // Running as root in CI needs --no-sandbox; the page is a local file.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    temp?.remove();
  });

  async function open(file: string): Promise<Shown[]> {
    await page.goto(`file://${file}`);
    return (await page.evaluate(READ_PAGE)) as Shown[];
  }

  test('every site over every day: the figures on the page are the rows written, added up', async () => {
    const out = join(temp.dir, 'out', 'report.html');
    const started = Date.now();
    const run = await report([
      '--warehouse',
      warehouse,
      '--state-dir',
      join(temp.dir, 'query'),
      '--out',
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), out, 'prints the path of the report');
    console.log(`# report written in ${Date.now() - started} ms`);

    const shown = await open(out);
    assert.deepEqual(
      shown.map((s) => s.site),
      ['north-plant', 'south-plant'],
    );
    const period = page.locator('[data-from]');
    assert.equal(await period.getAttribute('data-from'), '2024-03-04');
    assert.equal(await period.getAttribute('data-to'), '2024-03-05');
    for (const site of ['north-plant', 'south-plant']) {
      assertShown(
        shown.find((s) => s.site === site),
        expected(rows, site, '2024-03-04', '2024-03-05', 2),
        site,
      );
    }
    // The condition id with markup in it came through Flink and the page as text.
    assert.ok(
      shown[0]?.top.some((t) => t.conditionId === "north-plant/paint/booth-2/door <main> & 'aux'/open"),
      'the condition id with <, & and quotes is shown as it is',
    );
    assert.equal(await page.locator('section[data-site="south-plant"] .acks').count(), 0);
    assert.match(
      (await page.locator('section[data-site="south-plant"]').textContent()) ?? '',
      /No acknowledgements in this period/,
    );

    const screenshot = join(temp.dir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    const size = statSync(screenshot).size;
    assert.ok(size > 100_000, `a screenshot with charts and tables in it (${size} bytes)`);
    if (KEEP_SCREENSHOT) {
      mkdirSync(dirname(KEEP_SCREENSHOT), { recursive: true });
      copyFileSync(screenshot, KEEP_SCREENSHOT);
      console.log(`# screenshot: ${KEEP_SCREENSHOT}`);
    }
  });

  test('one site and one day: only that site, only that day', async () => {
    const out = join(temp.dir, 'north.html');
    const run = await report([
      '--warehouse',
      warehouse,
      '--state-dir',
      join(temp.dir, 'query'),
      '--site',
      'north-plant',
      '--from',
      '2024-03-05',
      '--to',
      '2024-03-05',
      '--out',
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const shown = await open(out);
    assert.deepEqual(
      shown.map((s) => s.site),
      ['north-plant'],
    );
    assertShown(shown[0], expected(rows, 'north-plant', '2024-03-05', '2024-03-05', 1), 'north-plant');
    assert.equal(await page.locator('[data-from]').getAttribute('data-days'), '1');
  });

  test('a reversed period is refused before any JVM starts', async () => {
    const run = await report(['--warehouse', warehouse, '--from', '2024-03-05', '--to', '2024-03-04']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ends \(2024-03-04\) before it starts \(2024-03-05\)/);
  });
});
