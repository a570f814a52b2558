/**
 * How fast alarm events can be made durable: commits into a fresh outbox the
 * way the evaluator does, one transaction per poll's worth of transitions.
 */
import { rmSync } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import type { Synchronous } from '../../src/buffer/database.ts';
import { bufferFiles } from '../../src/buffer/files.ts';
import { Outbox } from '../../src/buffer/outbox.ts';
import { recordShape } from '../../src/producer/record.ts';
import { transaction } from './backlog.ts';

export interface CommitRun {
  synchronous: Synchronous;
  perTransaction: number;
  events: number;
  transactions: number;
  /** Time spent inside Outbox.commit only; building the events is left out. */
  seconds: number;
  /** How much this process's resident set grew over the run (memory is rarely given back, so later runs grow less). */
  rssGrowth: number;
}

export interface CommitPlan {
  path: string;
  synchronous: Synchronous;
  perTransaction: number;
  /** Stop after this many events … */
  maxEvents: number;
  /** … or after this long, whichever comes first (one fsync per commit makes small transactions slow). */
  maxSeconds: number;
}

export async function measureCommits(plan: CommitPlan): Promise<CommitRun> {
  const rssBefore = process.memoryUsage().rss;
  const outbox = new Outbox({ path: plan.path, synchronous: plan.synchronous, shapeOf: recordShape });
  let events = 0;
  let transactions = 0;
  let busyMs = 0;
  try {
    while (events < plan.maxEvents && busyMs < plan.maxSeconds * 1000) {
      const tx = transaction(Math.min(plan.perTransaction, plan.maxEvents - events));
      const started = performance.now();
      outbox.commit(tx.changes, tx.drafts);
      busyMs += performance.now() - started;
      events += tx.drafts.length;
      transactions += 1;
      // In service every commit has an event-loop turn to itself; native clean-up (finalizers) runs in between.
      await setImmediate();
    }
  } finally {
    outbox.close();
    removeDatabase(plan.path);
  }
  const rssGrowth = process.memoryUsage().rss - rssBefore;
  return {
    synchronous: plan.synchronous,
    perTransaction: plan.perTransaction,
    events,
    transactions,
    seconds: busyMs / 1000,
    rssGrowth,
  };
}

export function removeDatabase(path: string): void {
  for (const file of bufferFiles(path)) rmSync(file, { force: true });
}
