/**
 * Wall time of a short command, spawn to exit: `gateway validate <site.yaml>`
 * as a controls engineer runs it, and a bare Node.js start beside it, which
 * tells how much of the time is the runtime's own start on this machine now.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { distribution } from './stats.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

export interface CommandTimes {
  median: number;
  min: number;
  max: number;
}

async function timeNode(args: readonly string[], runs: number): Promise<CommandTimes> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    times.push(performance.now() - started);
    if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}: ${stderr}`);
  }
  const d = distribution(times);
  return { median: d.p50, min: Math.min(...times), max: d.max };
}

export function timeValidate(siteFile: string, runs: number): Promise<CommandTimes> {
  return timeNode([CLI, 'validate', siteFile], runs);
}

export function timeBareNode(runs: number): Promise<CommandTimes> {
  return timeNode(['-e', ''], runs);
}
