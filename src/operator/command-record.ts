/**
 * How an operator command travels on the command topic: keyed by its site,
 * so each site's commands stay in order on one partition and a gateway can
 * tell another site's record even when its body cannot be read.
 */
import type { OperatorCommand } from '../alarms/command.ts';
import type { OutgoingRecord } from '../producer/kafka-client.ts';
import { CONTENT_TYPE_JSON } from '../producer/record.ts';

export function commandRecord(topic: string, command: OperatorCommand): OutgoingRecord {
  return {
    topic,
    key: command.site,
    value: JSON.stringify(command),
    headers: { 'content-type': CONTENT_TYPE_JSON, command_id: command.command_id, site: command.site },
  };
}
