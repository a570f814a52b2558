/**
 * Chooses each event's topic from the routing rules of the site file: the
 * first route whose criteria all match wins, anything else goes to the
 * default topic. Decided when the event is sent, so changed rules apply to
 * events still waiting in the buffer.
 */
import type { AlarmEvent } from '../alarms/event.ts';
import type { Route, RouteMatch } from '../config/output-schema.ts';

type Routed = Pick<AlarmEvent, 'priority' | 'kind' | 'site' | 'area'>;

export type Router = (event: Routed) => string;

function matches(when: RouteMatch, event: Routed): boolean {
  return (
    (when.priority?.includes(event.priority) ?? true) &&
    (when.kind?.includes(event.kind) ?? true) &&
    (when.site?.includes(event.site) ?? true) &&
    (when.area?.includes(event.area) ?? true)
  );
}

export function createRouter(routes: readonly Route[], defaultTopic: string): Router {
  return (event) => routes.find((route) => matches(route.when, event))?.topic ?? defaultTopic;
}

/** Every topic events may go to, default first, each once. */
export function eventTopics(routes: readonly Route[], defaultTopic: string): string[] {
  return [...new Set([defaultTopic, ...routes.map((route) => route.topic)])];
}
