/**
 * A pair of connected pseudo-terminals made by socat: what one end writes,
 * the other reads, as over a null-modem cable. The gateway opens one end as
 * its serial port, a simulated RTU line serves on the other.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';

export class PtyPair {
  readonly gatewayEnd: string;
  readonly deviceEnd: string;
  readonly #child: ChildProcess;

  private constructor(gatewayEnd: string, deviceEnd: string, child: ChildProcess) {
    this.gatewayEnd = gatewayEnd;
    this.deviceEnd = deviceEnd;
    this.#child = child;
  }

  /** Links the two ends at the given paths; neither may exist yet. */
  static async open(gatewayEnd: string, deviceEnd: string, timeoutMs = 5000): Promise<PtyPair> {
    for (const path of [gatewayEnd, deviceEnd]) {
      if (existsSync(path))
        throw new Error(`${path} exists already; a simulated serial line needs a free path`);
    }
    const end = (path: string) => `pty,raw,echo=0,link=${path}`;
    const child = spawn('socat', [end(gatewayEnd), end(deviceEnd)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const failed = new Promise<Error>((resolve) => {
      child.once('error', (error) => resolve(new Error(`cannot start socat: ${error.message}`)));
      child.once('exit', (code) => resolve(new Error(`socat exited (${code}): ${stderr.trim()}`)));
    });
    const deadline = Date.now() + timeoutMs;
    while (!(existsSync(gatewayEnd) && existsSync(deviceEnd))) {
      const outcome = await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 10))]);
      if (outcome instanceof Error) throw outcome;
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`socat made no pseudo-terminal pair within ${timeoutMs} ms`);
      }
    }
    return new PtyPair(gatewayEnd, deviceEnd, child);
  }

  /** Ends socat, which removes both links: to the gateway, the serial port is gone. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGTERM');
    await exited;
  }
}
