/**
 * Installs the gateway as a system service inside a SystemdBox, in the layout
 * scripts/install.sh makes: the user and group, /opt/edge-alarm-gateway/bin/node,
 * /opt/edge-alarm-gateway/current, the unit in /etc/systemd/system, the site
 * file and the root-only credentials directory in /etc/edge-alarm-gateway.
 *
 * Two things differ from a release install, both to test the working tree
 * quickly: `current` is the checkout itself (bind-mounted, no npm pack and
 * npm install) and the unit runs src/cli.ts, the source dist/cli.js is built
 * from. Everything else in the unit is the file in systemd/, unchanged.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { SystemdBox } from './systemd-box.ts';

export const SERVICE = 'edge-alarm-gateway.service';
const USER = 'edge-alarm-gateway';
const PREFIX = '/opt/edge-alarm-gateway';
const CONFIG_DIR = '/etc/edge-alarm-gateway';
/** Where systemd puts what LoadCredential=secret:<dir> loads: one file secret_<name> per file. */
export const CREDENTIALS_DIR = `/run/credentials/${SERVICE}`;

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
const UNIT = new URL('../../systemd/edge-alarm-gateway.service', import.meta.url);
const RELEASE_CLI = `${PREFIX}/current/dist/cli.js`;
const SOURCE_CLI = `${PREFIX}/current/src/cli.ts`;

/** The same user install.sh creates; the rest of the layout mounted from this machine. */
const LAYOUT = String.raw`
set -eu
node=$1 repository=$2
useradd --system --user-group --groups dialout --home-dir /var/lib/${USER} --no-create-home \
  --shell /usr/sbin/nologin --comment "Edge alarm gateway" ${USER}
mkdir -p ${PREFIX}/bin ${PREFIX}/current
touch ${PREFIX}/bin/node
mount --bind "$node" ${PREFIX}/bin/node
mount --bind "$repository" ${PREFIX}/current
install -d -m 0750 -o root -g ${USER} ${CONFIG_DIR}
install -d -m 0700 -o root -g root ${CONFIG_DIR}/credentials
`;

export interface GatewayServiceOptions {
  /** The site file, as /etc/edge-alarm-gateway/site.yaml. */
  site: unknown;
  /** Files of /etc/edge-alarm-gateway/credentials (root only), by name. */
  credentials?: Record<string, string>;
  /** A drop-in of the test's own (edge-alarm-gateway.service.d/test.conf), e.g. shorter timers. */
  dropIn?: string;
}

/** The unit of the repository as the box runs it: the source instead of the build. */
export function unitForWorkingTree(): string {
  const unit = readFileSync(UNIT, 'utf8');
  if (!unit.includes(RELEASE_CLI)) throw new Error(`the unit no longer runs ${RELEASE_CLI}; update the test`);
  return unit.replace(RELEASE_CLI, SOURCE_CLI);
}

export async function installGatewayService(box: SystemdBox, options: GatewayServiceOptions): Promise<void> {
  await box.mustRun('bash', ['-c', LAYOUT, 'layout', realpathSync(process.execPath), REPOSITORY]);
  await box.writeFile(`${CONFIG_DIR}/site.yaml`, stringify(options.site), '0640', `root:${USER}`);
  for (const [name, secret] of Object.entries(options.credentials ?? {})) {
    await box.writeFile(`${CONFIG_DIR}/credentials/${name}`, secret, '0600');
  }
  await box.writeFile(`/etc/systemd/system/${SERVICE}`, unitForWorkingTree());
  if (options.dropIn) await box.writeFile(`/etc/systemd/system/${SERVICE}.d/test.conf`, options.dropIn);
  await box.mustRun('systemctl', ['daemon-reload']);
}
