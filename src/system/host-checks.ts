/**
 * What `gateway doctor` checks on the machine itself: the clock, the space
 * the buffer may take and the permissions of the state directory. Each
 * check says what it found and, when something is wrong, what to do.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DoctorCheck {
  status: 'ok' | 'warn' | 'fail';
  subject: string;
  detail: string;
  fix?: string;
}

/** A buffer file is about this many times its payload bytes (keys, headers, indexes): see the buffer docs. */
const FILE_PER_PAYLOAD_BYTE = 1.9;
const DAY_MS = 86_400_000;

/** The clock is not behind the release it runs, and a time service keeps it synchronized. */
export function checkClock(now: number, builtAt: number): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  if (now < builtAt - DAY_MS) {
    checks.push({
      status: 'fail',
      subject: 'clock',
      detail: `${new Date(now).toISOString()} is before this release was built (${new Date(builtAt).toISOString()})`,
      fix: 'set the clock (timedatectl set-ntp true, or a hardware clock with a battery); events carry wrong times until then',
    });
  } else {
    checks.push({ status: 'ok', subject: 'clock', detail: new Date(now).toISOString() });
  }
  const synchronized = spawnSync('timedatectl', ['show', '--property=NTPSynchronized', '--value'], {
    encoding: 'utf8',
    timeout: 2000,
  });
  const answer = synchronized.status === 0 ? synchronized.stdout.trim() : undefined;
  if (answer === 'yes') checks.push({ status: 'ok', subject: 'time sync', detail: 'synchronized (NTP)' });
  else
    checks.push({
      status: 'warn',
      subject: 'time sync',
      detail:
        answer === 'no'
          ? 'the clock is not synchronized'
          : 'cannot tell whether the clock is synchronized (no timedatectl answer)',
      fix: 'run a time service (systemd-timesyncd or chrony) against the plant or a public NTP server',
    });
  return checks;
}

/** Room on the buffer's file system for the largest buffer the site file allows, plus the reserve. */
export function checkDiskSpace(
  bufferPath: string,
  maxPayloadBytes: number,
  reserveBytes: number,
): DoctorCheck {
  const dir = existingAncestor(dirname(bufferPath));
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  const current = existsSync(bufferPath) ? statSync(bufferPath).size : 0;
  const wanted = maxPayloadBytes * FILE_PER_PAYLOAD_BYTE - current + reserveBytes;
  const detail = `${gib(free)} free on ${dir}; a full buffer takes about ${gib(maxPayloadBytes * FILE_PER_PAYLOAD_BYTE)} plus ${gib(reserveBytes)} reserve`;
  if (free < reserveBytes) {
    return {
      status: 'fail',
      subject: 'disk space',
      detail,
      fix: 'free space on that file system: the buffer refuses or drops events (when_full) below the reserve',
    };
  }
  if (free < wanted) {
    return {
      status: 'warn',
      subject: 'disk space',
      detail,
      fix: 'lower gateway.buffer.max_bytes or free space, or when_full applies before max_bytes is reached',
    };
  }
  return { status: 'ok', subject: 'disk space', detail };
}

/** The state directory and the buffer can be written by whoever runs the check. */
export function checkStateDir(stateDir: string, bufferPath: string, uid: number | undefined): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const asRoot = uid === 0;
  const target = existsSync(stateDir) ? stateDir : existingAncestor(stateDir);
  try {
    if (!statSync(target).isDirectory()) throw new Error(`${target} is not a directory`);
    accessSync(target, constants.W_OK | constants.X_OK);
    if (existsSync(bufferPath)) accessSync(bufferPath, constants.R_OK | constants.W_OK);
    checks.push({
      status: 'ok',
      subject: 'state directory',
      detail: existsSync(stateDir) ? `${stateDir} is writable` : `${stateDir} can be created in ${target}`,
    });
  } catch (error) {
    checks.push({
      status: 'fail',
      subject: 'state directory',
      detail: `${stateDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      fix: 'the service user must own the state directory and the buffer (systemd creates /var/lib/edge-alarm-gateway for it: StateDirectory=)',
    });
  }
  if (asRoot) {
    checks.push({
      status: 'warn',
      subject: 'permissions',
      detail: 'checked as root, who may write anywhere',
      fix: 'run the doctor as the service user: sudo -u edge-alarm-gateway /opt/edge-alarm-gateway/bin/gateway doctor --config ...',
    });
  }
  return checks;
}

/** The unit is Type=notify: without the notification sender (perl with Socket) systemd never sees the gateway ready. */
export function checkNotifySender(): DoctorCheck {
  const probe = spawnSync(
    'perl',
    ['-MSocket', '-e', 'socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "$!\\n"'],
    {
      encoding: 'utf8',
      timeout: 2000,
    },
  );
  if (probe.status === 0) {
    return { status: 'ok', subject: 'systemd notifications', detail: 'perl can send them' };
  }
  return {
    status: 'warn',
    subject: 'systemd notifications',
    detail: `perl cannot send them (${probe.error?.message ?? probe.stderr.trim()})`,
    fix: 'install perl-base: the service unit waits for readiness and feeds its watchdog through it',
  };
}

function existingAncestor(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)} GiB`
    : `${Math.round(bytes / 1024 ** 2)} MiB`;
}
