/**
 * The report's charts as inline SVG strings: no script, no external file,
 * the same on screen and on paper. Every label from the data is escaped
 * (svg.ts); the page's stylesheet gives them their fonts and line styles.
 */
import { formatCount, formatDuration, formatShare } from './format.ts';
import { dayStartMs, type Period, WINDOW_MS } from './period.ts';
import type { AckFigure, PriorityFigures, TopAlarm } from './summary.ts';
import { COLORS, durationScale, line, niceScale, priorityColor, px, svgOpen, text, title } from './svg.ts';
import { GUIDELINE } from './targets.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Horizontal grid lines with their labels on the left. */
function yAxis(box: Box, ticks: readonly number[], max: number, label: (tick: number) => string): string {
  return ticks
    .map((tick) => {
      const y = box.top + box.height - (tick / max) * box.height;
      return (
        line(box.left, y, box.left + box.width, y, tick === 0 ? 'axis' : 'grid') +
        text(box.left - 6, y + 4, label(tick), { anchor: 'end', className: 'tick' })
      );
    })
    .join('');
}

/** Time labels for the x axis: hours within short periods, days or weeks in longer ones. */
function timeTicks(period: Period, windows: number): { at: number; label: string; day: boolean }[] {
  const spanMs = windows * WINDOW_MS;
  const every =
    [3, 6, 12, 24, 48, 168, 336, 672].map((h) => h * HOUR_MS).find((ms) => spanMs / ms <= 12) ?? 28 * DAY_MS;
  const start = dayStartMs(period.from);
  const ticks: { at: number; label: string; day: boolean }[] = [];
  for (let offset = 0; offset <= spanMs; offset += every) {
    const iso = new Date(start + offset).toISOString();
    const day = offset % DAY_MS === 0;
    ticks.push({ at: offset / spanMs, label: day ? iso.slice(5, 10) : iso.slice(11, 16), day });
  }
  return ticks;
}

/** (a) Annunciated alarms per 10-minute window over the period, floods in red, the flood line at 10. */
export function rateChart(rate: readonly number[], period: Period): string {
  const width = 1000;
  const height = 250;
  const box: Box = { left: 44, top: 14, width: 940, height: 196 };
  const peak = rate.reduce((max, alarms) => Math.max(max, alarms), 0);
  const { max, ticks } = niceScale(Math.max(peak, GUIDELINE.floodAbove + 2), 5, [1, 2, 5, 10]);
  const y = (alarms: number) => box.top + box.height - (alarms / max) * box.height;
  const slot = box.width / Math.max(rate.length, 1);
  // Over long periods a window is narrower than a pixel: bars keep a visible width (overlapping
  // neighbours draw the busiest), floods a little more, as they are what the chart is for.
  const barWidth = slot > 3 ? slot * 0.78 : Math.max(slot, 1);
  const floodWidth = Math.max(barWidth, 2.5);
  const bars = { normal: '', flood: '' };
  rate.forEach((alarms, index) => {
    if (alarms <= 0) return;
    const width = alarms > GUIDELINE.floodAbove ? floodWidth : barWidth;
    const x = box.left + index * slot + (slot - width) / 2;
    const path = `M${px(x)} ${px(box.top + box.height)}V${px(y(alarms))}h${px(width)}V${px(box.top + box.height)}z`;
    if (alarms > GUIDELINE.floodAbove) bars.flood += path;
    else bars.normal += path;
  });
  const xTicks = timeTicks(period, rate.length)
    .map(({ at, label, day }) => {
      const x = box.left + at * box.width;
      return (
        line(x, box.top, x, box.top + box.height + 4, day ? 'day' : 'tick-mark') +
        // The labels at the ends stay inside the chart.
        text(x, box.top + box.height + 18, label, {
          anchor: at === 0 ? 'start' : at === 1 ? 'end' : 'middle',
          className: day ? 'tick strong' : 'tick',
        })
      );
    })
    .join('');
  const floodY = y(GUIDELINE.floodAbove);
  return [
    svgOpen(width, height, 'Annunciated alarms per 10 minutes over the period', 'rate-chart'),
    yAxis(box, ticks, max, (tick) => formatCount(tick)),
    xTicks,
    `<path d="${bars.normal}" fill="${COLORS.bar}"/>`,
    `<path d="${bars.flood}" fill="${COLORS.flood}"/>`,
    line(box.left, floodY, box.left + box.width, floodY, 'flood-line'),
    text(box.left + box.width - 4, floodY - 5, `flood: more than ${GUIDELINE.floodAbove} alarms in 10 min`, {
      anchor: 'end',
      className: 'note flood-note',
    }),
    text(box.left + box.width / 2, height - 6, 'UTC', { anchor: 'middle', className: 'tick' }),
    '</svg>',
  ].join('');
}

