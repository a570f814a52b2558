/**
 * One lakehouse job run, measured from outside its JVM: wall time from just
 * before the JVM is spawned to its exit, when the launcher said each job was
 * submitted and finished (its stderr lines, time-stamped as they arrive), and
 * the JVM's CPU time and resident memory from /proc, sampled while it runs.
 * `LakehouseRun.pid` is the JVM's own pid: setpriv execs java.
 */
import { loadavg } from 'node:os';
import { LakehouseRun, type LakehouseRunOptions, type RunOutcome } from '../lakehouse/run.ts';
import { peakRssOf, rssOf } from './broker.ts';
import { cpuSecondsOf } from './cpu.ts';

export interface JvmRun {
  outcome: RunOutcome;
  /** Seconds from just before the spawn to the JVM's exit. */
  wallSeconds: number;
  /** Seconds from the spawn to the launcher's `job … submitted` line (the first one). */
  submittedSeconds: number | undefined;
  /** Seconds from the spawn to its last `job … finished` (or stopped) line. */
  finishedSeconds: number | undefined;
  /** User + system time of the JVM, from its last sample (up to one interval before it exited). */
  cpuSeconds: number | undefined;
  /** The same when the first job was submitted: start-up and planning. */
  cpuAtSubmittedSeconds: number | undefined;
  /** The largest VmHWM seen (the kernel's own high-water mark of the JVM's RSS). */
  peakRssBytes: number | undefined;
  /** 1-minute load average when the run started and when it ended. */
  loadAtStart: number;
  loadAtEnd: number;
  logFile: string;
}

const SAMPLE_MS = 200;

/** The 1-minute load average (os.loadavg() reads /proc/loadavg). */
export function loadAverage(): number {
  return loadavg()[0] ?? 0;
}

/**
 * The launcher's stderr arrives in our process only through `echo` (it writes
 * each chunk to process.stderr); this stamps the lines it wants as they pass.
 */
function watchStderr(onLine: (line: string, at: number) => void): () => void {
  const original = process.stderr.write.bind(process.stderr);
  let partial = '';
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const at = performance.now();
    partial += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line, at);
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  return () => {
    process.stderr.write = original;
  };
}

/** Starts a job and returns the run with its sampler; `measured()` settles when the JVM exits. */
export async function startMeasured(
  options: LakehouseRunOptions,
): Promise<{ run: LakehouseRun; measured: Promise<JvmRun> }> {
  const loadAtStart = loadAverage();
  let submitted: number | undefined;
  let finished: number | undefined;
  let cpuAtSubmitted: number | undefined;
  let pid: number | undefined;
  const stopWatching = watchStderr((line, at) => {
    if (!line.startsWith('lakehouse: job ')) return;
    if (line.includes(' submitted') && submitted === undefined) {
      submitted = at;
      cpuAtSubmitted = pid === undefined ? undefined : cpuSecondsOf(pid);
    }
    if (/ (finished|stopped with savepoint)/.test(line)) finished = at;
  });
  const started = performance.now();
  let run: LakehouseRun;
  try {
    run = await LakehouseRun.start({ ...options, echo: true });
  } catch (error) {
    stopWatching();
    throw error;
  }
  pid = run.pid;
  let cpu: number | undefined;
  let peak: number | undefined;
  const sample = () => {
    if (pid === undefined) return;
    const seconds = cpuSecondsOf(pid);
    if (seconds !== undefined) cpu = seconds;
    const hwm = peakRssOf(pid) ?? rssOf(pid);
    if (hwm !== undefined) peak = Math.max(peak ?? 0, hwm);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  const measured = run.done.then((outcome): JvmRun => {
    const ended = performance.now();
    clearInterval(timer);
    stopWatching();
    return {
      outcome,
      wallSeconds: (ended - started) / 1000,
      submittedSeconds: submitted === undefined ? undefined : (submitted - started) / 1000,
      finishedSeconds: finished === undefined ? undefined : (finished - started) / 1000,
      cpuSeconds: cpu,
      cpuAtSubmittedSeconds: cpuAtSubmitted,
      peakRssBytes: peak,
      loadAtStart,
      loadAtEnd: loadAverage(),
      logFile: run.logFile,
    };
  });
  return { run, measured };
}
