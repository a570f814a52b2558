/**
 * Transitions the alarm stage decided while the buffer refused to commit them
 * (a full disk, `when_full: block`). A refused transition is rolled back and
 * decided again with the next reading or tick, and most commit once the
 * buffer takes events again. One that is no longer decided (the value went
 * back while the buffer refused) never happened downstream: once it has not
 * been decided again for a while, it is counted and reported as dropped
 * (`events_dropped`, cause `refused`), so the gap is known.
 */
import type { DroppedTally } from '../buffer/dropped.ts';
import type { Priority } from '../config/schema.ts';
import type { AlarmEventDraft } from './event.ts';

/** A transition not decided again for this long after its last refusal is gone for good. */
export const REFUSED_SETTLE_MS = 60_000;
/** While a report cannot be committed, it is tried again at most this often. */
const REPORT_RETRY_MS = 5_000;

interface Refused {
  readonly priority: Priority;
  readonly firstAt: number;
  lastAt: number;
}

/** What identifies one decision: the same transition from the same state to the same state. */
function keyOf(draft: AlarmEventDraft, previous: unknown): string {
  const flags = (previous as { flags?: unknown } | undefined)?.flags ?? null;
  return JSON.stringify([draft.condition_id, draft.transition, draft.priority, flags, draft.state]);
}

export class RefusedTransitions {
  readonly #pending = new Map<string, Refused>();
  #lastAttemptAt = Number.NEGATIVE_INFINITY;

  /** The buffer refused these drafts; `previousOf` gives each condition's state before them. */
  refused(
    drafts: readonly AlarmEventDraft[],
    previousOf: (conditionId: string) => unknown,
    now: number,
  ): void {
    for (const draft of drafts) {
      if (draft.kind === 'system') continue;
      const key = keyOf(draft, previousOf(draft.condition_id));
      const known = this.#pending.get(key);
      if (known) known.lastAt = now;
      else this.#pending.set(key, { priority: draft.priority, firstAt: now, lastAt: now });
    }
  }

  /** These drafts committed: whatever of them was refused before happened after all. */
  committed(drafts: readonly AlarmEventDraft[], previousOf: (conditionId: string) => unknown): void {
    if (this.#pending.size === 0) return;
    for (const draft of drafts) this.#pending.delete(keyOf(draft, previousOf(draft.condition_id)));
  }

  /**
   * The refused transitions that settled (not decided again for REFUSED_SETTLE_MS),
   * as a tally to report, or undefined when there are none or a failed report is
   * too recent to try again. `reported` removes them once the report committed.
   */
  settled(now: number): { tally: DroppedTally; reported(): void } | undefined {
    if (this.#pending.size === 0 || now - this.#lastAttemptAt < REPORT_RETRY_MS) return undefined;
    const keys = [...this.#pending].filter(([, refused]) => now - refused.lastAt >= REFUSED_SETTLE_MS);
    if (keys.length === 0) return undefined;
    this.#lastAttemptAt = now;
    const byPriority: Partial<Record<Priority, number>> = {};
    for (const [, { priority }] of keys) byPriority[priority] = (byPriority[priority] ?? 0) + 1;
    // A reduce, not a spread: a site may have more refused transitions than a call takes arguments.
    const since = keys.reduce((first, [, refused]) => Math.min(first, refused.firstAt), now);
    return {
      // Refused transitions were never given a seq: the range is empty (0..0).
      tally: {
        count: keys.length,
        byPriority,
        byCause: { refused: keys.length },
        firstSeq: 0,
        lastSeq: 0,
        since,
      },
      reported: () => {
        for (const [key] of keys) this.#pending.delete(key);
      },
    };
  }
}
