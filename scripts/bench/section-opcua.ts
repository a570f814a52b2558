/**
 * Figure 5: OPC UA notifications per second the gateway's adapter takes in,
 * with its CPU and RSS, for 10,000 monitored items sampled every second and
 * 1,000 sampled every 100 ms. Server and gateway side run in processes of
 * their own, so each one's CPU is its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuSecondsOf } from './cpu.ts';
import type { Report } from './report.ts';
import { dec1, int, mib } from './stats.ts';

export interface OpcuaPlan {
  seconds: number;
  log: (line: string) => void;
}

interface ClientFigures {
  notificationsPerSecond: number;
  deliveriesPerSecond: number;
  cpuPercent: number;
  rss: number;
  heapUsed: number;
  subscribedMs: number;
  firstValuesMs: number;
}

const CASES = [
  { points: 10_000, samplingMs: 1000 },
  { points: 1_000, samplingMs: 100 },
] as const;

const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));

function node(args: string[]): ChildProcess {
  return spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) if (line.trim() !== '') return line;
  throw new Error('the benchmark process ended without output');
}

async function measure(points: number, samplingMs: number, plan: OpcuaPlan) {
  const server = node([script('opcua-server-process.ts'), String(points), String(samplingMs)]);
  try {
    const ready = await firstLine(server);
    const port = Number(ready.split(' ')[1]);
    const serverCpuBefore = cpuSecondsOf(server.pid as number);
    const client = node([
      script('opcua-client-process.ts'),
      `opc.tcp://127.0.0.1:${port}`,
      String(points),
      String(samplingMs),
      String(plan.seconds),
    ]);
    const figures = JSON.parse(await firstLine(client)) as ClientFigures;
    await once(client, 'exit');
    const serverCpuAfter = cpuSecondsOf(server.pid as number);
    const serverCpu =
      serverCpuBefore === undefined || serverCpuAfter === undefined
        ? undefined
        : serverCpuAfter - serverCpuBefore;
    return { figures, serverCpu };
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
}

export async function benchOpcua(report: Report, plan: OpcuaPlan): Promise<void> {
  report.section(5, 'OPC UA notifications per second');
  for (const { points, samplingMs } of CASES) {
    plan.log(`OPC UA: ${points} monitored items at ${samplingMs} ms`);
    const { figures, serverCpu } = await measure(points, samplingMs, plan);
    const expected = (points * 1000) / samplingMs;
    report.add(5, {
      title: `${int(points)} monitored items, sampled and published every ${samplingMs} ms`,
      method:
        `the simulated OPC UA server (its own process) changes every point once per ${samplingMs} ms; the ` +
        'gateway side (its own process) is createOpcuaAdapter under a DeviceRunner, subscribed to all points ' +
        '(max 1,000 items per subscription, security None, loopback), counting the readings the runner hands ' +
        `to the alarm stage, for ${plan.seconds} s ` +
        'after every point delivered a first value; CPU is user + system time over that window, RSS the peak ' +
        'sampled every 250 ms',
      rows: [
        [
          'notifications/s received (changes/s offered)',
          `${int(figures.notificationsPerSecond)} (${int(expected)})`,
        ],
        ['runner deliveries/s (one commit per batch of notifications)', dec1(figures.deliveriesPerSecond)],
        ['gateway side CPU, % of one core', dec1(figures.cpuPercent)],
        ['gateway side peak RSS / heap used', `${mib(figures.rss)} / ${mib(figures.heapUsed)}`],
        [
          'subscriptions created / first value of every point after',
          `${int(figures.subscribedMs)} ms / ${int(figures.firstValuesMs)} ms`,
        ],
        [
          'simulated server CPU, % of one core',
          serverCpu === undefined ? 'n/a' : dec1(((serverCpu / plan.seconds) * 100) as number),
        ],
      ],
    });
  }
  report.note(
    5,
    'The simulated server shares the machine; its CPU is shown so that a saturated server can be told from a ' +
      'slow gateway. Alarm evaluation and the buffer commit are not included here (figure 2 measures them for ' +
      'Modbus readings, which cost the same downstream). Most of the RSS is node-opcua itself (its data type ' +
      'factories and one client object per monitored item).',
  );
}
