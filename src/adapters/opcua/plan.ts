/**
 * How monitored items are laid out on the server: at most
 * max_items_per_subscription per subscription (PLC servers limit it), and
 * created in calls of at most MaxMonitoredItemsPerCall (the server's
 * operation limit; 0 means none).
 */
export interface SubscriptionPlan<T> {
  /** One entry per subscription; each holds the create calls, in order. */
  readonly subscriptions: readonly (readonly (readonly T[])[])[];
}

export function planSubscriptions<T>(
  items: readonly T[],
  maxItemsPerSubscription: number,
  maxItemsPerCall: number,
): SubscriptionPlan<T> {
  const perCall =
    maxItemsPerCall > 0 ? Math.min(maxItemsPerCall, maxItemsPerSubscription) : maxItemsPerSubscription;
  const subscriptions: T[][][] = [];
  for (const group of chunk(items, maxItemsPerSubscription)) subscriptions.push(chunk(group, perCall));
  return { subscriptions };
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
