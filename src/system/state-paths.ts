/**
 * Where the gateway keeps its state on disk, as the service, the CLI commands
 * and the composition root all resolve it.
 */
import { isAbsolute, resolve } from 'node:path';
import { DEFAULTS } from '../config/defaults.ts';
import type { SiteFile } from '../config/schema.ts';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The state directory: systemd's STATE_DIRECTORY wins, then the site file,
 * then ./var. A relative path is taken from the working directory.
 */
export function resolveStateDir(site: SiteFile, env: Environment = process.env): string {
  return env.STATE_DIRECTORY?.split(':')[0] ?? site.gateway.state_dir ?? DEFAULTS.stateDir;
}

/** Where the OPC UA certificates live: the gateway's own, and trusted and rejected server certificates. */
export function resolvePkiDir(site: SiteFile, env: Environment = process.env): string {
  return resolve(resolveStateDir(site, env), DEFAULTS.pkiDir);
}

/** Where the buffer lives, relative to the state directory unless absolute. */
export function resolveBufferPath(site: SiteFile, env: Environment = process.env): string {
  const stateDir = resolveStateDir(site, env);
  const file = site.gateway.buffer?.path ?? DEFAULTS.bufferFile;
  return isAbsolute(file) ? file : resolve(stateDir, file);
}
