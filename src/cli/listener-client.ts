/**
 * How CLI commands reach the running service: over its local listener, at
 * the address and with the operator token its site file names. The service
 * applies the command, so the CLI and the status page act exactly alike.
 */
import { DEFAULTS } from '../config/defaults.ts';
import type { SiteFile } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';
import { readSecret, readSecretFile } from '../system/secret.ts';

export interface ListenerTarget {
  url: string;
  token: string | undefined;
}

export interface TargetOverrides {
  url?: string | undefined;
  tokenFile?: string | undefined;
}

export function listenerTarget(
  site: SiteFile,
  overrides: TargetOverrides,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ListenerTarget {
  const settings = site.gateway.listener ?? {};
  if (settings.enabled === false && overrides.url === undefined) {
    throw new GatewayError('CLI_GATEWAY', 'gateway.listener.enabled is false in the site file');
  }
  const host = settings.host ?? DEFAULTS.listenerHost;
  // A service listening on every address is reached on loopback from the same machine.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url =
    overrides.url ??
    `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${settings.port ?? DEFAULTS.listenerPort}/`;
  let token: string | undefined;
  if (overrides.tokenFile !== undefined) token = readSecretFile(overrides.tokenFile, 'CLI_GATEWAY').trim();
  else if (settings.operator_token) token = readSecret(settings.operator_token, env, 'CLI_GATEWAY').trim();
  return { url: url.endsWith('/') ? url : `${url}/`, token };
}

/** One request to the service; a refusal or no answer becomes a CLI_GATEWAY error naming why. */
export async function callListener<T>(
  target: ListenerTarget,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(new URL(path, target.url), {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new GatewayError('CLI_GATEWAY', `no answer from ${target.url}: ${reason}`);
  }
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (response.status >= 400 && response.status !== 409 && response.status !== 400) {
    throw new GatewayError('CLI_GATEWAY', `${response.status}: ${body.error ?? response.statusText}`);
  }
  return { status: response.status, body };
}
