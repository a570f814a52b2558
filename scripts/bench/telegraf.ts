/**
 * Telegraf for the footprint comparison: a custom build with only the plugins
 * the comparison uses (Modbus in, Kafka out, line protocol), compiled from
 * the Go module proxy once and kept outside the repository, so a second run
 * starts at once. The first build takes about 3 minutes on 2 cores.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TELEGRAF_VERSION = '1.37.2';
const MODULE = 'github.com/influxdata/telegraf/cmd/telegraf';
/** Telegraf's opcua input is left out: the comparison covers Modbus only. */
export const TELEGRAF_TAGS = 'custom,inputs.modbus,outputs.kafka,serializers.influx';
/** Stamps the version `telegraf --version` prints, which a plain go install leaves as "unknown". */
const LDFLAGS = `-w -s -X github.com/influxdata/telegraf/internal.Version=${TELEGRAF_VERSION}`;
const BUILD_TIMEOUT_MS = 30 * 60_000;
const GO_CANDIDATES = ['/usr/local/go/bin/go', 'go'];

export type TelegrafBuild =
  | { ok: true; binary: string; version: string; built: boolean; seconds: number }
  | { ok: false; reason: string };

export function telegrafCacheDir(): string {
  return join(homedir(), '.cache', 'alarm-gateway', `telegraf-${TELEGRAF_VERSION}`);
}

async function findGo(): Promise<string | undefined> {
  for (const candidate of GO_CANDIDATES) {
    try {
      await run(candidate, ['version']);
      return candidate;
    } catch {
      // Not there; the next candidate may be.
    }
  }
  return undefined;
}

async function versionOf(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['--version']);
  return stdout.trim();
}

/** The cached binary, or a fresh build of it; a reason instead when Go is missing or the build fails. */
export async function ensureTelegraf(log: (line: string) => void): Promise<TelegrafBuild> {
  const dir = telegrafCacheDir();
  const binary = join(dir, 'bin', 'telegraf');
  const started = Date.now();
  if (existsSync(binary)) {
    try {
      const version = await versionOf(binary);
      if (version.includes(TELEGRAF_VERSION)) return { ok: true, binary, version, built: false, seconds: 0 };
      log(`the cached Telegraf at ${binary} says "${version}"; building it again`);
    } catch (error) {
      log(`the cached Telegraf at ${binary} does not run (${(error as Error).message}); building it again`);
    }
  }
  const go = await findGo();
  if (go === undefined)
    return { ok: false, reason: 'Go is not installed (looked for /usr/local/go/bin/go and go)' };
  // Built into a scratch directory and moved into place, so a build cut short never leaves a broken binary behind.
  const scratch = join(dir, 'building');
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  log(`building Telegraf ${TELEGRAF_VERSION} with tags ${TELEGRAF_TAGS} (about 3 minutes the first time) …`);
  try {
    await run(
      go,
      ['install', '-tags', TELEGRAF_TAGS, '-ldflags', LDFLAGS, `${MODULE}@v${TELEGRAF_VERSION}`],
      {
        cwd: dir,
        timeout: BUILD_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
        // Static and stripped, as Telegraf's own release packages are built.
        env: { ...process.env, GOBIN: scratch, GOFLAGS: '-mod=mod -buildvcs=false', CGO_ENABLED: '0' },
      },
    );
    mkdirSync(join(dir, 'bin'), { recursive: true });
    renameSync(join(scratch, 'telegraf'), binary);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' / ');
    return { ok: false, reason: `the Telegraf build failed: ${detail || (error as Error).message}` };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  log(`Telegraf built in ${Math.round(seconds)} s: ${binary}`);
  return { ok: true, binary, version: await versionOf(binary), built: true, seconds };
}
