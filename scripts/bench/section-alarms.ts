/**
 * Figure 9: the alarm engine. How many readings per second the evaluator
 * decides on a 10,000-point site with realistic rules (far above any poll
 * rate, or the engine would be the bottleneck), and what making an event
 * durable together with its alarm state costs in the buffer.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { compileAlarms } from '../../src/alarms/compile.ts';
import { AlarmEvaluator } from '../../src/alarms/evaluator.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import { bufferFiles } from '../../src/buffer/files.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { recordShape } from '../../src/producer/record.ts';
import type { Logger } from '../../src/telemetry/logger.ts';
import { alarmSite, DEVICES, POINTS_PER_DEVICE, pollOf } from './alarm-site.ts';
import type { Report } from './report.ts';
import { dec1, int } from './stats.ts';

export interface AlarmPlan {
  dir: string;
  polls: number;
  logger: Logger;
  log: (line: string) => void;
}

interface EngineRun {
  readings: number;
  events: number;
  seconds: number;
  /** CPU time of this process over the run: the figure that holds on a machine busy with other work. */
  cpuSeconds: number;
  commitSeconds: number;
  /** Mean time of one tick (timers) over the whole site. */
  tickMs: number;
}

/** Feeds `polls` polls of the whole site, one second apart on the evaluator's clock, one commit per device poll. */
function run(plan: AlarmPlan, commit: 'memory' | 'sqlite'): EngineRun {
  const site = alarmSite();
  const path = join(plan.dir, 'alarms.db');
  const outbox =
    commit === 'sqlite' ? new Outbox({ path, synchronous: 'full', shapeOf: recordShape }) : undefined;
  let seq = 0;
  let commitMs = 0;
  let clock = Date.UTC(2026, 0, 1);
  const evaluator = new AlarmEvaluator({
    alarms: compileAlarms(site),
    identity: { gatewayId: site.gateway.id, site: site.site },
    restored: new Map(),
    commit: ({ changes, drafts }) => {
      const started = performance.now();
      const events: AlarmEvent[] = outbox
        ? outbox.commit(changes, drafts)
        : drafts.map((draft) => ({ ...draft, seq: ++seq }));
      commitMs += performance.now() - started;
      return events;
    },
    newId: () => `e${seq}`,
    logger: plan.logger,
    now: () => clock,
  });
  let readings = 0;
  let busyMs = 0;
  let cpuMicros = 0;
  let tickMs = 0;
  try {
    for (let step = 0; step < plan.polls; step++) {
      clock += 1000;
      const poll = pollOf(step, clock);
      const started = performance.now();
      const cpu = process.cpuUsage();
      for (let device = 0; device < DEVICES; device++) {
        evaluator.readings(poll.slice(device * POINTS_PER_DEVICE, (device + 1) * POINTS_PER_DEVICE));
      }
      const tickStarted = performance.now();
      evaluator.tick();
      tickMs += performance.now() - tickStarted;
      const used = process.cpuUsage(cpu);
      cpuMicros += used.user + used.system;
      busyMs += performance.now() - started;
      readings += poll.length;
    }
  } finally {
    outbox?.close();
    for (const file of bufferFiles(path)) rmSync(file, { force: true });
  }
  return {
    readings,
    events: evaluator.eventsCommitted,
    seconds: busyMs / 1000,
    cpuSeconds: cpuMicros / 1_000_000,
    commitSeconds: commitMs / 1000,
    tickMs: tickMs / plan.polls,
  };
}

export function benchAlarms(report: Report, plan: AlarmPlan): void {
  report.section(9, 'Alarm engine');
  const rules = compileAlarms(alarmSite()).all.length;
  plan.log(`alarms: ${DEVICES * POINTS_PER_DEVICE} points, ${rules} alarms, ${plan.polls} polls in memory`);
  const memory = run(plan, 'memory');
  plan.log('alarms: the same into a SQLite outbox (synchronous=FULL)');
  const durable = run(plan, 'sqlite');
  const engineSeconds = memory.seconds - memory.commitSeconds;
  const perCpu = (run: EngineRun) => int(run.readings / run.cpuSeconds);
  report.add(9, {
    title: `Readings evaluated, ${int(DEVICES * POINTS_PER_DEVICE)} points with ${int(rules)} alarms`,
    method:
      `${plan.polls} polls of every point through AlarmEvaluator.readings (one call per device poll, then tick), ` +
      'on a site with limit alarms (deadband, on-delays on a quarter), rate, deviation, stale and bit alarms; ' +
      'values are noise around 50 with rare excursions past H; time spent in the evaluator only',
    rows: [
      [
        'engine alone (events counted in memory)',
        `${int(memory.readings / engineSeconds)} readings/s, ${perCpu(memory)} per CPU-second (${int(memory.readings)} readings, ${int(memory.events)} events in ${dec1(engineSeconds)} s)`,
      ],
      [
        'with the state and events committed to SQLite',
        `${int(durable.readings / durable.seconds)} readings/s, ${perCpu(durable)} per CPU-second (${int(durable.events)} events in ${dec1(durable.seconds)} s)`,
      ],
      [
        'one tick (delays, shelving, re-alarm, stale checks) over every alarm',
        `${memory.tickMs.toFixed(2)} ms (the gateway ticks 10 times a second)`,
      ],
      [
        'commit of events with their states, per event',
        `${dec1((durable.commitSeconds * 1_000_000) / Math.max(1, durable.events))} µs (${dec1(durable.commitSeconds)} s in Outbox.commit)`,
      ],
    ],
  });
  report.note(
    9,
    'a poll of 1,000 points every second is 1,000 readings/s per device; the engine alone decides the whole site many times over within that second',
  );
}
