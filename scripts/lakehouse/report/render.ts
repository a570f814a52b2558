/**
 * The alarm performance report as one self-contained HTML page, from the KPI
 * rows: a pure function (the time it was made is given, not read), so the
 * page can be tested without a lakehouse and renders the same twice.
 */
import { escapeHtml, formatDays } from './format.ts';
import type { KpiRows } from './kpis.ts';
import { type Period, periodDays, resolvePeriod } from './period.ts';
import { siteSection } from './site-section.ts';
import { REPORT_CSS } from './style.ts';
import { datesOf, sitesOf, summarizeSite } from './summary.ts';
import { GUIDELINE, REFERENCES } from './targets.ts';

export interface ReportInput {
  rows: KpiRows;
  /** One section per site; default every site in the rows. */
  sites?: readonly string[];
  /** First and last UTC day; default the first and last day in the rows. */
  from?: string;
  to?: string;
  generatedAt: Date;
  /** Where the rows came from (the warehouse), shown at the foot of the page. */
  source?: string;
}

/** Figure, guideline value, and the sources (numbers in REFERENCES, from 1) that give it. */
const GUIDELINES: readonly [string, string, string][] = [
  [
    'Average alarm rate',
    '≈ 1 alarm per 10 min is manageable, ≈ 2 per 10 min the maximum manageable',
    '1, 2, 3',
  ],
  ['Alarm flood', 'more than 10 alarms in 10 minutes', '1, 2, 3'],
  ['Peak alarm rate', 'at most 10 alarms in any 10 minutes', '2, 3'],
  ['Time in flood', 'less than ≈ 1 % of 10-minute windows', '2, 3'],
  ['Top 10 most frequent alarms', '≈ 1 % of the alarm load, 5 % at most, with an action plan', '2, 3'],
  ['Chattering and fleeting alarms', 'none; each one gets an action plan', '1, 2, 3'],
  ['Standing (stale) alarms', 'fewer than 5 on any day', '2, 3'],
  ['Priority distribution', '≈ 80 % low, 15 % medium, 5 % high (critical counted with high)', '1, 2, 3'],
  ['Shelving, suppression, out of service', 'only under approved, controlled procedures', '2, 3'],
  ['Basis', `at least ${GUIDELINE.minDays} days of data, per operator position`, '2, 3'],
];

const NOTES = [
  'Site figures add up all areas of the site; the guideline is per operator position, so where areas have ' +
    'operators of their own, hold each area\u2019s row in the area table against it.',
  'Rates count annunciated alarms (raise transitions of process alarms) per 10-minute window of the UTC day; ' +
    'a window without alarms counts as 0.',
  'The most frequent alarms add up each day\u2019s top 10 per area: an alarm outside a day\u2019s top 10 adds ' +
    'nothing for that day, so counts over several days are lower bounds.',
  'Standing alarms are counted per day; the figure is the worst day. Acknowledgement times count by the day of the ' +
    'ack, and their average is weighted by the number of acks.',
];

function header(period: Period | undefined, sites: readonly string[], input: ReportInput): string {
  const days = period ? periodDays(period) : 0;
  const item = (label: string, value: string, attributes = '') =>
    `<div><dt>${escapeHtml(label)}</dt><dd${attributes}>${escapeHtml(value)}</dd></div>`;
  const caution =
    period && days < GUIDELINE.minDays
      ? `<p class="caution">The guideline figures are meant to be judged over at least ${GUIDELINE.minDays} days of ` +
        `data; this period has ${escapeHtml(formatDays(days))}. Read them as indications.</p>`
      : '';
  return (
    '<header class="report"><div class="eyebrow">Alarm management · ISA-18.2 / EEMUA 191</div>' +
    '<h1>Alarm performance report</h1><dl class="meta">' +
    item(
      'Period (UTC)',
      period ? `${period.from} to ${period.to} · ${formatDays(days)}` : 'no data',
      period ? ` data-from="${period.from}" data-to="${period.to}" data-days="${days}"` : '',
    ) +
    item(sites.length === 1 ? 'Site' : 'Sites', sites.length > 0 ? sites.join(', ') : '–') +
    item('Generated', `${input.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`) +
    `</dl>${caution}</header>`
  );
}

function footer(source: string | undefined): string {
  return (
    '<footer class="report"><h2>Guideline values and method</h2>' +
    '<p>The commonly cited alarm performance figures for one operator position, from the sources below. ' +
    'They are guidance for judging an alarm system over time, not limits for a single day.</p>' +
    '<table class="guidelines"><thead><tr><th class="text">Figure</th><th class="text">Guideline</th>' +
    `<th class="text">Sources</th></tr></thead><tbody>${GUIDELINES.map(
      ([figure, value, sources]) =>
        `<tr><td class="text">${escapeHtml(figure)}</td><td class="text">${escapeHtml(value)}</td>` +
        `<td class="text">[${escapeHtml(sources)}]</td></tr>`,
    ).join('')}</tbody></table>` +
    `<ul>${NOTES.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>` +
    `<p><strong>Sources</strong></p><ol>${REFERENCES.map((ref) => `<li>${escapeHtml(ref)}</li>`).join('')}</ol>` +
    (source
      ? `<p class="source">Figures from the Iceberg tables alarm_kpi_windows, alarm_kpi_daily, alarm_kpi_top and ` +
        `alarm_kpi_ack in ${escapeHtml(source)}.</p>`
      : '') +
    '</footer>'
  );
}

function empty(): string {
  return (
    '<p class="empty" data-kpi="empty"><strong>No alarms in this period.</strong>' +
    'The KPI tables hold no rows for the sites and days chosen; has the KPI job ' +
    '(node scripts/lakehouse.ts run kpis --batch) run over them?</p>'
  );
}

export function renderReport(input: ReportInput): string {
  const sites = input.sites && input.sites.length > 0 ? [...input.sites] : sitesOf(input.rows);
  const period = resolvePeriod(datesOf(input.rows), { from: input.from, to: input.to });
  const sections =
    period && sites.length > 0
      ? sites
          .map((site, index) => siteSection(summarizeSite(input.rows, site, period), `site-${index + 1}`))
          .join('')
      : empty();
  const nav =
    period && sites.length > 1
      ? `<nav class="sites">Sites: ${sites.map((site, index) => `<a href="#site-${index + 1}">${escapeHtml(site)}</a>`).join('')}</nav>`
      : '';
  const titleText = `Alarm performance report${sites.length > 0 ? ` – ${sites.join(', ')}` : ''}${
    period ? ` – ${period.from} to ${period.to}` : ''
  }`;
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(titleText)}</title><style>${REPORT_CSS}</style></head>` +
    `<body><div class="page">${header(period, sites, input)}${nav}<main>${sections}</main>${footer(input.source)}</div></body></html>\n`
  );
}
