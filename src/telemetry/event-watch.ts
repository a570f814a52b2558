/**
 * Watches the events the alarm stage commits: counts them by transition and
 * priority and remembers when each alarm was last raised, so the status page
 * can show an alarm's age. An alarm already active when the gateway started
 * has no known raise time until it is raised again.
 */
import type { AlarmEvent } from '../alarms/event.ts';

export class EventWatch {
  readonly #raisedAt = new Map<string, number>();
  readonly #onEvent: (event: AlarmEvent) => void;

  constructor(onEvent: (event: AlarmEvent) => void = () => {}) {
    this.#onEvent = onEvent;
  }

  committed(events: readonly AlarmEvent[]): void {
    for (const event of events) {
      this.#onEvent(event);
      if (event.transition === 'raise') this.#raisedAt.set(event.condition_id, Date.parse(event.source_time));
      else if (event.transition === 'clear' && event.state.acked) this.#raisedAt.delete(event.condition_id);
    }
  }

  /** Epoch ms the alarm was raised, when this process saw it happen. */
  raisedAt(conditionId: string): number | undefined {
    return this.#raisedAt.get(conditionId);
  }
}
