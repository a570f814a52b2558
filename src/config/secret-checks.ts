/**
 * A secret (a password) comes from exactly one place, a file or an environment
 * variable, and never from the site file itself: JSON Schema can say which keys
 * exist but not "exactly one of them".
 */
import type { CheckContext } from './check-context.ts';
import { isRecord, type Path } from './paths.ts';

export function checkSecret(context: CheckContext, secret: unknown, path: Path): void {
  if (!isRecord(secret) || !context.clean(path)) return;
  const given = ['file', 'env'].filter((key) => secret[key] !== undefined);
  if (given.length === 1) return;
  const message =
    given.length === 0
      ? 'needs "file" (a file holding the password) or "env" (a variable holding it); passwords are never inline'
      : 'give either "file" or "env", not both';
  context.report('CONFIG_SCHEMA', path, 'container', message);
}
