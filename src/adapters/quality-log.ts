/**
 * Logs a point's quality only when it changes, so a persistently bad point is
 * one line, not one per poll or notification.
 */
import { type ErrorCode, GatewayError } from '../system/errors.ts';
import type { Logger } from '../telemetry/logger.ts';

/** Call with the reason a point is bad (and its code when not the default), or undefined when it is good. */
export type QualityLog = (pointId: string, reason: string | undefined, code?: ErrorCode) => void;

export function qualityLog(logger: Logger, defaultCode: ErrorCode): QualityLog {
  const badPoints = new Map<string, string>();
  return (pointId, reason, code = defaultCode) => {
    const previous = badPoints.get(pointId);
    if (reason === undefined) {
      if (previous !== undefined) {
        badPoints.delete(pointId);
        logger.info({ point: pointId }, 'point quality good again');
      }
      return;
    }
    if (previous === reason) return;
    badPoints.set(pointId, reason);
    const error = new GatewayError(code, `point ${pointId}: ${reason}`);
    logger.warn({ point: pointId, code: error.code, reason }, error.describe());
  };
}
