/**
 * Runs the gateway the way an operator does, as its own process from the CLI,
 * so tests can send it signals and kill -9 it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { until } from './wait.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export class GatewayProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  /** Every non-empty line of stdout as written, for commands whose output is not a log. */
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(child: ChildProcess) {
    this.child = child;
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        this.lines.push(line);
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ level: 'raw', msg: line });
        }
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
  }

  static start(args: string[], env: Record<string, string> = {}): GatewayProcess {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new GatewayProcess(child);
  }

  static run(configFile: string, env: Record<string, string> = {}): GatewayProcess {
    return GatewayProcess.start(['run', '--config', configFile], env);
  }

  async waitForLog(
    predicate: (line: LogLine) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<LogLine> {
    let found: LogLine | undefined;
    await until(
      () => {
        found = this.logs.find(predicate);
        return found !== undefined || this.child.exitCode !== null;
      },
      what,
      timeoutMs,
    );
    if (!found)
      throw new Error(`gateway exited (${this.child.exitCode}) before ${what}; stderr: ${this.stderr}`);
    return found;
  }

  /** SIGTERM, as systemd stops the service; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  /** kill -9: no cleanup, no flush, exactly what a power cut or OOM kill leaves behind. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
