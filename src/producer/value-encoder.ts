/**
 * The record value in the configured encoding, and the content-type header
 * that says which: JSON as the buffer holds it, Protobuf bare, or Protobuf in
 * the schema registry wire format.
 */
import type { Encoding } from '../config/output-schema.ts';
import { RecordsRejectedError } from './broker-errors.ts';
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

/**
 * An event the buffer holds but Protobuf cannot express (a field of the wrong
 * type) can never be sent as configured: it is refused like a record the
 * broker refuses for good, so it goes to the dead letters instead of blocking
 * the events behind it.
 */
function protobufOf(event: object): Uint8Array {
  try {
    return encodeEvent(event);
  } catch (error) {
    throw new RecordsRejectedError(
      'invalid',
      'PROTOBUF_ENCODING',
      `not encodable as Protobuf: ${(error as Error).message}`,
    );
  }
}

export function createValueEncoder(encoding: Encoding, registry?: SchemaRegistryClient): ValueEncoder {
  if (encoding === 'json') return async (payload) => ({ value: payload, contentType: CONTENT_TYPE_JSON });
  if (!registry) {
    return async (_payload, event) => ({
      value: Buffer.from(protobufOf(event)),
      contentType: CONTENT_TYPE_PROTOBUF,
    });
  }
  return async (_payload, event, topic) => ({
    value: registryFramed(await registry.schemaId(valueSubject(topic)), protobufOf(event)),
    contentType: CONTENT_TYPE_REGISTRY_PROTOBUF,
  });
}
