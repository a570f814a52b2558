/**
 * Building blocks of the report's markup. Numbers carry their exact value in
 * data-value next to a data-kpi name, so a test or a scraper reads figures
 * without parsing formatted text.
 */
import { escapeHtml } from './format.ts';
import { VERDICT_LABEL, type Verdict } from './targets.ts';

/** An element holding one figure: its name, its exact value and the formatted text. */
export function figure(
  tag: string,
  kpi: string,
  value: number | null,
  shown: string,
  className?: string,
): string {
  const data = value === null ? '' : ` data-value="${escapeHtml(String(value))}"`;
  const cls = className ? ` class="${className}"` : '';
  return `<${tag}${cls} data-kpi="${escapeHtml(kpi)}"${data}>${escapeHtml(shown)}</${tag}>`;
}

export function verdictBadge(verdict: Verdict): string {
  return `<span class="verdict ${verdict}" data-verdict="${verdict}">${VERDICT_LABEL[verdict]}</span>`;
}

export interface Column {
  label: string;
  text?: boolean;
}

export function tableHead(columns: readonly Column[]): string {
  return `<thead><tr>${columns
    .map((column) => `<th${column.text ? ' class="text"' : ''}>${escapeHtml(column.label)}</th>`)
    .join('')}</tr></thead>`;
}
