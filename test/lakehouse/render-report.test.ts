/**
 * The alarm performance report's renderer, without a lakehouse or a browser:
 * strings from the data cannot break out of the page, the page stands alone,
 * an empty period says so, windows without a row count as 0, and the figures
 * add up the KPI rows as the guideline metrics want.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  formatCount,
  formatDuration,
  formatRate,
  formatShare,
} from '../../scripts/lakehouse/report/format.ts';
import {
  type AckRow,
  type DailyRow,
  emptyKpiRows,
  type KpiRows,
  parseKpiRows,
  type TopRow,
  type WindowRow,
} from '../../scripts/lakehouse/report/kpis.ts';
import { resolvePeriod } from '../../scripts/lakehouse/report/period.ts';
import { kpiQuery } from '../../scripts/lakehouse/report/read-kpis.ts';
import { renderReport } from '../../scripts/lakehouse/report/render.ts';
import { summarizeSite } from '../../scripts/lakehouse/report/summary.ts';

const NOW = new Date('2024-03-06T07:00:00Z');
const NBSP = '\u00a0';

function daily(overrides: Partial<DailyRow> = {}): DailyRow {
  return {
    site: 'site-a',
    area: 'area-1',
    event_date: '2024-03-04',
    alarms: 0,
    avg_per_10min: 0,
    peak_10min: 0,
    flood_windows: 0,
    flood_share: 0,
    top10_share: null,
    chattering: 0,
    standing: 0,
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    diagnostic: 0,
    shelved: 0,
    suppressed: 0,
    out_of_service: 0,
    ...overrides,
  };
}

function window(window_start: string, alarms: number, overrides: Partial<WindowRow> = {}): WindowRow {
  return {
    site: 'site-a',
    area: 'area-1',
    window_start,
    event_date: window_start.slice(0, 10),
    alarms,
    flood: alarms > 10,
    ...overrides,
  };
}

function top(condition_id: string, alarms: number, overrides: Partial<TopRow> = {}): TopRow {
  return {
    site: 'site-a',
    area: 'area-1',
    event_date: '2024-03-04',
    rank: 1,
    condition_id,
    priority: 'low',
    alarms,
    share: 0,
    ...overrides,
  };
}

function ack(
  priority: string,
  acks: number,
  avg: number,
  max: number,
  overrides: Partial<AckRow> = {},
): AckRow {
  return {
    site: 'site-a',
    area: 'area-1',
    event_date: '2024-03-04',
    priority,
    acks,
    avg_ack_s: avg,
    max_ack_s: max,
    ...overrides,
  };
}

function rows(parts: Partial<KpiRows>): KpiRows {
  return { ...emptyKpiRows(), ...parts };
}

/** data-kpi name → data-value of the figures in a piece of markup, first occurrence of each. */
function figures(html: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const match of html.matchAll(/data-kpi="([^"]+)" data-value="([^"]*)"/g)) {
    const [, kpi, value] = match;
    if (kpi && !found.has(kpi)) found.set(kpi, Number(value));
  }
  return found;
}

