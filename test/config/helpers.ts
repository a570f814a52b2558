/** Inline site files for the config tests. */
import { formatIssue, parseSiteText } from '../../src/config/load.ts';

/**
 * A YAML block written indented inside a test: drops the first line break
 * and the indentation common to all lines, so line 1 of the file is the
 * first line after the backtick.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const lines = raw.split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)?.[0].length ?? 0);
  const common = Math.min(...indents);
  return lines.map((line) => line.slice(common)).join('\n');
}

export const FILE = 'site.yaml';

/** The formatted issues of a site text; empty when it is valid. */
export function problems(text: string): string[] {
  const result = parseSiteText(text, FILE);
  return result.ok ? [] : result.issues.map(formatIssue);
}

/**
 * A valid site around the given points (written from column 1): one device
 * whose `points:` key is on line 11, so the first point starts on line 12.
 */
export function withPoints(points: string): string {
  const header = yaml`
    site: demo
    gateway:
      id: gw-1
    devices:
      - id: plc-1
        protocol: modbus-tcp
        host: 10.0.0.1
        area: utilities
        line: steam
        asset: boiler-1
        points:
  `;
  const body = points
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `      ${line}\n`)
    .join('');
  return `${header}${body}`;
}
