import { HIGH_WATER_SUFFIX } from './high-water-file.ts';

/** Every file a buffer at `path` keeps: the database, SQLite's WAL and shared memory, the seq high-water mark. */
export function bufferFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}${HIGH_WATER_SUFFIX}`];
}
