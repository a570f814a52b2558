/**
 * Worker thread entry of an off-thread load: loads the file named in
 * workerData and posts the result back, with at most `issues` problems so
 * that a file broken everywhere does not cost the main thread a huge copy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type LoadResult, loadSiteFile } from './load.ts';

const { file, issues } = workerData as { file: string; issues: number };
const result: LoadResult = loadSiteFile(file);
if (!result.ok && result.issues.length > issues) {
  result.omitted = result.issues.length - issues;
  result.issues = result.issues.slice(0, issues);
}
parentPort?.postMessage(result);
