/**
 * One rendering of the metrics answers every scrape that arrives while it
 * runs and for a short while after. Rendering walks the whole registry on the
 * event loop; done once per scrape, a burst of scrapes would stall the loop
 * that polls the devices and commits the alarms.
 */
export class SharedRendering {
  readonly #render: () => Promise<string>;
  readonly #reuseMs: number;
  readonly #now: () => number;
  #rendering: Promise<string> | undefined;
  #latest: { text: string; at: number } | undefined;

  constructor(render: () => Promise<string>, reuseMs: number, now: () => number = () => performance.now()) {
    this.#render = render;
    this.#reuseMs = reuseMs;
    this.#now = now;
  }

  /** The latest text while it is fresh, else the rendering under way, else a new one. */
  text(): Promise<string> {
    const latest = this.#latest;
    if (latest !== undefined && this.#now() - latest.at < this.#reuseMs) return Promise.resolve(latest.text);
    if (this.#rendering !== undefined) return this.#rendering;
    const rendering = this.#renderOnce();
    this.#rendering = rendering;
    // Forgotten once settled: a failed rendering is not kept, the next scrape tries again.
    const settled = () => {
      if (this.#rendering === rendering) this.#rendering = undefined;
    };
    rendering.then(settled, settled);
    return rendering;
  }

  async #renderOnce(): Promise<string> {
    const at = this.#now();
    const text = await this.#render();
    this.#latest = { text, at };
    return text;
  }
}
