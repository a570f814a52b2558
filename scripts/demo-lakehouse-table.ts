/**
 * The demo's one line about lake.iiot.alarm_events, read with pyiceberg (no
 * JVM, about a second): rows, rows per partition (site/day), the newest event.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type IcebergRead, readIcebergTable } from './lakehouse/python.ts';

const TABLE = 'iiot.alarm_events';
const COLUMNS = ['seq', 'transition', 'priority', 'asset', 'point', 'kind'];

export function summarise(read: IcebergRead): string {
  const partitions = new Map<string, number>();
  for (const file of read.files) {
    const key = `${file.partition.site}/${file.partition.event_date}`;
    partitions.set(key, (partitions.get(key) ?? 0) + file.records);
  }
  const newest = read.rows.reduce<Record<string, unknown> | undefined>(
    (best, row) => (best === undefined || Number(row.seq) > Number(best.seq) ? row : best),
    undefined,
  );
  let line = `alarm_events ${read.rows.length} rows${read.rows.length ? '' : ' so far'}`;
  if (partitions.size > 0) {
    line += `, partitions ${[...partitions].map(([key, rows]) => `${key} (${rows})`).join(', ')}`;
  }
  if (newest) {
    const what = [newest.asset, newest.point].filter(Boolean).join(' ') || newest.kind;
    line += `; newest #${newest.seq} ${[newest.transition, newest.priority, what].filter(Boolean).join(' ')}`;
  }
  return line;
}

/** The line for the table in this warehouse, or why there is none yet. */
export async function tableLine(warehouse: string): Promise<string> {
  const metadata = join(warehouse, ...TABLE.split('.'), 'metadata', 'version-hint.text');
  if (!existsSync(metadata)) return 'alarm_events not created yet';
  try {
    return summarise(await readIcebergTable(warehouse, TABLE, COLUMNS));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `reading alarm_events failed: ${message.split('\n')[0]}`;
  }
}
