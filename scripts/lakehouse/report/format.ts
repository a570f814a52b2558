/**
 * Text for the page: every string from the data goes through `escapeHtml`
 * (condition ids, sites and areas come from site files we do not control),
 * numbers are formatted the same way everywhere, in English, independent of
 * the machine's locale.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** For text and for attribute values (always double-quoted). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const upToTwoDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A non-breaking space between a number and its unit. */
const NBSP = '\u00a0';

export function formatCount(value: number): string {
  return integer.format(value);
}

/** Alarms per 10 minutes. */
export function formatRate(value: number): string {
  return twoDecimals.format(value);
}

/**
 * A share (0..1) as a percentage: small ones with the decimals that tell them
 * from the 1 % and 5 % guideline values, a share too small for 0.01 % not as 0.
 */
export function formatShare(share: number | null): string {
  if (share === null) return '–';
  const percent = share * 100;
  if (percent > 0 && percent < 0.01) return `<${NBSP}0.01${NBSP}%`;
  return `${percent >= 10 ? integer.format(percent) : upToTwoDecimals.format(percent)}${NBSP}%`;
}

/** Seconds as s, min s, or h min. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 10 && !Number.isInteger(seconds)) return `${oneDecimal.format(seconds)}${NBSP}s`;
  if (seconds < 60) return `${integer.format(seconds)}${NBSP}s`;
  const rounded = Math.round(seconds);
  if (rounded < 3600) {
    const s = rounded % 60;
    return `${Math.floor(rounded / 60)}${NBSP}min${s > 0 ? ` ${s}${NBSP}s` : ''}`;
  }
  const minutes = Math.round(seconds / 60);
  const m = minutes % 60;
  return `${integer.format(Math.floor(minutes / 60))}${NBSP}h${m > 0 ? ` ${m}${NBSP}min` : ''}`;
}

/** An ISO instant as "YYYY-MM-DD HH:MM UTC". */
export function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A day count with its unit. */
export function formatDays(days: number): string {
  return `${formatCount(days)}${NBSP}${days === 1 ? 'day' : 'days'}`;
}
