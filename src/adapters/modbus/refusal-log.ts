/**
 * Logs what a device refuses (Modbus exceptions) once per change, never once
 * per poll: the outcomes of a poll are gathered point by point, compared with
 * what each point was before, and the changes make at most one warning
 * (points newly refused, or refused with another exception) and one info line
 * (points answered again) for the whole poll.
 */
import { GatewayError } from '../../system/errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { ReadRequest } from './planner.ts';
import type { ModbusExceptionError } from './request-line.ts';

interface Refusal {
  readonly exceptionCode: number;
  /** `exception 2 (illegal data address)` */
  readonly exception: string;
  /** Where the point was read: `holding 1`. */
  readonly at: string;
}

export class RefusalLog {
  readonly #logger: Logger;
  /** The points refused as of the last poll. */
  readonly #refused = new Map<string, Refusal>();
  /** This poll's outcome per point read so far: the refusal, or undefined when answered. */
  readonly #outcomes = new Map<string, Refusal | undefined>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  answered(request: ReadRequest): void {
    for (const point of request.points) this.#outcomes.set(point.id, undefined);
  }

  refused(request: ReadRequest, error: ModbusExceptionError): void {
    for (const point of request.points) {
      this.#outcomes.set(point.id, {
        exceptionCode: error.exceptionCode,
        exception: error.exception,
        at: `${request.register} ${request.start + point.offset}`,
      });
    }
  }

  /** Logs the changes of the poll that just ended. */
  endPoll(): void {
    const refusedNow: [string, Refusal][] = [];
    const answeredAgain: string[] = [];
    for (const [pointId, outcome] of this.#outcomes) {
      const before = this.#refused.get(pointId);
      if (outcome === undefined) {
        if (before === undefined) continue;
        this.#refused.delete(pointId);
        answeredAgain.push(pointId);
      } else if (before?.exceptionCode !== outcome.exceptionCode) {
        this.#refused.set(pointId, outcome);
        refusedNow.push([pointId, outcome]);
      }
    }
    this.#outcomes.clear();
    if (refusedNow.length > 0) this.#warn(refusedNow);
    if (answeredAgain.length > 0) {
      this.#logger.info({ points: answeredAgain }, `points answered again: ${answeredAgain.join(', ')}`);
    }
  }

  #warn(refusedNow: readonly [string, Refusal][]): void {
    const byException = new Map<string, string[]>();
    for (const [pointId, refusal] of refusedNow) {
      const points = byException.get(refusal.exception) ?? [];
      points.push(`${pointId} (${refusal.at})`);
      byException.set(refusal.exception, points);
    }
    const detail = [...byException].map(([exception, points]) => `${exception} for ${points.join(', ')}`);
    const error = new GatewayError('MODBUS_EXCEPTION', detail.join('; '));
    const refused = Object.fromEntries(
      refusedNow.map(([pointId, refusal]) => [pointId, refusal.exceptionCode]),
    );
    this.#logger.warn({ code: error.code, refused }, error.describe());
  }
}
