/**
 * Figure 3: registers one device connection reads per second, polling back to
 * back, with the request planner and with one request per point.
 */
import type { Logger } from '../../src/telemetry/logger.ts';
import { type Layout, mixedLayout, uint16Layout } from './modbus-layouts.ts';
import { connectPlanned } from './planned-poll.ts';
import type { Report } from './report.ts';
import { type DeviceKind, startDevice } from './simulators.ts';
import { dec1, int } from './stats.ts';
import { connectUnplanned, type Poller } from './unplanned-poll.ts';

export interface ModbusPlan {
  seconds: number;
  logger: Logger;
}

interface RateRun {
  polls: number;
  readings: number;
  bad: number;
  seconds: number;
  poller: Poller;
}

/** Short enough not to matter, long enough for the JIT to settle on the hot paths. */
const WARM_UP_MS = 500;

async function pollFor(poller: Poller, seconds: number): Promise<RateRun> {
  const warmUntil = performance.now() + WARM_UP_MS;
  while (performance.now() < warmUntil) await poller.poll();
  let polls = 0;
  let readings = 0;
  let bad = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    const batch = await poller.poll();
    polls += 1;
    readings += batch.length;
    for (const reading of batch) if (reading.quality !== 'good') bad += 1;
  }
  return { polls, readings, bad, seconds: (performance.now() - started) / 1000, poller };
}

async function measure(layout: Layout, planner: boolean, kind: DeviceKind, plan: ModbusPlan) {
  const device = await startDevice(layout.device, kind);
  try {
    const poller = planner
      ? await connectPlanned(layout.device, device.port, plan.logger)
      : await connectUnplanned(layout.device, device.port);
    try {
      return await pollFor(poller, plan.seconds);
    } finally {
      await poller.close();
    }
  } finally {
    await device.stop();
  }
}

const KINDS: readonly { kind: DeviceKind; title: string; method: string }[] = [
  {
    kind: 'simulator',
    title: 'Against the simulated PLC',
    method:
      "the project's SimulatedModbusDevice on the polling thread; modbus-serial's server defers every answer " +
      "to a timer (≥ 1 ms), so this run shows the simulator's ceiling more than the gateway's",
  },
  {
    kind: 'responder',
    title: 'Against a minimal responder',
    method:
      'a bare Modbus TCP server in scripts/bench that answers at once, on a worker thread, so the figures are ' +
      "the polling side's own ceiling",
  },
];

export async function benchModbus(report: Report, plan: ModbusPlan): Promise<void> {
  report.section(3, 'Modbus registers read per second per device');
  for (const { kind, title, method } of KINDS) {
    const rows: [string, string][] = [];
    let bad = 0;
    for (const layout of [uint16Layout(), mixedLayout()]) {
      for (const planner of [true, false]) {
        const run = await measure(layout, planner, kind, plan);
        bad += run.bad;
        const { requestsPerPoll, registersPerPoll } = run.poller;
        rows.push([
          `${layout.name}, planner ${planner ? 'on' : 'off'} (${requestsPerPoll} requests, ${registersPerPoll} registers per poll)`,
          `${int((run.polls * registersPerPoll) / run.seconds)} registers/s, ` +
            `${int((run.polls * requestsPerPoll) / run.seconds)} requests/s, ${dec1(run.polls / run.seconds)} polls/s`,
        ]);
      }
    }
    report.add(3, {
      title,
      method:
        `one Modbus TCP connection on loopback polled back to back for ${plan.seconds} s after a ${WARM_UP_MS} ms ` +
        'warm-up, every point decoded into a reading; planner on is createModbusAdapter, planner off the same ' +
        `client and codec with one request per point; ${method}`,
      rows,
    });
    if (bad > 0)
      report.note(3, `${bad} readings came back bad (${title.toLowerCase()}); figures are suspect.`);
  }
  report.note(
    3,
    'No network and no PLC scan time: a real device answers in milliseconds, so real rates are far lower and ' +
      'bounded by round trips; that is where the planner matters most (requests per poll, not CPU).',
  );
}
