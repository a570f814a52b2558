/**
 * Making the gateway's topics exist as the site file describes them, the same
 * way at start and from `gateway topics ensure`: a missing topic is created
 * with its partitions, replication and configs (never by broker
 * auto-creation); an existing one is compared, never shrunk, and only grown
 * when the operator asks.
 */
import { GatewayError } from '../system/errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import { AccessDeniedError, createGrant } from './authorization.ts';
import type { TopicAdmin, TopicSpec } from './kafka-client.ts';
import { configDrift, type Drift, describeDrift, metadataDrift } from './topic-drift.ts';

export interface EnsureOptions {
  /** Report only: create nothing, change nothing. */
  check: boolean;
  /** Add partitions to a topic that has fewer than the site file says (keys re-map). */
  increasePartitions: boolean;
}

export type TopicOutcome = 'created' | 'ok' | 'drift' | 'missing' | 'failed';

export interface TopicReport {
  topic: string;
  outcome: TopicOutcome;
  drift: Drift[];
  /** What was done beyond creating, and warnings. */
  notes: string[];
  /** Why the topic could not be checked (outcome failed). */
  error?: string;
}

export async function ensureTopics(
  admin: TopicAdmin,
  specs: readonly TopicSpec[],
  options: EnsureOptions,
): Promise<TopicReport[]> {
  const reports: TopicReport[] = [];
  for (const spec of specs) {
    try {
      reports.push(await ensureOne(admin, spec, options));
    } catch (error) {
      const described = error instanceof GatewayError ? error.describe() : String(error);
      reports.push({ topic: spec.topic, outcome: 'failed', drift: [], notes: [], error: described });
    }
  }
  return reports;
}

async function ensureOne(admin: TopicAdmin, spec: TopicSpec, options: EnsureOptions): Promise<TopicReport> {
  const report: TopicReport = { topic: spec.topic, outcome: 'ok', drift: [], notes: [] };
  let state = await admin.describeTopic(spec.topic);
  if (!state) {
    if (options.check) return { ...report, outcome: 'missing' };
    // false: someone else created it meanwhile, so compare what they made.
    if (await admin.createTopic(spec)) return { ...report, outcome: 'created' };
    state = await admin.describeTopic(spec.topic);
    if (!state) throw new Error(`topic ${spec.topic} exists but its metadata is not visible yet; run again`);
  }
  const names = Object.keys(spec.configs ?? {});
  const configs = names.length === 0 ? {} : await admin.topicConfigs(spec.topic, names);
  let drift = [...metadataDrift(spec, state), ...configDrift(spec, configs)];
  const fewer = drift.find((each) => each.kind === 'partitions' && each.actual < each.wanted);
  if (fewer && options.increasePartitions && !options.check) {
    await admin.addPartitions(spec.topic, spec.partitions);
    report.notes.push(
      `partitions raised from ${fewer.actual} to ${spec.partitions}: records with the same key now may land on another partition than before, ` +
        'so per-key order holds only among records written after the change',
    );
    drift = drift.filter((each) => each !== fewer);
  }
  return { ...report, outcome: drift.length === 0 ? 'ok' : 'drift', drift };
}

/** Everything exists and matches the site file (or was just made to). */
export function allAgree(reports: readonly TopicReport[]): boolean {
  return reports.every((report) => report.outcome === 'ok' || report.outcome === 'created');
}

const OUTCOME_TEXT: Record<TopicOutcome, string> = {
  created: 'created',
  ok: 'ok',
  drift: 'DIFFERS from the site file',
  missing: 'MISSING',
  failed: 'FAILED',
};

/** The report as the operator reads it: one line per topic, indented lines for each difference. */
export function formatReports(reports: readonly TopicReport[], specs: readonly TopicSpec[]): string {
  const lines: string[] = [];
  for (const report of reports) {
    const spec = specs.find((each) => each.topic === report.topic);
    const made = spec && report.outcome === 'created' ? ` (${describeSpec(spec)})` : '';
    lines.push(`${report.topic}: ${OUTCOME_TEXT[report.outcome]}${made}`);
    if (report.outcome === 'missing' && spec) lines.push(`  would be created with ${describeSpec(spec)}`);
    for (const drift of report.drift) lines.push(`  ${describeDrift(report.topic, drift)}`);
    for (const note of report.notes) lines.push(`  note: ${note}`);
    if (report.error) lines.push(`  ${report.error}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeSpec(spec: TopicSpec): string {
  const parts = [
    `${spec.partitions} partitions`,
    `replication ${spec.replicationFactor ?? "the broker's default"}`,
    ...Object.entries(spec.configs ?? {}).map(([name, value]) => `${name}=${value}`),
  ];
  return parts.join(', ');
}

/**
 * At start and after a topic vanished: create the topic when missing, warn
 * when its partitions or replication differ. Configs are not compared here:
 * that needs DESCRIBE_CONFIGS, which the running gateway does not hold.
 * Without the right to see or create the topic the gateway uses it anyway,
 * and the first send (or read, for the command topic) says whether it may.
 */
export async function ensureTopicAtStart(admin: TopicAdmin, spec: TopicSpec, logger: Logger): Promise<void> {
  try {
    const state = await admin.describeTopic(spec.topic);
    if (!state) {
      if (await admin.createTopic(spec))
        logger.info({ topic: spec.topic }, `created topic: ${describeSpec(spec)}`);
      return;
    }
    for (const drift of metadataDrift(spec, state)) {
      const error = new GatewayError('TOPIC_DRIFT', `${spec.topic}: ${describeDrift(spec.topic, drift)}`);
      logger.warn({ code: error.code, topic: spec.topic }, error.describe());
    }
  } catch (error) {
    if (!(error instanceof AccessDeniedError && error.scope === 'topic')) throw error;
    logger.warn(
      { topic: spec.topic },
      `topic ${spec.topic} cannot be checked or created (${error.message}); ` +
        `using it anyway: the first send or read tells whether it may (${createGrant(spec.topic, admin.principal)})`,
    );
  }
}
