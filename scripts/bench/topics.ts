/**
 * Topics of a run: created up front so no timing includes topic creation, and
 * deleted afterwards so repeated runs against a kept broker do not pile up data.
 */
import { kafkaClient } from '../../test/harness/kafka.ts';

export async function createBenchTopic(
  brokers: string,
  topic: string,
  partitions: number,
  config: Record<string, string> = {},
): Promise<void> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: partitions,
          configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteBenchTopic(brokers: string, topic: string): Promise<void> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } catch {
    // Leaving a topic behind is harmless; failing a finished measurement over it is not worth it.
  } finally {
    await admin.disconnect();
  }
}
