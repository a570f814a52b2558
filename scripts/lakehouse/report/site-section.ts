/**
 * One site's part of the report: headline figures against the guideline,
 * the four charts, and the figures per area.
 */
import { ackChart, paretoChart, priorityChart, rateChart } from './charts.ts';
import { escapeHtml, formatCount, formatDuration, formatInstant, formatRate, formatShare } from './format.ts';
import { figure, tableHead, verdictBadge } from './html.ts';
import type { SiteSummary } from './summary.ts';
import { priorityColor } from './svg.ts';
import {
  averageVerdict,
  chatteringVerdict,
  floodShareVerdict,
  GUIDELINE,
  peakVerdict,
  standingVerdict,
  top10Verdict,
  type Verdict,
} from './targets.ts';

const NBSP = '\u00a0';

interface Tile {
  label: string;
  body: string;
  /** Markup: a detail may hold figures of its own. */
  detail: string;
  target: string;
  /** None for a figure without a guideline value. */
  verdict?: Verdict;
}

function tile({ label, body, detail, target, verdict }: Tile): string {
  return (
    `<div class="tile ${verdict ?? 'info'}"><div class="label">${escapeHtml(label)}</div>${body}` +
    `<div class="detail">${detail}</div>` +
    `<div class="target">${escapeHtml(target)}</div>${verdict ? verdictBadge(verdict) : ''}</div>`
  );
}

function headline(s: SiteSummary): string {
  const value = (kpi: string, number: number | null, shown: string) =>
    figure('div', kpi, number, shown, 'value');
  const tiles: Tile[] = [
    {
      label: 'Annunciated alarms',
      body: value('alarms', s.alarms, formatCount(s.alarms)),
      detail: `over ${figure('span', 'windows', s.windows, formatCount(s.windows))} ten-minute windows`,
      target: 'Raise transitions of process alarms',
    },
    {
      label: 'Average per 10 min',
      body: value('avg-per-10min', s.avgPer10min, formatRate(s.avgPer10min)),
      detail: escapeHtml(`${formatRate(s.avgPer10min * 6)} per hour`),
      target: `Guideline ≤${NBSP}${GUIDELINE.avgPer10min.acceptable} manageable, ≤${NBSP}${GUIDELINE.avgPer10min.maximum} maximum`,
      verdict: averageVerdict(s.avgPer10min),
    },
    {
      label: 'Peak 10 min',
      body: value('peak-10min', s.peak10min, formatCount(s.peak10min)),
      detail: escapeHtml(
        s.peakWindowStart ? `from ${formatInstant(s.peakWindowStart)}` : 'no alarm in any window',
      ),
      target: `Guideline ≤${NBSP}${GUIDELINE.floodAbove} (more is a flood)`,
      verdict: peakVerdict(s.peak10min),
    },
    {
      label: 'Windows in flood',
      body: value('flood-share', s.floodShare, formatShare(s.floodShare)),
      detail:
        `${figure('span', 'flood-windows', s.floodWindows, formatCount(s.floodWindows))} of ` +
        `${escapeHtml(formatCount(s.windows))} windows with more than ${GUIDELINE.floodAbove} alarms`,
      target: `Guideline <${NBSP}${formatShare(GUIDELINE.floodShare)} of windows`,
      verdict: floodShareVerdict(s.floodShare),
    },
    {
      label: 'Top 10 alarms, share of load',
      body: value('top10-share', s.top10Share, formatShare(s.top10Share)),
      detail: escapeHtml(
        `${formatCount(s.top.reduce((total, alarm) => total + alarm.alarms, 0))} alarms from ${s.top.length} conditions`,
      ),
      target: `Guideline ≈${NBSP}${formatShare(GUIDELINE.top10Share.acceptable)}, ≤${NBSP}${formatShare(GUIDELINE.top10Share.maximum)} maximum`,
      verdict: top10Verdict(s.top10Share),
    },
    {
      label: 'Chattering alarms',
      body: value('chattering', s.chattering, formatCount(s.chattering)),
      detail: 'raised 3 or more times within 60 s',
      target: 'Guideline 0 (each one needs action)',
      verdict: chatteringVerdict(s.chattering),
    },
    {
      label: 'Standing alarms, worst day',
      body: value('standing', s.standing, formatCount(s.standing)),
      detail: 'active for more than 24 h at the end of a day',
      target: `Guideline <${NBSP}${GUIDELINE.standingBelow} on any day`,
      verdict: standingVerdict(s.standing),
    },
    {
      label: 'Shelved · suppressed · out of service',
      body:
        '<div class="split">' +
        [
          ['shelved', s.shelved, 'shelved'],
          ['suppressed', s.suppressed, 'suppressed'],
          ['out-of-service', s.outOfService, 'out of service'],
        ]
          .map(
            ([kpi, n, label]) =>
              `<div>${figure('b', String(kpi), Number(n), formatCount(Number(n)))}${label}</div>`,
          )
          .join('') +
        '</div>',
      detail: 'transitions in the period',
      target: 'Only under approved, controlled procedures',
      ...(s.shelved + s.suppressed + s.outOfService > 0 ? { verdict: 'info' as const } : {}),
    },
  ];
  return `<div class="tiles headline">${tiles.map(tile).join('')}</div>`;
}

