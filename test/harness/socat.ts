/** Whether socat is installed (scripts/setup.sh installs the Debian package); tests that need it skip without. */
import { existsSync } from 'node:fs';

export function hasSocat(): boolean {
  return ['/usr/bin/socat', '/usr/local/bin/socat'].some((path) => existsSync(path));
}
