/**
 * Alarm events in Protobuf, with the schema the repository publishes
 * (proto/iiot/alarm/v1/alarm.proto). The only module of the producer that
 * imports protobufjs. Fields the .proto does not name yet ride along as JSON
 * in each message's `extra_json`, so an event decodes to exactly the JSON it
 * was made from.
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

export const ALARM_PROTO_URL = new URL('../../proto/iiot/alarm/v1/alarm.proto', import.meta.url);
/** The published .proto as text: what the schema registry stores. */
export const ALARM_PROTO = readFileSync(ALARM_PROTO_URL, 'utf8');
export const ALARM_MESSAGE = 'iiot.alarm.v1.AlarmEvent';

const root = protobuf.parse(ALARM_PROTO, { keepCase: true }).root;
const EventType = root.lookupType(ALARM_MESSAGE);
const StateType = root.lookupType('iiot.alarm.v1.AlarmState');
const ReasonType = root.lookupType('iiot.alarm.v1.Reason');
const SampleType = root.lookupType('iiot.alarm.v1.Sample');
const DroppedType = root.lookupType('iiot.alarm.v1.Dropped');

type Json = Record<string, unknown>;

const EXTRA = 'extra_json';
/** JSON's `value` (number, boolean or null) is a oneof of two fields; null leaves both unset. */
const VALUE_FIELDS = ['number_value', 'bool_value'];

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Known fields as they are (nested ones through `nested`), the rest as one JSON object in extra_json. */
function toMessage(
  type: protobuf.Type,
  source: Json,
  nested: Record<string, (value: unknown) => unknown> = {},
): Json {
  const message: Json = {};
  const extra: Json = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const convert = nested[name];
    if (name === 'value' && type.oneofs?.value) {
      if (typeof value === 'number') message.number_value = value;
      else if (typeof value === 'boolean') message.bool_value = value;
      else if (value !== null) extra[name] = value;
    } else if (convert) message[name] = convert(value);
    else if (name in type.fields && name !== EXTRA && !VALUE_FIELDS.includes(name)) message[name] = value;
    else extra[name] = value;
  }
  if (Object.keys(extra).length > 0) message[EXTRA] = JSON.stringify(extra);
  return message;
}

const sampleMessage = (sample: unknown) => (isObject(sample) ? toMessage(SampleType, sample) : sample);
const reasonMessage = (reason: unknown) =>
  isObject(reason)
    ? toMessage(ReasonType, reason, {
        samples: (samples) => (Array.isArray(samples) ? samples.map(sampleMessage) : samples),
        dropped: (dropped) => (isObject(dropped) ? toMessage(DroppedType, dropped) : dropped),
      })
    : reason;

export function encodeEvent(event: object): Uint8Array {
  const message = toMessage(EventType, event as Json, {
    state: (state) => (isObject(state) ? toMessage(StateType, state) : state),
    reason: reasonMessage,
  });
  return EventType.encode(EventType.fromObject(message)).finish();
}

/** Back to the JSON form: `value` from the oneof (null when unset), extra_json merged in. */
function fromMessage(
  type: protobuf.Type,
  message: Json,
  nested: Record<string, (value: Json) => Json> = {},
): Json {
  const result: Json = {};
  for (const [name, value] of Object.entries(message)) {
    if (name === EXTRA || VALUE_FIELDS.includes(name)) continue;
    const convert = nested[name];
    result[name] = convert && isObject(value) ? convert(value) : value;
  }
  if (type.oneofs?.value) result.value = message.number_value ?? message.bool_value ?? null;
  const extra = message[EXTRA];
  if (typeof extra === 'string' && extra !== '') Object.assign(result, JSON.parse(extra) as Json);
  return result;
}

// Defaults fill the plain proto3 fields, which the JSON form always has;
// fields marked optional stay absent when unset, as they are in JSON.
const READ: protobuf.IConversionOptions = { longs: Number, defaults: true };

function readReason(reason: Json): Json {
  const result = fromMessage(ReasonType, reason, { dropped: (dropped) => fromMessage(DroppedType, dropped) });
  // A repeated field cannot tell an empty list from none; the JSON form leaves it out.
  if (Array.isArray(result.samples) && result.samples.length > 0) {
    result.samples = result.samples.map((sample: Json) => fromMessage(SampleType, sample));
  } else delete result.samples;
  return result;
}

export function decodeEvent(bytes: Uint8Array): Json {
  const message = EventType.toObject(EventType.decode(bytes), READ) as Json;
  return fromMessage(EventType, message, {
    state: (state) => fromMessage(StateType, state),
    reason: readReason,
  });
}
