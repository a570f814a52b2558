/**
 * Small helpers for the report's inline SVG charts: axis scales with round
 * ticks, and elements whose text is always escaped.
 */
import { escapeHtml } from './format.ts';

export const COLORS = {
  text: '#1f2933',
  muted: '#616e7c',
  grid: '#e4e7eb',
  axis: '#9aa5b1',
  bar: '#2f6690',
  flood: '#c0392b',
  guideline: '#bcc5ce',
  line: '#d4771c',
  critical: '#922b21',
  high: '#c0392b',
  medium: '#e08e0b',
  low: '#2f6690',
  diagnostic: '#7b8794',
} as const;

export function priorityColor(priority: string | null): string {
  switch (priority) {
    case 'critical':
      return COLORS.critical;
    case 'high':
      return COLORS.high;
    case 'medium':
      return COLORS.medium;
    case 'low':
      return COLORS.low;
    default:
      return COLORS.diagnostic;
  }
}

/** Coordinates with one decimal: enough on screen and in print, and the file stays small. */
export const px = (value: number): string => String(Math.round(value * 10) / 10);

export interface Scale {
  max: number;
  ticks: number[];
}

/** 0 up to a round maximum at or above `value`, with about `count` round ticks. */
export function niceScale(value: number, count = 5, steps: readonly number[] = [1, 2, 2.5, 5, 10]): Scale {
  const raw = Math.max(value, Number.MIN_VALUE) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = (steps.find((candidate) => candidate * magnitude >= raw) ?? 10) * magnitude;
  const max = Math.max(step, Math.ceil(value / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let tick = 0; tick <= max + step / 2; tick += step) ticks.push(Math.round(tick * 1e6) / 1e6);
  return { max, ticks };
}

/** Round steps for seconds: 1 s up to days. */
const DURATION_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400,
];

export function durationScale(seconds: number, count = 4): Scale {
  const raw = Math.max(seconds, 1) / count;
  const step = DURATION_STEPS.find((candidate) => candidate >= raw) ?? Math.ceil(raw / 86_400) * 86_400;
  const max = Math.max(step, Math.ceil(seconds / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let tick = 0; tick <= max; tick += step) ticks.push(tick);
  return { max, ticks };
}

export function svgOpen(width: number, height: number, label: string, className: string): string {
  return (
    `<svg class="chart ${className}" viewBox="0 0 ${width} ${height}" role="img" ` +
    `aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg">`
  );
}

export function text(
  x: number,
  y: number,
  content: string,
  options: { anchor?: 'start' | 'middle' | 'end'; className?: string; fill?: string } = {},
): string {
  const anchor = options.anchor && options.anchor !== 'start' ? ` text-anchor="${options.anchor}"` : '';
  const className = options.className ? ` class="${options.className}"` : '';
  const fill = options.fill ? ` fill="${options.fill}"` : '';
  return `<text x="${px(x)}" y="${px(y)}"${anchor}${className}${fill}>${escapeHtml(content)}</text>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, className: string): string {
  return `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}" class="${className}"/>`;
}

export function title(content: string): string {
  return `<title>${escapeHtml(content)}</title>`;
}
