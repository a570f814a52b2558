/**
 * Figure 5: MQTT messages per second ingested into committed alarm events,
 * at QoS 0 and QoS 1 (acknowledged after commit), with the gateway's CPU and
 * memory while it does so.
 */
import { Mosquitto } from '../../test/harness/mosquitto.ts';
import { measureIngest } from './mqtt-ingest.ts';
import type { Report } from './report.ts';
import { dec1, int, mib } from './stats.ts';

export interface MqttPlan {
  dir: string;
  brokers: string;
  messages: number;
  log: (line: string) => void;
}

export async function benchMqtt(report: Report, plan: MqttPlan): Promise<void> {
  report.section(6, 'MQTT messages ingested to committed events');
  if (!Mosquitto.available()) {
    report.note(5, 'skipped: /usr/sbin/mosquitto is not installed (scripts/setup.sh installs it)');
    return;
  }
  const mosquitto = await Mosquitto.start();
  try {
    const rows: [string, string][] = [];
    for (const qos of [0, 1] as const) {
      plan.log(`mqtt: ${plan.messages} messages at QoS ${qos}`);
      const run = await measureIngest({
        dir: plan.dir,
        mosquitto,
        brokers: plan.brokers,
        qos,
        messages: plan.messages,
      });
      const lost = plan.messages - run.committed;
      rows.push([
        `QoS ${qos}${qos === 1 ? ' (PUBACK after commit)' : ''}`,
        `${int(run.committed / run.seconds)} messages/s → events/s (${int(run.committed)} in ${dec1(run.seconds)} s` +
          `${lost > 0 ? `, ${int(lost)} lost on the way` : ''}); gateway ${int((100 * run.gatewayCpuSeconds) / run.seconds)} % of one core, ` +
          `peak RSS ${run.gatewayPeakRss === undefined ? 'n/a' : mib(run.gatewayPeakRss)}`,
      ]);
    }
    report.add(6, {
      title: 'One JSON device, every message a transition',
      method:
        `the gateway as its own process (node src/cli.ts run) subscribed to a local Mosquitto; one publisher sends ` +
        `${int(plan.messages)} JSON messages, 500 in flight, each flipping a point across its H limit so each is one ` +
        'raise or clear committed to the SQLite buffer (synchronous=FULL, one transaction per message) and forwarded ' +
        'to Kafka; timed from the first publish to the last commit (read from the buffer); CPU from /proc/PID/stat, ' +
        'peak RSS from VmHWM',
      rows,
    });
    report.note(
      5,
      'Every message here produces an event, the worst case: each costs one fsync-backed commit. Messages that change ' +
        'no alarm cost no commit and go faster.',
    );
  } finally {
    await mosquitto.remove();
  }
}
