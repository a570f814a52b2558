/**
 * Log levels per component (adapter, alarms, buffer, producer, ...), changed
 * while the gateway runs: turning the adapters to debug for a commissioning
 * session must not flood the log with every other stage's detail.
 *
 * Every logger a component logs through is a child carrying its `stage`
 * binding; pino copies a parent's level into a child when the child is made,
 * so a change has to reach every child made before it too. The root logger
 * reports each new child here (pino's onChild), and children are held weakly
 * so a short-lived one does not stay alive for this.
 */
import type { pino } from 'pino';
import { LOG_COMPONENTS, type LogComponent, type LogLevelSetting } from '../config/schema.ts';

export class ComponentLevels {
  readonly #children = new Map<LogComponent, Set<WeakRef<pino.Logger>>>();
  readonly #levels = new Map<LogComponent, LogLevelSetting>();
  #defaultLevel: string | undefined;

  static isComponent(name: string): name is LogComponent {
    return (LOG_COMPONENTS as readonly string[]).includes(name);
  }

  /** Called by the root logger for every child made from it or from its children. */
  track(child: pino.Logger): void {
    const component = child.bindings().stage;
    if (typeof component !== 'string' || !ComponentLevels.isComponent(component)) return;
    let set = this.#children.get(component);
    if (!set) {
      set = new Set();
      this.#children.set(component, set);
    }
    set.add(new WeakRef(child));
    const level = this.#levels.get(component);
    if (level !== undefined) child.level = level;
  }

  /** The root's level, reported for components that have none of their own. */
  setDefault(level: string): void {
    this.#defaultLevel = level;
  }

  set(component: LogComponent, level: LogLevelSetting): void {
    this.#levels.set(component, level);
    const set = this.#children.get(component);
    if (!set) return;
    for (const ref of set) {
      const child = ref.deref();
      if (child) child.level = level;
      else set.delete(ref);
    }
  }

  /** Every component with the level it logs at now. */
  current(): Record<LogComponent, string> {
    return Object.fromEntries(
      LOG_COMPONENTS.map((component) => [
        component,
        this.#levels.get(component) ?? this.#defaultLevel ?? 'info',
      ]),
    ) as Record<LogComponent, string>;
  }
}
