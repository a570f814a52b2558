/**
 * The independent reader of the lakehouse tables (lakehouse/reader/): pyiceberg
 * and pyarrow from PyPI in a virtualenv outside the repository, so a test can
 * check what Flink wrote with a reader that shares no code with it.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { toolsDir } from '../maven-classpath.ts';

const run = promisify(execFile);
const REQUIREMENTS = fileURLToPath(new URL('../../lakehouse/reader/requirements.txt', import.meta.url));
const READER = fileURLToPath(new URL('../../lakehouse/reader/read_table.py', import.meta.url));

/** The virtualenv's python, created (about 10 s, 150 MB) when the requirements changed. */
export async function ensureReaderPython(): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex').slice(0, 12);
  const venv = join(toolsDir(), `lakehouse-reader-${hash}`);
  const python = join(venv, 'bin', 'python');
  if (existsSync(python)) return python;
  const staging = `${venv}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await run(process.env.PYTHON || 'python3', ['-m', 'venv', staging]);
    await run(
      join(staging, 'bin', 'pip'),
      ['install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS],
      {
        timeout: 10 * 60_000,
      },
    );
    try {
      renameSync(staging, venv);
    } catch (error) {
      if (!existsSync(python)) throw error;
    }
    return python;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export interface IcebergRead {
  rows: Record<string, unknown>[];
  /** Each data file: its partition in the table metadata, and the partition values its rows hold. */
  files: {
    path: string;
    records: number;
    partition: Record<string, unknown>;
    values: Record<string, unknown>[];
  }[];
  deletes: number;
}

/** Reads a table (`iiot.alarm_events`) of a Hadoop-catalog warehouse with pyiceberg. */
export async function readIcebergTable(
  warehouse: string,
  table: string,
  columns: readonly string[] = [],
): Promise<IcebergRead> {
  const python = await ensureReaderPython();
  const { stdout } = await run(python, [READER, warehouse, table, ...columns], {
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  return JSON.parse(stdout) as IcebergRead;
}
