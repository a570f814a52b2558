/** CPU time of this process and of another one (the broker JVM), to tell who is busy during a run. */
import { existsSync, readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks of 1/100 s on every common architecture. */
const TICKS_PER_SECOND = 100;

export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** User plus system time of a process from /proc/PID/stat, or undefined off Linux or once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  // The command name may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = readFileSync(file, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  return Number.isFinite(user + system) ? (user + system) / TICKS_PER_SECOND : undefined;
}