function ratePanel(s: SiteSummary): string {
  return (
    '<div class="panel"><h3>Alarm rate per 10 minutes</h3>' +
    `<p class="caption">Annunciated alarms of all areas in each 10-minute window, ${escapeHtml(s.period.from)} to ` +
    `${escapeHtml(s.period.to)} (UTC); a window without alarms counts as 0.</p>` +
    '<p class="legend"><span><i style="background:#2f6690"></i>alarms in a window</span>' +
    `<span><i style="background:#c0392b"></i>flood window (more than ${GUIDELINE.floodAbove})</span>` +
    `<span><i class="dash"></i>flood threshold</span></p>` +
    `${rateChart(s.rate, s.period)}</div>`
  );
}

function paretoPanel(s: SiteSummary): string {
  const rows = s.top
    .map(
      (alarm, index) =>
        `<tr data-rank="${index + 1}"><td>${index + 1}</td>` +
        figure('td', 'condition-id', null, alarm.conditionId, 'id') +
        `<td class="text nowrap"><span class="swatch" style="background:${priorityColor(alarm.priority)}"></span>` +
        `${escapeHtml(alarm.priority ?? '–')}</td>` +
        figure('td', 'alarms', alarm.alarms, formatCount(alarm.alarms)) +
        figure('td', 'share', alarm.share, formatShare(alarm.share)) +
        figure('td', 'cumulative', alarm.cumulative, formatShare(alarm.cumulative)) +
        '</tr>',
    )
    .join('');
  return (
    '<div class="panel pareto"><h3>Most frequent alarms</h3>' +
    '<p class="caption">The alarms with the most annunciations over the period (bars, coloured by priority) and their ' +
    'cumulative share of all annunciated alarms (line).</p>' +
    '<p class="legend"><span><i style="background:#c0392b"></i>high / critical</span>' +
    '<span><i style="background:#e08e0b"></i>medium</span><span><i style="background:#2f6690"></i>low</span>' +
    '<span><i style="background:#7b8794"></i>other</span><span>bars: alarms (left axis)</span>' +
    '<span><i class="cum"></i>cumulative share of all alarms (right axis)</span></p>' +
    paretoChart(s.top) +
    `<table class="top">${tableHead([
      { label: '#' },
      { label: 'Condition', text: true },
      { label: 'Priority', text: true },
      { label: 'Alarms' },
      { label: 'Share' },
      { label: 'Cumulative' },
    ])}<tbody>${rows}</tbody></table></div>`
  );
}

function priorityPanel(s: SiteSummary): string {
  const p = s.priorities;
  const row = (label: string, kpi: string, count: number, share: number | null, guide: number | null) =>
    `<tr data-priority="${kpi}"><td class="text">${escapeHtml(label)}</td>` +
    figure('td', `priority-${kpi}`, count, formatCount(count)) +
    figure('td', `priority-${kpi}-share`, share, share === null ? '' : formatShare(share)) +
    `<td>${guide === null ? '' : escapeHtml(formatShare(guide))}</td></tr>`;
  const shares = p.shares;
  return (
    '<div class="panel"><h3>Priority distribution</h3>' +
    '<p class="caption">Annunciated alarms by priority against the 80 / 15 / 5 % guideline; critical counts as ' +
    'high, diagnostic alarms are left out of the split.</p>' +
    '<p class="legend"><span><i class="priorities"></i>this period</span>' +
    '<span><i class="guide"></i>guideline</span></p>' +
    priorityChart(p) +
    `<table class="priorities">${tableHead([
      { label: 'Priority', text: true },
      { label: 'Alarms' },
      { label: 'Share' },
      { label: 'Guideline' },
    ])}<tbody>` +
    row('Critical', 'critical', p.critical, null, null) +
    row('High', 'high', p.high, null, null) +
    row(
      'High + critical',
      'high-critical',
      p.critical + p.high,
      shares?.high ?? null,
      GUIDELINE.priority.high,
    ) +
    row('Medium', 'medium', p.medium, shares?.medium ?? null, GUIDELINE.priority.medium) +
    row('Low', 'low', p.low, shares?.low ?? null, GUIDELINE.priority.low) +
    row('Diagnostic', 'diagnostic', p.diagnostic, null, null) +
    '</tbody></table></div>'
  );
}

