/**
 * What the server sent for a point, as a reading: quality from the status
 * code, the value converted or refused, the server's source timestamp kept.
 * A point that turns bad is logged once per reason, not once per value.
 */
import type { Logger } from '../../telemetry/logger.ts';
import { qualityLog } from '../quality-log.ts';
import { type Reading, screenSourceTime } from '../reading.ts';
import type { UaSample } from './client.ts';
import { convertValue, qualityOf } from './quality.ts';

export interface PointReadings {
  of(pointId: string, sample: UaSample, at: number): Reading;
  bad(pointId: string, reason: string, at: number): Reading;
}

export function pointReadings(
  deviceId: string,
  logger: Logger,
  counters: { badValues: number },
  sourceTimeToleranceMs?: number,
): PointReadings {
  const noteQuality = qualityLog(logger, 'OPCUA_NODE');

  function bad(pointId: string, reason: string, at: number): Reading {
    counters.badValues += 1;
    noteQuality(pointId, reason);
    return { deviceId, pointId, value: null, quality: 'bad', qualityReason: reason, gatewayTime: at };
  }

  function of(pointId: string, sample: UaSample, at: number): Reading {
    const quality = qualityOf(sample.status);
    if (quality === 'bad')
      return withSourceTime(bad(pointId, sample.statusText, at), sample, sourceTimeToleranceMs);
    const converted = convertValue(sample.value);
    if (!converted.ok)
      return withSourceTime(bad(pointId, converted.reason, at), sample, sourceTimeToleranceMs);
    noteQuality(pointId, undefined);
    const reading: Reading = {
      deviceId,
      pointId,
      value: converted.value,
      quality,
      gatewayTime: at,
      ...(quality === 'good' ? {} : { qualityReason: sample.statusText }),
    };
    return withSourceTime(reading, sample, sourceTimeToleranceMs);
  }

  return { of, bad };
}

function withSourceTime(reading: Reading, sample: UaSample, toleranceMs: number | undefined): Reading {
  return sample.sourceTime === undefined
    ? reading
    : screenSourceTime({ ...reading, sourceTime: sample.sourceTime }, toleranceMs);
}
