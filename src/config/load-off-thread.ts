/**
 * Loads a site file in a worker thread, for the running gateway: reading,
 * parsing and checking a large or broken file then costs the event loop
 * nothing, so polls, alarm timers and health answers go on meanwhile. The
 * worker has a time and a heap limit; passing either refuses the file.
 */
import { Worker } from 'node:worker_threads';
import { deepFreeze } from './freeze.ts';
import type { ConfigIssue } from './issues.ts';
import { RELOAD_LIMITS } from './limits.ts';
import type { LoadResult } from './load.ts';
import type { SiteFile } from './schema.ts';

/** The same module as TypeScript source or as built JavaScript. */
const WORKER = new URL(
  import.meta.url.endsWith('.ts') ? './load-worker.ts' : './load-worker.js',
  import.meta.url,
);

export interface OffThreadLimits {
  timeMs: number;
  heapMb: number;
  /** Problems reported at most; the rest are counted in `omitted`. */
  issues: number;
}

/** Never rejects: every way the worker can fail is an issue of the result. */
export function loadSiteFileOffThread(
  file: string,
  limits: OffThreadLimits = RELOAD_LIMITS,
): Promise<LoadResult> {
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(WORKER, {
      workerData: { file, issues: limits.issues },
      resourceLimits: { maxOldGenerationSizeMb: limits.heapMb },
    });
    const finish = (result: LoadResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    const refuse = (message: string, code: ConfigIssue['code']): void =>
      finish({ ok: false, file, issues: [{ file, line: 0, column: 0, path: '', message, code }] });

    const timer = setTimeout(
      () =>
        refuse(
          `loading took longer than ${limits.timeMs / 1000} s, the most a reload may take`,
          'CONFIG_LIMIT',
        ),
      limits.timeMs,
    );
    worker.once('message', (result: LoadResult) => {
      // The copy that crossed the thread boundary is no longer frozen.
      finish(result.ok ? { ...result, site: deepFreeze(result.site) as SiteFile } : result);
    });
    worker.once('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        refuse(
          `loading needed more than ${limits.heapMb} MB of memory, the most a reload may use`,
          'CONFIG_LIMIT',
        );
      } else {
        refuse(`cannot load the site file: ${error.message}`, 'CONFIG_READ');
      }
    });
    worker.once('exit', (code) =>
      refuse(`the loader stopped before it finished (exit code ${code})`, 'CONFIG_READ'),
    );
  });
}
