/**
 * Resolves on the first SIGTERM or SIGINT. A second signal exits at once, for
 * an operator who does not want to wait for the in-flight batch.
 */
export function untilShutdownSignal(onForce: () => void = () => process.exit(130)): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const handler = (signal: NodeJS.Signals) => {
      if (received) return onForce();
      received = true;
      resolve(signal);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}

/** SIGHUP (systemctl reload) runs the handler; signals that arrive meanwhile run it once more afterwards. */
export function onReloadSignal(handler: () => Promise<void>): void {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = handler().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        run();
      }
    });
  };
  process.on('SIGHUP', run);
}
