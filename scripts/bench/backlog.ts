/**
 * Events shaped like a plant's: 50 assets with 20 alarmed points each, so
 * record keys spread over the topic's partitions as they would in service
 * (one asset's events all on one partition), and each event comes with the
 * upsert of its alarm's state, as the evaluator commits them.
 */
import type { AlarmEventDraft } from '../../src/alarms/event.ts';
import type { Outbox, StateChange } from '../../src/buffer/outbox.ts';
import { draft } from '../../test/harness/fixtures.ts';

const ASSETS = 50;
const POINTS_PER_ASSET = 20;

export interface Transaction {
  changes: StateChange[];
  drafts: AlarmEventDraft[];
}

let next = 0;

function benchEvent(): { change: StateChange; draft: AlarmEventDraft } {
  const n = next++;
  const asset = `asset-${n % ASSETS}`;
  const point = `p${Math.floor(n / ASSETS) % POINTS_PER_ASSET}`;
  const raise = Math.floor(n / (ASSETS * POINTS_PER_ASSET)) % 2 === 0;
  const event = draft({
    asset,
    point,
    condition_id: `site-a/area-1/line-1/${asset}/${point}/temp`,
    transition: raise ? 'raise' : 'clear',
  });
  event.state = { ...event.state, active: raise };
  return { change: { conditionId: event.condition_id, state: { flags: event.state } }, draft: event };
}

/** One evaluator commit's worth of events. */
export function transaction(events: number): Transaction {
  const tx: Transaction = { changes: [], drafts: [] };
  for (let i = 0; i < events; i++) {
    const { change, draft: event } = benchEvent();
    tx.changes.push(change);
    tx.drafts.push(event);
  }
  return tx;
}

/** Fills an outbox quickly (large transactions); the caller times what it wants to time. */
export function fill(outbox: Outbox, events: number, perTransaction = 1000): void {
  for (let done = 0; done < events; done += perTransaction) {
    const tx = transaction(Math.min(perTransaction, events - done));
    outbox.commit(tx.changes, tx.drafts);
  }
}
