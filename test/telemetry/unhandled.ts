/**
 * Collects unhandled rejections and uncaught exceptions while a test runs:
 * the gateway treats either as fatal, so a request must never cause one.
 */
export function escapedFailures() {
  const failures: string[] = [];
  const record = (error: unknown) => failures.push(String((error as Error)?.stack ?? error));
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  return {
    failures,
    stop() {
      process.off('unhandledRejection', record);
      process.off('uncaughtException', record);
    },
  };
}
