/**
 * A real Mosquitto broker for tests, on free loopback ports with its own
 * directory: a password file, an ACL file, a plain listener and a TLS
 * listener whose CA and certificates are generated here with openssl.
 * Started as `mosquitto -c <generated conf>`, never as the system service.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/kafka/net.ts';
import { until } from './wait.ts';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  /** user -> password; anonymous access is off whenever users are given. */
  users?: Record<string, string>;
  /** Contents of the ACL file (mosquitto syntax); none means every user may do everything. */
  acl?: string;
  /** Keep sessions and queued messages across a restart (written on a clean stop). */
  persistence?: boolean;
}

export class Mosquitto {
  readonly dir: string;
  readonly port: number;
  readonly tlsPort: number;
  /** TLS listener that also requires a client certificate signed by the CA. */
  readonly mtlsPort: number;
  readonly options: MosquittoOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, ports: [number, number, number], options: MosquittoOptions) {
    this.dir = dir;
    [this.port, this.tlsPort, this.mtlsPort] = ports;
    this.options = options;
  }

  static available(): boolean {
    return existsSync(MOSQUITTO);
  }

  static async start(options: MosquittoOptions = {}): Promise<Mosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'));
    const broker = new Mosquitto(dir, [await freePort(), await freePort(), await freePort()], options);
    generateCertificates(dir);
    broker.#writeConfig();
    await broker.#spawn();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get tlsUrl(): string {
    return `mqtts://127.0.0.1:${this.tlsPort}`;
  }

  get mtlsUrl(): string {
    return `mqtts://127.0.0.1:${this.mtlsPort}`;
  }

  /** A client certificate and key signed by the CA, for the listener that requires one. */
  get clientCertFile(): string {
    return join(this.dir, 'client.crt');
  }

  get clientKeyFile(): string {
    return join(this.dir, 'client.key');
  }

  /** The CA that signed the broker's certificate. */
  get caFile(): string {
    return join(this.dir, 'ca.crt');
  }

  /** A CA that signed nothing the broker has: connections trusting only it must fail. */
  get otherCaFile(): string {
    return join(this.dir, 'other-ca.crt');
  }

  get log(): string {
    const file = join(this.dir, 'mosquitto.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** SIGTERM: with persistence on, Mosquitto writes its sessions to disk first. */
  async stop(): Promise<void> {
    if (this.#child && this.#child.exitCode === null) this.#child.kill('SIGTERM');
    await this.#exited;
  }

  /** kill -9: whatever was not saved is gone. */
  async kill(): Promise<void> {
    if (this.#child && this.#child.exitCode === null) this.#child.kill('SIGKILL');
    await this.#exited;
  }

  /** Same ports, same directory: sessions come back when persistence is on. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  async remove(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  #writeConfig(): void {
    const { users, acl, persistence } = this.options;
    const lines = [
      // The harness runs as root; mosquitto would otherwise switch to a user that cannot read the temp dir.
      'user root',
      'per_listener_settings false',
      `allow_anonymous ${users ? 'false' : 'true'}`,
      `persistence ${persistence ? 'true' : 'false'}`,
      `persistence_location ${this.dir}/`,
      'autosave_interval 0',
      `log_dest file ${join(this.dir, 'mosquitto.log')}`,
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      'max_queued_messages 100000',
      'max_inflight_messages 20',
      `listener ${this.port} 127.0.0.1`,
      `listener ${this.tlsPort} 127.0.0.1`,
      `cafile ${join(this.dir, 'ca.crt')}`,
      `certfile ${join(this.dir, 'server.crt')}`,
      `keyfile ${join(this.dir, 'server.key')}`,
      `listener ${this.mtlsPort} 127.0.0.1`,
      `cafile ${join(this.dir, 'ca.crt')}`,
      `certfile ${join(this.dir, 'server.crt')}`,
      `keyfile ${join(this.dir, 'server.key')}`,
      'require_certificate true',
    ];
    if (users) {
      const file = join(this.dir, 'passwd');
      writeFileSync(file, '');
      for (const [user, password] of Object.entries(users)) {
        execFileSync('mosquitto_passwd', ['-b', file, user, password], { stdio: 'ignore' });
      }
      lines.push(`password_file ${file}`);
    }
    if (acl !== undefined) {
      writeFileSync(join(this.dir, 'acl'), acl);
      lines.push(`acl_file ${join(this.dir, 'acl')}`);
    }
    writeFileSync(join(this.dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
  }

  async #spawn(): Promise<void> {
    const child = spawn(MOSQUITTO, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: 'ignore' });
    this.#child = child;
    this.#exited = once(child, 'exit');
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}):\n${this.log}`);
        return (
          (await reachable(this.port)) && (await reachable(this.tlsPort)) && (await reachable(this.mtlsPort))
        );
      },
      'mosquitto listening',
      10_000,
      20,
    );
  }
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A CA, a server certificate for 127.0.0.1 / localhost and a client
 * certificate both signed by it, and an unrelated CA.
 */
function generateCertificates(dir: string): void {
  // Every argument is free of spaces except the subjects, passed separately.
  const ssl = (command: string, subject?: string) => {
    const args = command.split(' ');
    if (subject !== undefined) args.push('-subj', subject);
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  for (const ca of ['ca', 'other-ca']) {
    ssl(`req -x509 -newkey rsa:2048 -nodes -days 2 -keyout ${ca}.key -out ${ca}.crt`, `/CN=test ${ca}`);
  }
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('req -newkey rsa:2048 -nodes -keyout server.key -out server.csr', '/CN=127.0.0.1');
  ssl(
    'x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt',
  );
  ssl('req -newkey rsa:2048 -nodes -keyout client.key -out client.csr', '/CN=gateway');
  ssl('x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out client.crt');
}
