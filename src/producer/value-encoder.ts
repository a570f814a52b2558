/**
 * The record value in the configured encoding, and the content-type header
 * that says which: JSON as the buffer holds it, Protobuf bare, or Protobuf in
 * the schema registry wire format.
 */
import type { Encoding } from '../config/output-schema.ts';
import { encodeEvent } from './protobuf-event.ts';
import { CONTENT_TYPE_JSON } from './record.ts';
import { registryFramed, type SchemaRegistryClient, valueSubject } from './schema-registry.ts';

export const CONTENT_TYPE_PROTOBUF = 'application/x-protobuf';
/** Protobuf behind the registry's magic byte, schema id and message indexes. */
export const CONTENT_TYPE_REGISTRY_PROTOBUF = 'application/vnd.confluent.protobuf';

export interface EncodedValue {
  value: Buffer | string;
  contentType: string;
}

/** `payload` is the event's JSON as stored, `event` the same parsed. */
export type ValueEncoder = (payload: string, event: object, topic: string) => Promise<EncodedValue>;

export function createValueEncoder(encoding: Encoding, registry?: SchemaRegistryClient): ValueEncoder {
  if (encoding === 'json') return async (payload) => ({ value: payload, contentType: CONTENT_TYPE_JSON });
  if (!registry) {
    return async (_payload, event) => ({
      value: Buffer.from(encodeEvent(event)),
      contentType: CONTENT_TYPE_PROTOBUF,
    });
  }
  return async (_payload, event, topic) => ({
    value: registryFramed(await registry.schemaId(valueSubject(topic)), encodeEvent(event)),
    contentType: CONTENT_TYPE_REGISTRY_PROTOBUF,
  });
}
