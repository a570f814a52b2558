/**
 * Brings the data subscriptions back on a new session. While the server may
 * still hold the lost session (within its session timeout) its subscriptions
 * are asked for by TransferSubscriptions: the server keeps sampling, nothing
 * is created again, and the current values are sent again. Whatever cannot be
 * transferred (the server restarted, refuses the transfer, or its namespaces
 * moved so the items would point elsewhere) is created afresh from NodeIds
 * resolved on this session.
 */
import type { UaDetachedSubscription, UaHandlers, UaSession, UaSubscriptionSpec } from './client.ts';

/** A subscription of the lost session, as the next session may take it over. */
export interface CarriedSubscription {
  /** The spec it was created from; a transfer is only right when the new session would create the same. */
  key: string;
  detached: UaDetachedSubscription;
  /** Per item, why the server refused to monitor it (kept with the subscription). */
  refused: (string | undefined)[];
}

/** What a lost session leaves behind, by position in the subscription plan. */
export interface Carried {
  lostAt: number;
  subscriptions: (CarriedSubscription | undefined)[];
}

export interface Restored {
  /** Per subscription, per item: why it is not monitored, or undefined. */
  outcomes: (string | undefined)[][];
  transferred: number;
  recreated: number;
  /** Why subscriptions were recreated rather than transferred, for the log. */
  reason?: string;
}

export function specKey(spec: UaSubscriptionSpec): string {
  return JSON.stringify(spec);
}

export async function restoreSubscriptions(
  session: UaSession,
  specs: readonly UaSubscriptionSpec[],
  handlers: readonly UaHandlers[],
  carried: Carried | undefined,
  sessionTimeoutMs: number,
): Promise<Restored> {
  const outcomes: (string | undefined)[][] = specs.map(() => []);
  const candidates: number[] = [];
  let reason: string | undefined;
  if (carried === undefined) {
    reason = 'the last session left no subscriptions to take over';
  } else if (Date.now() - carried.lostAt >= sessionTimeoutMs) {
    reason = 'the lost session has timed out on the server';
  } else {
    specs.forEach((spec, index) => {
      if (carried.subscriptions[index]?.key === specKey(spec)) candidates.push(index);
    });
    if (candidates.length < specs.length) reason = 'the subscription plan changed';
  }
  let transferred = 0;
  const done = new Set<number>();
  if (candidates.length > 0 && carried) {
    const results = await session.transfer(
      candidates.map((index) => (carried.subscriptions[index] as CarriedSubscription).detached),
      candidates.map((index) => handlers[index] as UaHandlers),
    );
    results.forEach((failure, position) => {
      const index = candidates[position] as number;
      if (failure === undefined) {
        outcomes[index] = (carried.subscriptions[index] as CarriedSubscription).refused;
        done.add(index);
        transferred += 1;
      } else {
        reason ??= failure;
      }
    });
  }
  for (const [index, spec] of specs.entries()) {
    if (done.has(index)) continue;
    outcomes[index] = await session.subscribe(spec, handlers[index] as UaHandlers);
  }
  return {
    outcomes,
    transferred,
    recreated: specs.length - transferred,
    ...(reason === undefined ? {} : { reason }),
  };
}
