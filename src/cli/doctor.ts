/**
 * `gateway doctor --config site.yaml`: checks what a gateway needs to run
 * (a valid site file, every device reachable, the broker, the clock, room
 * for the buffer, a writable state directory) and prints one line per check
 * with what to do about each problem. Exit code 1 when a check failed;
 * warnings alone leave it at 0.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { probeDevice } from '../adapters/probe.ts';
import { DEFAULTS } from '../config/defaults.ts';
import { formatIssue, loadSiteFile } from '../config/load.ts';
import type { Device, SiteFile } from '../config/schema.ts';
import { probeBroker } from '../producer/broker-probe.ts';
import { GatewayError } from '../system/errors.ts';
import {
  checkClock,
  checkDiskSpace,
  checkNotifySender,
  checkStateDir,
  type DoctorCheck,
} from '../system/host-checks.ts';
import { resolveBufferPath, resolvePkiDir, resolveStateDir } from '../system/state-paths.ts';
import { createLogger } from '../telemetry/logger.ts';

/** A device clock this far from the gateway's makes source times and gateway times disagree visibly. */
const CLOCK_SKEW_WARN_MS = 5000;
const MARKS: Readonly<Record<DoctorCheck['status'], string>> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

export interface DoctorOptions {
  /** How long one device or the broker may take to answer. */
  timeoutMs: number;
  env?: Readonly<Record<string, string | undefined>>;
  out?: (text: string) => void;
}

export async function doctorCommand(file: string, options: DoctorOptions): Promise<number> {
  const env = options.env ?? process.env;
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  out(`gateway doctor: ${file}\n\n`);
  const result = loadSiteFile(file);
  if (!result.ok) {
    print(out, {
      status: 'fail',
      subject: 'site file',
      detail: `${result.issues.length} problem(s):\n${result.issues.map((issue) => `        ${formatIssue(issue)}`).join('\n')}`,
      fix: 'fix each problem; the other checks need a valid site file',
    });
    return summary(out, [{ status: 'fail', subject: '', detail: '' }]);
  }
  const site = result.site;
  const points = site.devices.reduce((sum, device) => sum + device.points.length, 0);
  const checks: DoctorCheck[] = [
    {
      status: 'ok',
      subject: 'site file',
      detail: `site ${site.site}, ${site.devices.length} devices, ${points} points`,
    },
  ];
  const [devices, broker] = await Promise.all([
    Promise.all(site.devices.map((device) => deviceChecks(site, device, env, options.timeoutMs))),
    brokerCheck(site, env, options.timeoutMs),
  ]);
  checks.push(...devices.flat(), broker);
  const bufferPath = resolveBufferPath(site, env);
  const buffer = site.gateway.buffer ?? {};
  checks.push(
    ...checkClock(Date.now(), builtAt()),
    checkDiskSpace(
      bufferPath,
      buffer.max_bytes ?? DEFAULTS.bufferMaxBytes,
      buffer.disk_reserve_bytes ?? DEFAULTS.diskReserveBytes,
    ),
    ...checkStateDir(resolveStateDir(site, env), bufferPath, process.getuid?.()),
    checkNotifySender(),
  );
  for (const check of checks) print(out, check);
  return summary(out, checks);
}

async function deviceChecks(
  site: SiteFile,
  device: Device,
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
): Promise<DoctorCheck[]> {
  const subject = `device ${device.id}`;
  const probe = await probeDevice(
    device,
    { logger: createLogger('silent'), gatewayId: site.gateway.id, env, pkiDir: resolvePkiDir(site, env) },
    timeoutMs,
  );
  if (!probe.reached) {
    const error = probe.error ?? new GatewayError('DEVICE_POLL', `no answer within ${timeoutMs} ms`);
    return [{ status: 'fail', subject, detail: `${error.code}: ${error.message}`, fix: error.todo }];
  }
  const bad = probe.readings.filter((reading) => reading.quality !== 'good');
  const checks: DoctorCheck[] = [];
  const read = `${probe.readings.length} value(s) read in ${probe.elapsedMs} ms`;
  if (bad.length > 0) {
    const examples = bad
      .slice(0, 3)
      .map((reading) => `${reading.pointId}: ${reading.qualityReason ?? reading.quality}`)
      .join('; ');
    checks.push({
      status: 'warn',
      subject,
      detail: `${read}, ${bad.length} not good (${examples}${bad.length > 3 ? '; ...' : ''})`,
      fix: 'check the address, register and type of those points against the device',
    });
  } else if (probe.readings.length === 0) {
    checks.push({
      status: 'warn',
      subject,
      detail: `connected, but no values arrived within ${timeoutMs} ms`,
      fix: 'check that the device publishes (topics, publish interval) or raise --timeout',
    });
  } else checks.push({ status: 'ok', subject, detail: `${read}, all good` });
  const skews = probe.readings
    .filter((reading) => reading.sourceTime !== undefined)
    .map((reading) => reading.gatewayTime - (reading.sourceTime as number));
  const worst = skews.reduce((max, skew) => (Math.abs(skew) > Math.abs(max) ? skew : max), 0);
  if (Math.abs(worst) > CLOCK_SKEW_WARN_MS) {
    checks.push({
      status: 'warn',
      subject: `${subject} clock`,
      detail: `its source times are ${Math.round(Math.abs(worst) / 1000)} s ${worst > 0 ? 'behind' : 'ahead of'} the gateway's clock`,
      fix: 'synchronize the device clock or the gateway clock; events carry the source time',
    });
  }
  return checks;
}

async function brokerCheck(
  site: SiteFile,
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
): Promise<DoctorCheck> {
  const probe = await probeBroker(site, { env, timeoutMs });
  if (!probe.ok) return { status: 'fail', subject: 'broker', detail: probe.summary };
  const detail = `${probe.brokers.join(',')}: ${probe.summary}`;
  if (probe.topics.every((topic) => topic.status === 'present'))
    return { status: 'ok', subject: 'broker', detail };
  return {
    status: 'warn',
    subject: 'broker',
    detail,
    fix: 'the gateway creates a missing topic at start when it may (CREATE on the cluster); otherwise create it, see docs/kafka-security.md',
  };
}

/** When this release was built: a clock before it is certainly wrong. */
function builtAt(): number {
  return statSync(fileURLToPath(import.meta.url)).mtimeMs;
}

function print(out: (text: string) => void, check: DoctorCheck): void {
  out(`  ${MARKS[check.status]}  ${check.subject.padEnd(24)} ${check.detail}\n`);
  if (check.fix && check.status !== 'ok') out(`        fix: ${check.fix}\n`);
}

function summary(out: (text: string) => void, checks: readonly DoctorCheck[]): number {
  const failed = checks.filter((check) => check.status === 'fail').length;
  const warned = checks.filter((check) => check.status === 'warn').length;
  out(`\n${failed} problem(s), ${warned} warning(s)\n`);
  return failed > 0 ? 1 : 0;
}
