/**
 * What a lakehouse run left in its table, read back through Flink (a batch
 * query in its own JVM): rows and distinct event_ids, which applies the
 * equality and position deletes an upsert table has (pyiceberg refuses
 * those), and the table's live files by kind and partition from Iceberg's
 * `$files` metadata table.
 */
import { queryLakehouse } from '../lakehouse/run.ts';

export interface PartitionFiles {
  site: string;
  eventDate: string;
  data: number;
  positionDeletes: number;
  equalityDeletes: number;
  dataRecords: number;
  dataBytes: number;
  deleteBytes: number;
}

export interface TableCheck {
  rows: number;
  distinct: number;
  partitions: PartitionFiles[];
}

/** Iceberg's content codes in the files metadata table. */
const DATA = 0;
const POSITION_DELETES = 1;
const EQUALITY_DELETES = 2;

/** `table` is the name inside lake.iiot, e.g. alarm_events. */
export async function checkTable(warehouse: string, stateDir: string, table: string): Promise<TableCheck> {
  const files = `lake.iiot.\`${table}$files\``;
  const rows = await queryLakehouse(
    `SELECT COUNT(*) AS total_rows, COUNT(DISTINCT event_id) AS distinct_ids FROM lake.iiot.${table};
SELECT content AS file_content, \`partition\`.site AS file_site, \`partition\`.event_date AS file_day,
       COUNT(*) AS file_count, SUM(record_count) AS file_records, SUM(file_size_in_bytes) AS file_bytes
FROM ${files}
GROUP BY content, \`partition\`.site, \`partition\`.event_date;
`,
    { warehouse, stateDir, heapMb: 768 },
  );
  const counts = rows.find((row) => 'total_rows' in row);
  if (!counts) throw new Error(`no row count from lake.iiot.${table}`);
  const byPartition = new Map<string, PartitionFiles>();
  for (const row of rows) {
    if (!('file_content' in row)) continue;
    const site = String(row.file_site);
    const eventDate = String(row.file_day);
    const key = `${site}/${eventDate}`;
    let partition = byPartition.get(key);
    if (!partition) {
      partition = {
        site,
        eventDate,
        data: 0,
        positionDeletes: 0,
        equalityDeletes: 0,
        dataRecords: 0,
        dataBytes: 0,
        deleteBytes: 0,
      };
      byPartition.set(key, partition);
    }
    const count = Number(row.file_count);
    const bytes = Number(row.file_bytes);
    switch (Number(row.file_content)) {
      case DATA:
        partition.data += count;
        partition.dataRecords += Number(row.file_records);
        partition.dataBytes += bytes;
        break;
      case POSITION_DELETES:
        partition.positionDeletes += count;
        partition.deleteBytes += bytes;
        break;
      case EQUALITY_DELETES:
        partition.equalityDeletes += count;
        partition.deleteBytes += bytes;
        break;
      default:
        throw new Error(`unknown file content ${String(row.file_content)} in ${files}`);
    }
  }
  return {
    rows: Number(counts.total_rows),
    distinct: Number(counts.distinct_ids),
    partitions: [...byPartition.values()].sort(
      (a, b) => a.site.localeCompare(b.site) || a.eventDate.localeCompare(b.eventDate),
    ),
  };
}