function section(html: string, site: string): string {
  const start = html.indexOf(`data-site="${site}"`);
  assert.ok(start >= 0, `a section for ${site}`);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('report renderer', () => {
  test('strings from the data are escaped everywhere, and the page loads nothing from outside', () => {
    const hostile = '<script>alert("x")</script>';
    const html = renderReport({
      rows: rows({
        daily: [daily({ site: `"><img src=x onerror=alert(1)>`, area: '<b>area</b>', alarms: 5, low: 5 })],
        windows: [
          window('2024-03-04T01:00:00Z', 5, { site: `"><img src=x onerror=alert(1)>`, area: '<b>area</b>' }),
        ],
        top: [top(hostile, 5, { site: `"><img src=x onerror=alert(1)>`, priority: '<i>p</i>' })],
        ack: [ack("'low' & <u>", 5, 12, 30, { site: `"><img src=x onerror=alert(1)>` })],
      }),
      generatedAt: NOW,
      source: '/tmp/<warehouse>',
    });
    assert.doesNotMatch(html, /<script/i, 'no script element, hostile or own');
    assert.doesNotMatch(html, /<img/i);
    assert.doesNotMatch(html, /<b>area|<i>p|<u>|<warehouse>/);
    assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
    assert.match(html, /data-site="&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;"/);
    assert.match(html, /&#39;low&#39; &amp; &lt;u&gt;/);
    // Self-contained: no external script, style sheet, font, image or link.
    assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//i);
    assert.doesNotMatch(html, /@import|url\(|<link/i);
  });

  test('no rows: a clear "no alarms in this period" page', () => {
    const html = renderReport({ rows: emptyKpiRows(), generatedAt: NOW });
    assert.match(html, /data-kpi="empty"/);
    assert.match(html, /No alarms in this period\./);
    assert.match(html, /no data/);
    assert.doesNotMatch(html, /<svg/);
    assert.match(html, /<footer class="report">/, 'the guideline values are still there');
  });

  test('a site and period given but without rows: that site, its period, no alarms', () => {
    const html = renderReport({
      rows: emptyKpiRows(),
      sites: ['site-b'],
      from: '2024-03-01',
      to: '2024-03-02',
      generatedAt: NOW,
    });
    const part = section(html, 'site-b');
    assert.match(part, /No alarms in this period\./);
    assert.equal(figures(part).get('alarms'), 0);
    assert.equal(figures(part).get('windows'), 288);
    assert.match(html, /data-from="2024-03-01" data-to="2024-03-02" data-days="2"/);
  });

  test('windows without a row count as 0; areas add up per window; the flood is over 10', () => {
    const data = rows({
      daily: [daily({ alarms: 21, low: 21 }), daily({ area: 'area-2', alarms: 6, low: 6 })],
      windows: [
        window('2024-03-04T00:10:00Z', 7),
        window('2024-03-04T00:10:00Z', 4, { area: 'area-2' }),
        window('2024-03-04T12:00:00Z', 2),
        window('2024-03-04T23:50:00Z', 12),
        window('2024-03-05T00:00:00Z', 99, { event_date: '2024-03-05' }),
        window('2024-03-04T05:00:00Z', 9, { site: 'site-b' }),
      ],
    });
    const summary = summarizeSite(data, 'site-a', { from: '2024-03-04', to: '2024-03-04' });
    assert.equal(summary.rate.length, 144);
    assert.equal(summary.rate[1], 11, 'two areas in one window');
    assert.equal(summary.rate[72], 2);
    assert.equal(summary.rate[143], 12);
    assert.equal(summary.rate.filter((alarms) => alarms === 0).length, 141);
    assert.equal(summary.peak10min, 12);
    assert.equal(summary.peakWindowStart, '2024-03-04T23:50:00.000Z');
    assert.equal(summary.floodWindows, 2);
    assert.equal(summary.floodShare, 2 / 144);
    assert.equal(summary.avgPer10min, 27 / 144);

    const html = renderReport({ rows: data, from: '2024-03-04', to: '2024-03-04', generatedAt: NOW });
    const headline = figures(section(html, 'site-a'));
    assert.equal(headline.get('alarms'), 27);
    assert.equal(headline.get('peak-10min'), 12);
    assert.equal(headline.get('flood-windows'), 2);
    assert.equal(headline.get('flood-share'), 2 / 144);
    // Only the non-empty windows are drawn: one bar path per colour, a segment per window.
    const rate = html.slice(
      html.indexOf('class="chart rate-chart'),
      html.indexOf('</svg>', html.indexOf('rate-chart')),
    );
    assert.equal(rate.match(/M[\d.]+ [\d.]+V/g)?.length, 3);
  });

  test('numbers are formatted in English with units, whatever the locale', () => {
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(formatRate(1 / 3), '0.33');
    assert.equal(formatRate(12), '12.00');
    assert.equal(formatShare(1 / 144), `0.69${NBSP}%`);
    assert.equal(formatShare(0.0104), `1.04${NBSP}%`);
    assert.equal(formatShare(0.05), `5${NBSP}%`);
    assert.equal(formatShare(0.7353), `74${NBSP}%`);
    assert.equal(formatShare(0.00001), `<${NBSP}0.01${NBSP}%`);
    assert.equal(formatShare(0), `0${NBSP}%`);
    assert.equal(formatShare(null), '–');
    assert.equal(formatDuration(4.25), `4.3${NBSP}s`);
    assert.equal(formatDuration(42), `42${NBSP}s`);
    assert.equal(formatDuration(150), `2${NBSP}min 30${NBSP}s`);
    assert.equal(formatDuration(3725), `1${NBSP}h 2${NBSP}min`);

    const html = renderReport({
      rows: rows({ daily: [daily({ alarms: 12345, low: 12345 })] }),
      generatedAt: NOW,
    });
    assert.match(html, /data-kpi="alarms" data-value="12345">12,345</);
    assert.match(html, /data-kpi="avg-per-10min" data-value="85.72916666666667">85.73</);
  });

  test('the top alarms add up over days and areas; shares are of all the site’s alarms', () => {
    const data = rows({
      daily: [
        daily({ alarms: 60, low: 40, medium: 15, high: 3, critical: 2, diagnostic: 7 }),
        daily({ event_date: '2024-03-05', alarms: 40, low: 40 }),
      ],
      top: [
        top('a', 10),
        top('b', 12, { priority: 'high' }),
        top('a', 5, { event_date: '2024-03-05', area: 'area-2', priority: 'medium' }),
        ...Array.from({ length: 10 }, (_, i) => top(`c${i}`, 1, { event_date: '2024-03-05' })),
      ],
    });
    const summary = summarizeSite(data, 'site-a', { from: '2024-03-04', to: '2024-03-05' });
    assert.deepEqual(
      summary.top.slice(0, 3).map((alarm) => [alarm.conditionId, alarm.alarms, alarm.priority]),
      [
        ['a', 15, 'medium'],
        ['b', 12, 'high'],
        ['c0', 1, 'low'],
      ],
    );
    assert.equal(summary.top.length, 10);
    assert.equal(summary.top[1]?.cumulative, 27 / 100);
    assert.equal(summary.top10Share, (15 + 12 + 8) / 100);
    assert.deepEqual(summary.priorities.shares, { high: 5 / 100, medium: 15 / 100, low: 80 / 100 });
  });

  test('ack times are weighted by acks over the period, priorities in their order', () => {
    const data = rows({
      ack: [
        ack('low', 10, 100, 400),
        ack('low', 30, 20, 90, { event_date: '2024-03-05' }),
        ack('critical', 2, 15, 20),
        ack('custom', 1, 5, 5),
      ],
    });
    const summary = summarizeSite(data, 'site-a', { from: '2024-03-04', to: '2024-03-05' });
    assert.deepEqual(summary.ack, [
      { priority: 'critical', acks: 2, avgS: 15, maxS: 20 },
      { priority: 'low', acks: 40, avgS: (10 * 100 + 30 * 20) / 40, maxS: 400 },
      { priority: 'custom', acks: 1, avgS: 5, maxS: 5 },
    ]);
  });

  test('the period: given days, or the days present; a reversed one is refused', () => {
    assert.equal(resolvePeriod([], {}), undefined);
    assert.deepEqual(resolvePeriod(['2024-03-05', '2024-03-01', '2024-03-03'], {}), {
      from: '2024-03-01',
      to: '2024-03-05',
    });
    assert.deepEqual(resolvePeriod(['2024-03-05'], { from: '2024-03-02' }), {
      from: '2024-03-02',
      to: '2024-03-05',
    });
    assert.deepEqual(resolvePeriod([], { to: '2024-03-02' }), { from: '2024-03-02', to: '2024-03-02' });
    assert.throws(
      () => resolvePeriod([], { from: '2024-03-02', to: '2024-03-01' }),
      /ends .* before it starts/,
    );
  });

  test('the query: one SELECT per table, tagged; the site quoted, dates checked', () => {
    const sql = kpiQuery({ site: "o'brien", from: '2024-03-01', to: '2024-03-31' });
    assert.equal(sql.match(/^SELECT '(windows|daily|top|ack)' AS kpi, /gm)?.length, 4);
    assert.match(
      sql,
      /WHERE site = 'o''brien' AND event_date >= '2024-03-01' AND event_date <= '2024-03-31';/,
    );
    assert.throws(() => kpiQuery({ from: "2024-03-01' OR 1=1 --" }), /not a date/);
    assert.throws(() => kpiQuery({ to: '2024-02-30' }), /not a date/);
    const parsed = parseKpiRows([
      { kpi: 'daily', site: 's', area: 'a', event_date: '2024-03-01', alarms: 3, top10_share: null },
      { kpi: 'windows', site: 's', area: 'a', window_start: '2024-03-01T00:00:00Z', alarms: 3, flood: false },
      { kpi: 'ack', site: 's', area: 'a', priority: 'low', acks: 1, avg_ack_s: 2.5, max_ack_s: null },
    ]);
    assert.equal(parsed.daily[0]?.alarms, 3);
    assert.equal(parsed.daily[0]?.chattering, 0, 'a NULL count is 0');
    assert.equal(parsed.windows.length, 1);
    assert.equal(parsed.ack[0]?.max_ack_s, null);
  });
});
