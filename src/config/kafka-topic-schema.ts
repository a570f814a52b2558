/**
 * What the gateway's topics are made with: the topic configuration set when
 * a topic is created and compared by `gateway topics ensure`.
 */
import { type Static, Type } from '@sinclair/typebox';

/** Kafka topic configuration names such as retention.ms or cleanup.policy. */
export const TopicConfig = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9.]*$' }),
  // One type list rather than a union: editors and the error messages then speak of one value.
  Type.Unsafe<string | number | boolean>({ type: ['string', 'number', 'boolean'] }),
  {
    additionalProperties: false,
    description:
      'Topic configuration set when the topic is created and compared by `gateway topics ensure`, e.g. retention.ms: 604800000, cleanup.policy: delete, min.insync.replicas: 2.',
  },
);
export type TopicConfig = Static<typeof TopicConfig>;
