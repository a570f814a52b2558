/**
 * How long the loader takes on generated OPC UA sites of growing size: valid,
 * with a mistake in every point, and with every point's rule merged from a
 * shared one. Time per point should stay flat as the site grows; the tests
 * check linearity by counting steps, this prints the times for the machine
 * it runs on (docs/device-map.md quotes them).
 *
 *   node scripts/site-file-timing.ts [points ...]   (default 1000 5000 10000)
 */
import { MAX_SITE_FILE_BYTES } from '../src/config/limits.ts';
import { parseSiteText } from '../src/config/load.ts';
import { type LargeSiteOptions, opcuaSite } from '../test/config/large-site.ts';

const sizes = process.argv.slice(2).map(Number).filter(Number.isFinite);
const counts = sizes.length > 0 ? sizes : [1_000, 5_000, 10_000];
const variants: [string, LargeSiteOptions][] = [
  ['valid', {}],
  ['a mistake in every point', { brokenPoints: true }],
  ['rules merged from one', { sharedRule: true }],
];

// The first load compiles the schema validator; keep that out of the figures.
parseSiteText(opcuaSite(10), 'warm-up.yaml');

process.stdout.write(`limit ${MAX_SITE_FILE_BYTES} bytes\n`);
for (const [name, options] of variants) {
  for (const points of counts) {
    const text = opcuaSite(points, options);
    const started = performance.now();
    const result = parseSiteText(text, 'generated.yaml');
    const ms = performance.now() - started;
    const outcome = result.ok ? 'valid' : `${result.issues.length} problems`;
    const perPoint = ((ms * 1000) / points).toFixed(0);
    process.stdout.write(
      `${name.padEnd(26)} ${String(points).padStart(6)} points ${(Buffer.byteLength(text) / 1e6).toFixed(2).padStart(5)} MB ` +
        `${ms.toFixed(0).padStart(6)} ms ${perPoint.padStart(5)} µs/point  ${outcome}\n`,
    );
  }
}
