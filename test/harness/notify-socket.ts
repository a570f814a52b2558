/**
 * Stands in for systemd's end of the notification protocol: a real AF_UNIX
 * datagram socket, bound by socat (Node cannot bind one), whose datagrams are
 * collected as they arrive.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { until } from './wait.ts';

export class NotifySocket {
  readonly path: string;
  readonly #child: ChildProcess;
  /** Everything received; datagrams follow each other without a separator. */
  received = '';

  private constructor(path: string, child: ChildProcess) {
    this.path = path;
    this.#child = child;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.received += chunk;
    });
  }

  static async bind(dir: string): Promise<NotifySocket> {
    const path = join(dir, 'notify.sock');
    const child = spawn('socat', ['-u', `UNIX-RECV:${path}`, 'STDOUT'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const socket = new NotifySocket(path, child);
    await until(() => existsSync(path) || child.exitCode !== null, 'socat to bind the notify socket', 5000);
    if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}`);
    return socket;
  }

  count(assignment: string): number {
    return this.received.split(assignment).length - 1;
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    this.#child.kill('SIGTERM');
    await once(this.#child, 'exit');
  }
}
