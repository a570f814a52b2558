/**
 * A real systemd, running as PID 1 of its own PID, mount and cgroup
 * namespaces on this machine's root file system, so a test can start,
 * watchdog, stop and hand credentials to a service exactly as a gateway's
 * systemd does. No image to build: the box sees the machine's programs and
 * libraries, while everything it writes stays inside it:
 *
 * - /etc, /opt and /var are overlays whose changes live in the box's own
 *   directory (users, site file, units, the buffer), gone with the box;
 * - /run, /tmp and /etc/systemd/system are empty tmpfs mounts, so systemd
 *   starts only what the box is given: its own journald and the test's units;
 * - a cgroup2 hierarchy, rooted at a cgroup of its own, is mounted at
 *   /sys/fs/cgroup, where systemd expects it (the machine may still use v1);
 * - the network is the machine's, so services reach loopback ports of the test.
 *
 * The root mount is made shared inside the box: systemd prepares the
 * credentials of a service in a mount namespace of its own and moves the
 * mount to /run/credentials, which reaches systemd's namespace only through
 * mount propagation (systemd leaves that to the container manager).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './wait.ts';

const SYSTEMD = '/lib/systemd/systemd';
const SYSTEM_UNITS = '/lib/systemd/system';
const TOOLS = ['unshare', 'nsenter', 'setpriv', 'mount'];
/** Names of a box's directory and cgroup: the prefix, the pid of the test process, a suffix. */
const PREFIX = 'systemd-box-';

/** The box's journal, so service output and systemd's own messages can be read back. */
const JOURNALD_UNITS = [
  'systemd-journald.service',
  'systemd-journald.socket',
  'systemd-journald-dev-log.socket',
];

/**
 * Units every service pulls in (DefaultDependencies=yes) reduced to names: the
 * machine's own would start its whole boot (file systems, udev, getty ...).
 */
const BASE_UNITS: Record<string, string> = {
  'box.target':
    '[Unit]\nDescription=Test box\nWants=systemd-journald.socket systemd-journald-dev-log.socket\n',
  'sysinit.target': '[Unit]\nDescription=System Initialization (box)\n',
  'basic.target': '[Unit]\nDescription=Basic System (box)\n',
  'shutdown.target': '[Unit]\nDescription=Shutdown (box)\nDefaultDependencies=no\n',
};

/** Joins the cgroup, then makes the namespaces; the box dies with the test process (pdeathsig). */
const LAUNCH = String.raw`
set -eu
echo $$ > "$1/cgroup.procs"
exec setpriv --pdeathsig KILL unshare --pid --mount --cgroup --fork --mount-proc --kill-child=SIGKILL \
  bash -c "$2" box-init "$3"
`;

/** Runs as PID 1 of the new namespaces, then becomes systemd. */
const INIT = String.raw`
set -eu
box=$1
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir /run/no-generators
mount -t cgroup2 cgroup2 /sys/fs/cgroup
for dir in etc opt var; do
  mkdir -p "$box/upper/$dir" "$box/work/$dir"
  mount -t overlay overlay -o "lowerdir=/$dir,upperdir=$box/upper/$dir,workdir=$box/work/$dir" "/$dir"
done
mount -t tmpfs -o mode=0755 tmpfs /etc/systemd/system
cp -a "$box/units/." /etc/systemd/system/
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount --make-rshared /
export container=edge-box SYSTEMD_UNIT_PATH=/etc/systemd/system \
  SYSTEMD_GENERATOR_PATH=/run/no-generators SYSTEMD_ENVIRONMENT_GENERATOR_PATH=/run/no-generators
exec ${SYSTEMD} --system --unit=box.target --log-target=journal --log-color=no
`;

export interface BoxResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string;
  /** Killed after this long; default 60 s. */
  timeoutMs?: number;
}

export class SystemdBox {
  /** The box's directory on the machine: units to start with, overlay layers, systemd's console. */
  readonly dir: string;
  readonly #cgroup: string;
  readonly #launcher: ChildProcess;
  readonly #launcherExited: Promise<unknown>;
  #pid: number | undefined;
  #removeOnExit = () => this.#kill();

