/**
 * The lakehouse jobs: which SQL files each runs, streaming or as a batch
 * backfill. Every run starts with the catalog and table definitions and the
 * Kafka source tables; the files are in lakehouse/sql/.
 */
import { fileURLToPath } from 'node:url';

export type Mode = 'streaming' | 'batch';

export const JOB_NAMES = ['events', 'state', 'kpis', 'compact'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** SQL files per job and mode; a mode a job lacks is refused with the reason. */
const JOB_FILES: Record<JobName, Partial<Record<Mode, readonly string[]>>> = {
  events: { streaming: ['alarm_events.sql'], batch: ['alarm_events_backfill.sql'] },
  state: { streaming: ['alarm_state.sql'], batch: ['alarm_state_backfill.sql'] },
  kpis: { batch: ['alarm_kpis.sql'] },
  compact: { batch: ['alarm_events_compact.sql'] },
};

const PRELUDE = ['catalog.sql', 'kafka-sources.sql'];

export const SQL_DIR = fileURLToPath(new URL('../../lakehouse/sql/', import.meta.url));

export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}

/** The SQL files of a run of these jobs, in order, as absolute paths. */
export function jobFiles(jobs: readonly JobName[], mode: Mode): string[] {
  const files = [...PRELUDE];
  for (const job of jobs) {
    const own = JOB_FILES[job][mode];
    if (!own) {
      const other = mode === 'batch' ? 'streaming' : 'batch';
      throw new Error(`the ${job} job runs only in ${other} mode (lakehouse/sql/)`);
    }
    files.push(...own);
  }
  return files.map((file) => `${SQL_DIR}${file}`);
}

/** Whether a run of this job reads Kafka (and so needs brokers); the others read the lake only. */
export function readsKafka(job: JobName, mode: Mode): boolean {
  return job === 'events' || (job === 'state' && mode === 'streaming');
}
