/**
 * `gateway topics ensure`: creates the gateway's topics as the site file
 * describes them, or with --check only reports how they differ. Exit 0 when
 * every topic exists and agrees, 1 when one differs, is missing or cannot be
 * checked.
 */
import { formatIssue, loadSiteFile } from '../config/load.ts';
import { brokerConnection } from '../producer/connection.ts';
import { createTopicAdmin } from '../producer/kafka-client.ts';
import { allAgree, ensureTopics, formatReports } from '../producer/topic-provisioning.ts';
import { gatewayTopics } from '../producer/topics.ts';
import { GatewayError } from '../system/errors.ts';
import { createLogger } from '../telemetry/logger.ts';

export interface TopicsCommandOptions {
  config: string;
  check: boolean;
  increasePartitions: boolean;
  json: boolean;
}

export async function topicsEnsureCommand(options: TopicsCommandOptions): Promise<number> {
  const loaded = loadSiteFile(options.config);
  if (!loaded.ok) {
    for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    return 1;
  }
  const specs = gatewayTopics(loaded.site);
  // Library chatter stays out of the report; the report itself says what failed.
  const logger = createLogger('error', { write: (line: string) => void process.stderr.write(line) });
  let admin: ReturnType<typeof createTopicAdmin>;
  try {
    admin = createTopicAdmin(brokerConnection(loaded.site, process.env, logger, 'provisioning'));
  } catch (error) {
    process.stderr.write(`${error instanceof GatewayError ? error.describe() : String(error)}\n`);
    return 1;
  }
  try {
    const reports = await ensureTopics(admin, specs, {
      check: options.check,
      increasePartitions: options.increasePartitions,
    });
    if (options.json)
      process.stdout.write(`${JSON.stringify({ principal: admin.principal, topics: reports })}\n`);
    else process.stdout.write(formatReports(reports, specs));
    return allAgree(reports) ? 0 : 1;
  } finally {
    await admin.close();
  }
}