  private constructor(dir: string, cgroup: string, launcher: ChildProcess) {
    this.dir = dir;
    this.#cgroup = cgroup;
    this.#launcher = launcher;
    this.#launcherExited = once(launcher, 'exit');
    process.on('exit', this.#removeOnExit);
  }

  /** Why a box cannot be built on this machine, or undefined when it can. */
  static unavailable(): string | undefined {
    if (process.getuid?.() !== 0) return 'needs root (namespaces, mounts, cgroups)';
    if (!existsSync(SYSTEMD)) return `${SYSTEMD} is not installed (Debian package systemd)`;
    const path = (process.env.PATH ?? '').split(':');
    for (const tool of TOOLS) {
      if (!path.some((dir) => existsSync(join(dir, tool)))) return `${tool} is not installed (util-linux)`;
    }
    if (!cgroup2Mount()) return 'no cgroup2 hierarchy is mounted';
    return undefined;
  }

  /** Builds the box and waits until its systemd is up and idle. */
  static async start(): Promise<SystemdBox> {
    const mount = cgroup2Mount();
    if (!mount) throw new Error('no cgroup2 hierarchy is mounted');
    const parent = join(mount, ownCgroup());
    sweepLeftovers(parent);
    const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
    const units = join(dir, 'units');
    mkdirSync(units);
    for (const [name, text] of Object.entries(BASE_UNITS)) writeFileSync(join(units, name), text);
    for (const name of JOURNALD_UNITS) copyFileSync(join(SYSTEM_UNITS, name), join(units, name));

    const cgroup = join(parent, `${PREFIX}${process.pid}-${Date.now()}`);
    mkdirSync(cgroup);
    const consoleLog = join(dir, 'console.log');
    const log = openSync(consoleLog, 'a');
    const launcher = spawn('bash', ['-c', LAUNCH, 'box-launch', cgroup, INIT, dir], {
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const box = new SystemdBox(dir, cgroup, launcher);
    try {
      await until(
        () => {
          box.#pid = childOf(launcher.pid);
          return box.#pid !== undefined || launcher.exitCode !== null;
        },
        'the box to fork its init',
        10_000,
      );
      let state = '';
      await until(
        async () => {
          if (launcher.exitCode !== null) return true;
          state = (await box.run('systemctl', ['is-system-running'], { timeoutMs: 5000 })).stdout.trim();
          return state === 'running' || state === 'degraded';
        },
        'systemd in the box to finish starting',
        20_000,
        100,
      );
      if (launcher.exitCode !== null) {
        throw new Error(`the box exited (${launcher.exitCode}): ${readFileSync(consoleLog, 'utf8')}`);
      }
      if (state !== 'running') {
        const failed = await box.run('systemctl', ['--failed', '--no-legend']);
        throw new Error(`systemd in the box is ${state}: ${failed.stdout}`);
      }
      return box;
    } catch (error) {
      await box.stop();
      throw error;
    }
  }

  /** Runs a command inside the box (its mounts and PID namespace), as root. */
  run(command: string, args: readonly string[] = [], options: RunOptions = {}): Promise<BoxResult> {
    const pid = this.#pid;
    if (pid === undefined) return Promise.reject(new Error('the box is not running'));
    const child = spawn('nsenter', [`--target=${pid}`, '--mount', '--pid', '--', command, ...args], {
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8', SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** Like run(), but a non-zero exit is an error that shows what the command said. */
  async mustRun(command: string, args: readonly string[] = [], options: RunOptions = {}): Promise<string> {
    const result = await this.run(command, args, options);
    if (result.code !== 0) {
      throw new Error(
        `${[command, ...args].join(' ')} exited with ${result.code}: ${result.stderr}${result.stdout}`,
      );
    }
    return result.stdout;
  }

  /** A file inside the box, with its mode and owner (user:group). */
  async writeFile(path: string, content: string, mode = '0644', owner = 'root:root'): Promise<void> {
    const [user = 'root', group = 'root'] = owner.split(':');
    // Made empty with its mode first, so the content is never readable by others; stdin is a
    // socket, which install cannot open as /dev/stdin.
    const script = 'install -D -m "$1" -o "$2" -g "$3" /dev/null "$4" && cat > "$4"';
    await this.mustRun('bash', ['-c', script, 'write', mode, user, group, path], { input: content });
  }

  /** Unit properties as `systemctl show` reports them. */
  async show(unit: string, properties: readonly string[]): Promise<Record<string, string>> {
    const text = await this.mustRun('systemctl', [
      'show',
      unit,
      ...properties.map((name) => `--property=${name}`),
    ]);
    const values: Record<string, string> = {};
    for (const line of text.split('\n')) {
      const equals = line.indexOf('=');
      if (equals > 0) values[line.slice(0, equals)] = line.slice(equals + 1);
    }
    return values;
  }

  /** What the unit and systemd about it wrote to the journal, one message per line. */
  async journal(unit: string): Promise<string[]> {
    const text = await this.mustRun('journalctl', ['--unit', unit, '--output=cat', '--no-pager']);
    return text.split('\n').filter((line) => line !== '');
  }

  /** Kills systemd and with it everything in the box; removes its cgroup and directory. */
  async stop(): Promise<void> {
    this.#kill();
    if (this.#launcher.exitCode === null && this.#launcher.signalCode === null) await this.#launcherExited;
    process.off('exit', this.#removeOnExit);
    await until(
      () => removeCgroupTree(this.#cgroup),
      `the box's cgroup ${this.#cgroup} to empty`,
      10_000,
      50,
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGKILL to PID 1 of the box: the kernel then kills every process of its PID namespace. */
  #kill(): void {
    const target = this.#pid ?? this.#launcher.pid;
    if (target === undefined) return;
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Where the cgroup2 hierarchy is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid machine. */
function cgroup2Mount(): string | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [mountPart, fsPart] = line.split(' - ');
    if (fsPart?.startsWith('cgroup2 ')) return mountPart?.split(' ')[4];
  }
  return undefined;
}

/** This process's cgroup in the cgroup2 hierarchy; the box's cgroup goes below it. */
function ownCgroup(): string {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('0::'));
  return line?.slice(3) ?? '/';
}

/** The process unshare forked: PID 1 of the box, seen from outside. */
function childOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return children ? Number(children.split(' ')[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** Removes a cgroup and the ones systemd made below it, deepest first; false while processes remain. */
function removeCgroupTree(path: string): boolean {
  if (!existsSync(path)) return true;
  try {
    if (readFileSync(join(path, 'cgroup.procs'), 'utf8').trim()) return false;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory() && !removeCgroupTree(join(path, entry.name))) return false;
    }
    rmdirSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A test process killed outright takes its box along (pdeathsig) but leaves
 * the box's empty cgroup and its directory; those of dead processes go here.
 */
function sweepLeftovers(cgroupParent: string): void {
  for (const [parent, remove] of [
    [cgroupParent, removeCgroupTree],
    [tmpdir(), (path: string) => rmSync(path, { recursive: true, force: true })],
  ] as const) {
    for (const name of readdirSync(parent)) {
      const pid = name.startsWith(PREFIX) ? Number.parseInt(name.slice(PREFIX.length), 10) : 0;
      if (pid && !processExists(pid)) remove(join(parent, name));
    }
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
