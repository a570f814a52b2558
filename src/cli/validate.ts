import { formatIssue, loadSiteFile } from '../config/load.ts';

/** Prints every problem of a site file at once; exit code 1 when there is any. */
export function validateCommand(file: string): number {
  const result = loadSiteFile(file);
  if (!result.ok) {
    for (const issue of result.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    process.stderr.write(
      `${file}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}\n`,
    );
    return 1;
  }
  const points = result.site.devices.reduce((sum, device) => sum + device.points.length, 0);
  process.stdout.write(
    `${file}: valid (site ${result.site.site}, ${result.site.devices.length} devices, ${points} points)\n`,
  );
  return 0;
}