/** (b) The most frequent alarms: bars of their counts, the line of their cumulative share of all alarms. */
export function paretoChart(top: readonly TopAlarm[]): string {
  const width = 1000;
  const height = 270;
  const box: Box = { left: 50, top: 22, width: 890, height: 206 };
  const { max, ticks } = niceScale(Math.max(...top.map((alarm) => alarm.alarms), 1), 5);
  const slot = box.width / Math.max(top.length, 1);
  const barWidth = Math.min(slot * 0.62, 70);
  const bottom = box.top + box.height;
  const y = (alarms: number) => bottom - (alarms / max) * box.height;
  const yShare = (share: number) => bottom - share * box.height;
  const bars = top
    .map((alarm, index) => {
      const center = box.left + slot * (index + 0.5);
      return (
        `<g class="bar">${title(`#${index + 1} ${alarm.conditionId}: ${formatCount(alarm.alarms)} alarms`)}` +
        `<rect x="${px(center - barWidth / 2)}" y="${px(y(alarm.alarms))}" width="${px(barWidth)}" ` +
        `height="${px(bottom - y(alarm.alarms))}" fill="${priorityColor(alarm.priority)}"/></g>` +
        text(center, y(alarm.alarms) - 5, formatCount(alarm.alarms), {
          anchor: 'middle',
          className: 'value',
        }) +
        text(center, bottom + 18, `#${index + 1}`, { anchor: 'middle', className: 'tick strong' })
      );
    })
    .join('');
  const points = top
    .map((alarm, index) => ({ x: box.left + slot * (index + 0.5), share: alarm.cumulative ?? 0 }))
    .map(({ x, share }) => ({ x, y: yShare(share), share }));
  const last = points.at(-1);
  const cumulative =
    `<polyline class="cumulative" points="${points.map((p) => `${px(p.x)},${px(p.y)}`).join(' ')}"/>` +
    points.map((p) => `<circle cx="${px(p.x)}" cy="${px(p.y)}" r="3.5" class="cumulative-point"/>`).join('') +
    // Only the last share is written out (the table has each): labels on every point crowd the bars'.
    (last
      ? text(last.x, last.y - 10, formatShare(last.share), {
          anchor: 'middle',
          className: 'cumulative-label',
        })
      : '');
  const rightAxis = [0, 0.25, 0.5, 0.75, 1]
    .map((share) =>
      text(box.left + box.width + 6, yShare(share) + 4, formatShare(share), { className: 'tick' }),
    )
    .join('');
  return [
    svgOpen(
      width,
      height,
      'The most frequent alarms and their cumulative share of all alarms',
      'pareto-chart',
    ),
    yAxis(box, ticks, max, (tick) => formatCount(tick)),
    rightAxis,
    bars,
    cumulative,
    '</svg>',
  ].join('');
}

