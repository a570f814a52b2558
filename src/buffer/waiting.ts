/**
 * How many events wait in a buffer file, read from another process (the demo,
 * benchmarks) without opening it as an outbox: read-only, no migration, no
 * integrity check, and 0 while the file does not exist yet.
 */
import Database from 'better-sqlite3';

export function waitingEvents(path: string): number {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return 0;
  }
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  } catch {
    // Created but not yet migrated by the service: nothing waits.
    return 0;
  } finally {
    db.close();
  }
}
