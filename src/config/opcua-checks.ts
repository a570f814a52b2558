/**
 * Consistency of one OPC UA device: security mode against policy, where a
 * password comes from, and each point against its alarm rules.
 */
import { type CheckContext, checkUniqueIds, cleanKeys, entries } from './check-context.ts';
import type { Path } from './paths.ts';
import { checkRule, RULE_KINDS } from './rule-checks.ts';

export function checkOpcuaDevice(context: CheckContext, device: Record<string, unknown>, path: Path): void {
  checkSecurity(context, device, path);
  if (device.mode === 'poll' && device.native_conditions !== undefined && context.clean([...path, 'mode'])) {
    const message =
      'native_conditions need mode subscribe: conditions arrive as events, which a poll cannot read';
    context.report('CONFIG_SCHEMA', [...path, 'native_conditions'], 'key', message);
  }
  checkUser(context, device.user, [...path, 'user']);
  const points = entries(device.points, [...path, 'points']);
  checkUniqueIds(context, points, 'point');
  checkUniqueNodes(context, points);
  for (const point of points) checkPoint(context, point.item, point.path);
}

/** Policy None means no message security, and message security needs a real policy. */
function checkSecurity(context: CheckContext, device: Record<string, unknown>, path: Path): void {
  if (!cleanKeys(context, path, 'security_mode', 'security_policy')) return;
  const mode = device.security_mode ?? 'SignAndEncrypt';
  const policy = device.security_policy;
  if (mode === 'None' && policy !== undefined && policy !== 'None') {
    const message = `security_policy ${String(policy)} needs security_mode Sign or SignAndEncrypt (security_mode is None)`;
    context.report('CONFIG_SCHEMA', [...path, 'security_policy'], 'value', message);
  }
  if (mode !== 'None' && policy === 'None') {
    const message = `security_mode ${String(mode)} needs a security policy other than None (e.g. Basic256Sha256)`;
    context.report('CONFIG_SCHEMA', [...path, 'security_policy'], 'value', message);
  }
}

/** A password is read from exactly one place, and never from the site file itself. */
function checkUser(context: CheckContext, user: unknown, path: Path): void {
  if (typeof user !== 'object' || user === null || !context.clean(path)) return;
  const identity = user as Record<string, unknown>;
  if (identity.kind !== 'username') return;
  const sources = ['password_file', 'password_env'].filter((key) => identity[key] !== undefined);
  if (sources.length === 1) return;
  const message =
    sources.length === 0
      ? 'a username needs its password from password_file or password_env (never inline)'
      : 'give the password in one place: password_file or password_env, not both';
  context.report('CONFIG_SCHEMA', path, 'container', message);
}

/** Two points on one node would subscribe to it twice and raise the same alarms twice. */
function checkUniqueNodes(
  context: CheckContext,
  points: { item: Record<string, unknown>; path: Path }[],
): void {
  const first = new Map<string, Path>();
  for (const { item, path } of points) {
    const nodePath = [...path, 'node_id'];
    if (typeof item.node_id !== 'string' || !context.clean(nodePath)) continue;
    const earlier = first.get(item.node_id);
    if (earlier === undefined) {
      first.set(item.node_id, nodePath);
      continue;
    }
    const message = `duplicate node_id "${item.node_id}" (first used at line ${context.lineOf(earlier)})`;
    context.report('CONFIG_REFERENCE', nodePath, 'value', message);
  }
}

function checkPoint(context: CheckContext, point: Record<string, unknown>, path: Path): void {
  const rules = entries(point.alarms, [...path, 'alarms']).filter(({ item }) => RULE_KINDS.has(item.kind));
  checkUniqueIds(context, rules, 'alarm rule');
  if (!cleanKeys(context, path, 'type')) return;
  const boolean = point.type === 'bool';
  if (boolean && point.deadband !== undefined) {
    const message = 'a deadband only applies to numeric points (this point is bool)';
    context.report('CONFIG_SCHEMA', [...path, 'deadband'], 'key', message);
  }
  for (const rule of rules) checkRule(context, boolean ? 'bool' : 'float64', rule.item, rule.path);
}
