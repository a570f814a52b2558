/**
 * A Confluent-compatible schema registry (Confluent, Redpanda, Karapace,
 * Apicurio's ccompat API): registers the event schema once per subject and
 * frames records in the registry wire format, so registry-aware consumers
 * and sinks (Kafka Connect, Redpanda Iceberg topics) find the schema by id.
 */
import { GatewayError } from '../system/errors.ts';

export interface SchemaRegistryClient {
  /** The registry's id of the schema under `subject`, registering it on first use. */
  schemaId(subject: string): Promise<number>;
}

/** Subject naming of the registry's default TopicNameStrategy. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const MAGIC_BYTE = 0;
/**
 * Message indexes of the framed message: [0], the first message of the file,
 * which has a one-byte short form.
 */
const FIRST_MESSAGE = 0;

/** Magic byte, big-endian schema id, message indexes, then the Protobuf bytes. */
export function registryFramed(schemaId: number, message: Uint8Array): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  header.writeUInt8(FIRST_MESSAGE, 5);
  return Buffer.concat([header, message]);
}

export function createSchemaRegistry(options: {
  url: string;
  schema: string;
  schemaType: 'PROTOBUF';
  timeoutMs: number;
}): SchemaRegistryClient {
  const base = options.url.replace(/\/+$/, '');
  const ids = new Map<string, Promise<number>>();

  async function register(subject: string): Promise<number> {
    const where = `${base}/subjects/${encodeURIComponent(subject)}/versions`;
    let response: Response;
    try {
      response = await fetch(where, {
        method: 'POST',
        headers: { 'content-type': REGISTRY_CONTENT_TYPE, accept: REGISTRY_CONTENT_TYPE },
        body: JSON.stringify({ schemaType: options.schemaType, schema: options.schema }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (cause) {
      throw new GatewayError('PRODUCER_REGISTRY', `${where}: ${(cause as Error).message}`, { cause });
    }
    const body = (await response.json().catch(() => ({}))) as { id?: unknown; message?: unknown };
    if (!response.ok || typeof body.id !== 'number') {
      const detail = typeof body.message === 'string' ? body.message : 'no schema id in the answer';
      throw new GatewayError('PRODUCER_REGISTRY', `subject ${subject}: HTTP ${response.status}, ${detail}`);
    }
    return body.id;
  }

  return {
    schemaId(subject) {
      let id = ids.get(subject);
      if (!id) {
        id = register(subject);
        // A failed registration is tried again with the next batch, not remembered.
        id.catch(() => ids.delete(subject));
        ids.set(subject, id);
      }
      return id;
    },
  };
}
