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