function ackPanel(s: SiteSummary): string {
  const caption =
    '<p class="caption">From an alarm\'s raise to its acknowledgement, by the day of the ack: the average ' +
    '(dark, weighted by acks) within the longest (light).</p>';
  if (s.ack.length === 0) {
    return `<div class="panel"><h3>Time to acknowledge</h3>${caption}<p class="empty">No acknowledgements in this period.</p></div>`;
  }
  const rows = s.ack
    .map(
      (ack) =>
        `<tr data-priority="${escapeHtml(ack.priority)}"><td class="text">${escapeHtml(ack.priority)}</td>` +
        figure('td', 'acks', ack.acks, formatCount(ack.acks)) +
        figure('td', 'avg-ack-s', ack.avgS, formatDuration(ack.avgS)) +
        figure('td', 'max-ack-s', ack.maxS, formatDuration(ack.maxS)) +
        '</tr>',
    )
    .join('');
  return (
    `<div class="panel"><h3>Time to acknowledge</h3>${caption}${ackChart(s.ack)}` +
    `<table class="acks">${tableHead([
      { label: 'Priority', text: true },
      { label: 'Acks' },
      { label: 'Average' },
      { label: 'Longest' },
    ])}<tbody>${rows}</tbody></table></div>`
  );
}

function assessed(tag: string, kpi: string, value: number | null, shown: string, verdict: Verdict): string {
  return figure(tag, kpi, value, shown, verdict === 'ok' || verdict === 'info' ? undefined : verdict);
}

function areaPanel(s: SiteSummary): string {
  const rows = s.areas
    .map(
      (area) =>
        `<tr data-area="${escapeHtml(area.area)}"><td class="text">${escapeHtml(area.area)}</td>` +
        figure('td', 'alarms', area.alarms, formatCount(area.alarms)) +
        assessed(
          'td',
          'avg-per-10min',
          area.avgPer10min,
          formatRate(area.avgPer10min),
          averageVerdict(area.avgPer10min),
        ) +
        assessed(
          'td',
          'peak-10min',
          area.peak10min,
          formatCount(area.peak10min),
          peakVerdict(area.peak10min),
        ) +
        figure('td', 'flood-windows', area.floodWindows, formatCount(area.floodWindows)) +
        assessed(
          'td',
          'flood-share',
          area.floodShare,
          formatShare(area.floodShare),
          floodShareVerdict(area.floodShare),
        ) +
        assessed(
          'td',
          'top10-share',
          area.top10Share,
          formatShare(area.top10Share),
          top10Verdict(area.top10Share),
        ) +
        assessed(
          'td',
          'chattering',
          area.chattering,
          formatCount(area.chattering),
          chatteringVerdict(area.chattering),
        ) +
        assessed(
          'td',
          'standing',
          area.standing,
          formatCount(area.standing),
          standingVerdict(area.standing),
        ) +
        figure('td', 'shelved', area.shelved, formatCount(area.shelved)) +
        figure('td', 'suppressed', area.suppressed, formatCount(area.suppressed)) +
        figure('td', 'out-of-service', area.outOfService, formatCount(area.outOfService)) +
        '</tr>',
    )
    .join('');
  return (
    '<div class="panel"><h3>By area</h3>' +
    '<p class="caption">Each area\'s own figures; where an area has its own operator, these are the ones to hold ' +
    'against the per-operator guideline. Figures outside it are in colour.</p>' +
    `<div class="table-scroll"><table class="areas">${tableHead([
      { label: 'Area', text: true },
      { label: 'Alarms' },
      { label: 'Avg / 10 min' },
      { label: 'Peak 10 min' },
      { label: 'Flood windows' },
      { label: 'Flood share' },
      { label: 'Top 10 share' },
      { label: 'Chattering' },
      { label: 'Standing (worst day)' },
      { label: 'Shelved' },
      { label: 'Suppressed' },
      { label: 'Out of service' },
    ])}<tbody>${rows}</tbody></table></div></div>`
  );
}

export function siteSection(s: SiteSummary, anchor: string): string {
  const head =
    `<div class="site-head"><h2>Site ${escapeHtml(s.site)}</h2>` +
    `<span class="sub">${escapeHtml(s.period.from)} to ${escapeHtml(s.period.to)} · ` +
    `${escapeHtml(formatCount(s.days))} ${s.days === 1 ? 'day' : 'days'} · ${escapeHtml(String(s.areas.length))} ` +
    `${s.areas.length === 1 ? 'area' : 'areas'}</span></div>`;
  const body =
    s.alarms === 0
      ? '<p class="empty" data-kpi="empty"><strong>No alarms in this period.</strong>' +
        'The KPI tables hold no annunciated alarm for this site between these days.</p>'
      : ratePanel(s) +
        paretoPanel(s) +
        `<div class="row">${priorityPanel(s)}${ackPanel(s)}</div>` +
        areaPanel(s);
  return `<section class="site" id="${anchor}" data-site="${escapeHtml(s.site)}">${head}${headline(s)}${body}</section>`;
}
