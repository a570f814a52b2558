/**
 * Figure 13: the gateway's footprint beside Telegraf's, each as its own
 * process reading the same simulated PLCs and writing to the same broker on
 * a topic of its own: steady RSS and its high-water mark, CPU, reads per
 * second against nominal, and start-up, per site size, with the product's
 * targets beside the gateway's figures. Also the wall time of
 * `gateway validate devices/plant.yaml`.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FootprintPlan, modbusCase, opcuaCase } from './footprint-case-run.ts';
import { FOOTPRINT_CASES, type FootprintCase, verdict } from './footprint-cases.ts';
import { footprintRows, footprintSummary, ms, type Outcome } from './footprint-rows.ts';
import { type CommandTimes, timeBareNode, timeValidate } from './footprint-validate.ts';
import type { Report } from './report.ts';
import { dec1, int } from './stats.ts';
import { ensureTelegraf, TELEGRAF_TAGS } from './telegraf.ts';

export type { FootprintPlan } from './footprint-case-run.ts';

const ORDER = 13;
const VALIDATE_RUNS = 5;
const VALIDATE_TARGET_MS = 500;
const SITE_FILE = fileURLToPath(new URL('../../devices/plant.yaml', import.meta.url));

export async function benchFootprint(report: Report, plan: FootprintPlan): Promise<void> {
  report.section(ORDER, 'Footprint beside Telegraf');
  const build = await ensureTelegraf(plan.log);
  const telegraf = build.ok ? { binary: build.binary } : `not run: ${build.reason}`;
  if (build.ok) {
    report.note(
      ORDER,
      `Telegraf: ${build.version}, custom build with tags ${TELEGRAF_TAGS}` +
        (build.built ? ` (built in this run in ${Math.round(build.seconds)} s)` : ' (cached build)'),
    );
  } else {
    report.note(ORDER, `Telegraf ${telegraf}; the gateway's figures stand alone`);
  }

  const times = (t: CommandTimes) => `${ms(t.median)} (${ms(t.min)} – ${ms(t.max)})`;
  let validated: string;
  let bare: string;
  try {
    const validate = await timeValidate(SITE_FILE, VALIDATE_RUNS);
    validated = times(validate) + verdict(validate.median, VALIDATE_TARGET_MS, true, ' ms');
    bare = times(await timeBareNode(VALIDATE_RUNS));
  } catch (error) {
    validated = `failed: ${(error as Error).message}`;
    bare = 'n/a';
  }
  report.add(ORDER, {
    title: '`gateway validate devices/plant.yaml`',
    method: `${VALIDATE_RUNS} runs of node src/cli.ts validate, each timed from spawn to exit, and as many of node -e ''`,
    rows: [
      ['wall time, median (min – max)', validated],
      ["node -e '' alone, median (min – max)", bare],
    ],
  });

  const outcomes: Outcome[] = [];
  for (const [index, spec] of FOOTPRINT_CASES.entries()) {
    const dir = join(plan.dir, `footprint-${index}`);
    const outcome: Outcome =
      spec.kind === 'modbus' ? await modbusCase(plan, spec, dir, telegraf) : await opcuaCase(plan, spec, dir);
    outcomes.push(outcome);
    report.add(ORDER, { title: outcome.name, method: method(spec, plan), rows: footprintRows(outcome) });
  }
  report.add(ORDER, {
    title: 'Summary, gateway vs Telegraf',
    method: 'the figures above side by side',
    rows: outcomes.map((outcome) => [outcome.name, footprintSummary(outcome)]),
  });
  report.note(ORDER, `load average (1 min) when the section ended: ${dec1(loadavg()[0] ?? 0)}`);
}

function method(spec: FootprintCase, plan: FootprintPlan): string {
  const window =
    `VmRSS from /proc/PID/status every second and user + system ticks from /proc/PID/stat over a ` +
    `${plan.windowSeconds} s window that opens ${plan.settleSeconds} s after the process is ready; VmHWM at its end`;
  if (spec.kind === 'opcua') {
    return (
      `the gateway (node src/cli.ts run, with the Node flags of the service unit) subscribed to ${int(spec.items)} items of the simulated OPC UA server ` +
      `(its own process; every item changes every ${spec.samplingMs} ms; no alarm rules); ${window}`
    );
  }
  const plant =
    spec.eventsPerSecond > 0
      ? `${spec.eventsPerSecond} alarm transitions a second (one point raised and one cleared every ${Math.round(2000 / spec.eventsPerSecond)} ms)`
      : 'every value at rest';
  const who = spec.telegraf
    ? 'the gateway (node src/cli.ts run, with the Node flags of the service unit) and Telegraf (inputs.modbus in request mode, outputs.kafka) one after ' +
      'the other on the same PLCs and broker, separate topics'
    : 'the gateway alone (node src/cli.ts run)';
  return (
    `${spec.devices} simulated PLC(s) × ${int(spec.pointsPerDevice)} alarmed int16 holding registers polled every ` +
    `${spec.pollIntervalMs} ms, ${plant}; ${who}; ${window}; points read per second at the PLCs from the span ` +
    'between the first and last poll start in the window; as the collector counts them from ' +
    'gateway_device_polls_total × points' +
    (spec.telegraf ? " and from the fields of Telegraf's records in Kafka, by metric timestamp" : '')
  );
}
