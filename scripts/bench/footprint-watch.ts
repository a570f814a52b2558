/**
 * What a process costs over a measurement window, read from /proc the same
 * way for every collector: its VmRSS sampled at a fixed interval, its VmHWM
 * (the high-water mark since it started, start-up included) at the end, and
 * its user + system ticks at both ends of the window.
 */
import { loadavg } from 'node:os';
import { peakRssOf, rssOf } from './broker.ts';
import { cpuSecondsOf } from './cpu.ts';

export const RSS_SAMPLE_MS = 1000;

export interface ProcessFootprint {
  /** VmRSS over the window. */
  rssMean: number;
  rssMax: number;
  rssSamples: number;
  /** VmHWM at the end of the window. */
  hwm: number;
  /** User + system time over the window, in percent of one core. */
  cpuPercent: number;
  seconds: number;
  /** One-minute load average at the start and at the end of the window. */
  loadBefore: number;
  loadAfter: number;
}

function must<T>(value: T | undefined, what: string, pid: number): T {
  if (value === undefined) throw new Error(`process ${pid} ended during the measurement (${what})`);
  return value;
}

/** Watches `pid` for `seconds` from now. */
export async function watchProcess(pid: number, seconds: number): Promise<ProcessFootprint> {
  const loadBefore = loadavg()[0] ?? 0;
  const samples: number[] = [];
  const cpuBefore = must(cpuSecondsOf(pid), 'CPU', pid);
  const started = performance.now();
  samples.push(must(rssOf(pid), 'VmRSS', pid));
  const end = started + seconds * 1000;
  for (let next = started + RSS_SAMPLE_MS; next <= end; next += RSS_SAMPLE_MS) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    samples.push(must(rssOf(pid), 'VmRSS', pid));
  }
  const cpuAfter = must(cpuSecondsOf(pid), 'CPU', pid);
  const elapsed = (performance.now() - started) / 1000;
  return {
    rssMean: samples.reduce((sum, each) => sum + each, 0) / samples.length,
    rssMax: Math.max(...samples),
    rssSamples: samples.length,
    hwm: must(peakRssOf(pid), 'VmHWM', pid),
    cpuPercent: ((cpuAfter - cpuBefore) / elapsed) * 100,
    seconds: elapsed,
    loadBefore,
    loadAfter: loadavg()[0] ?? 0,
  };
}