/** (c) Annunciated alarms by priority (critical with high) next to the 80/15/5 guideline. */
export function priorityChart(figures: PriorityFigures): string {
  const width = 480;
  const groups = [
    {
      label: 'High + critical',
      priority: 'high',
      share: figures.shares?.high ?? 0,
      guide: GUIDELINE.priority.high,
    },
    {
      label: 'Medium',
      priority: 'medium',
      share: figures.shares?.medium ?? 0,
      guide: GUIDELINE.priority.medium,
    },
    { label: 'Low', priority: 'low', share: figures.shares?.low ?? 0, guide: GUIDELINE.priority.low },
  ];
  const box: Box = { left: 112, top: 8, width: 310, height: groups.length * 54 };
  const height = box.top + box.height + 28;
  const x = (share: number) => box.left + share * box.width;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (share) =>
        line(x(share), box.top, x(share), box.top + box.height, share === 0 ? 'axis' : 'grid') +
        text(x(share), box.top + box.height + 16, formatShare(share), {
          anchor: 'middle',
          className: 'tick',
        }),
    )
    .join('');
  const rows = groups
    .map((group, index) => {
      const top = box.top + index * 54 + 8;
      return (
        text(box.left - 8, top + 19, group.label, { anchor: 'end', className: 'label' }) +
        `<rect x="${px(box.left)}" y="${px(top)}" width="${px(x(group.share) - box.left)}" height="18" ` +
        `fill="${priorityColor(group.priority)}"/>` +
        text(x(group.share) + 5, top + 13, formatShare(group.share), { className: 'value' }) +
        `<rect x="${px(box.left)}" y="${px(top + 21)}" width="${px(x(group.guide) - box.left)}" height="10" ` +
        `class="guide-bar"/>` +
        text(x(group.guide) + 5, top + 30, `guideline ${formatShare(group.guide)}`, { className: 'note' })
      );
    })
    .join('');
  return [
    svgOpen(width, height, 'Annunciated alarms by priority against the 80/15/5 guideline', 'priority-chart'),
    grid,
    rows,
    '</svg>',
  ].join('');
}

/** (d) Time to acknowledge per priority: the average (dark) within the longest (light). */
export function ackChart(figures: readonly AckFigure[]): string {
  const width = 480;
  const rowHeight = 40;
  const box: Box = { left: 90, top: 8, width: 340, height: Math.max(figures.length, 1) * rowHeight };
  const height = box.top + box.height + 28;
  const { max, ticks } = durationScale(
    Math.max(...figures.map((figure) => figure.maxS ?? figure.avgS ?? 0), 1),
  );
  const x = (seconds: number) => box.left + (seconds / max) * box.width;
  const grid = ticks
    .map(
      (tick) =>
        line(x(tick), box.top, x(tick), box.top + box.height, tick === 0 ? 'axis' : 'grid') +
        text(x(tick), box.top + box.height + 16, tick === 0 ? '0' : formatDuration(tick), {
          anchor: 'middle',
          className: 'tick',
        }),
    )
    .join('');
  const rows = figures
    .map((figure, index) => {
      const top = box.top + index * rowHeight + 8;
      const color = priorityColor(figure.priority);
      const longest =
        figure.maxS === null
          ? ''
          : `<rect x="${px(box.left)}" y="${px(top)}" width="${px(x(figure.maxS) - box.left)}" height="24" ` +
            `fill="${color}" fill-opacity="0.25">${title(`longest ${formatDuration(figure.maxS)}`)}</rect>`;
      const average =
        figure.avgS === null
          ? ''
          : `<rect x="${px(box.left)}" y="${px(top + 6)}" width="${px(x(figure.avgS) - box.left)}" height="12" ` +
            `fill="${color}">${title(`average ${formatDuration(figure.avgS)}`)}</rect>`;
      return (
        text(box.left - 8, top + 16, figure.priority, { anchor: 'end', className: 'label' }) +
        longest +
        average
      );
    })
    .join('');
  return [
    svgOpen(width, height, 'Time to acknowledge by priority: average and longest', 'ack-chart'),
    grid,
    rows,
    '</svg>',
  ].join('');
}
