/**
 * Liveness and readiness, decided from what the stages report; pure, so
 * every threshold is tested without a running gateway.
 *
 * Live: the process answers and its event loop is not stuck. Ready: the
 * site file is loaded, the buffer takes events and enough devices answer.
 * The broker is reported but not required: while it is away the gateway
 * buffers, which is normal operation, not a reason to restart or alert on
 * the gateway itself.
 */
export interface Liveness {
  ok: boolean;
  loop_lag_ms: number;
  max_loop_lag_ms: number;
}

export function liveness(worstLagMs: number, maxLoopLagMs: number): Liveness {
  return {
    ok: worstLagMs <= maxLoopLagMs,
    loop_lag_ms: Math.round(worstLagMs),
    max_loop_lag_ms: maxLoopLagMs,
  };
}

export interface ReadinessInput {
  configLoaded: boolean;
  /** Why the buffer refuses events right now, if it does. */
  bufferProblem: string | undefined;
  devices: readonly { deviceId: string; up: boolean }[];
  minDevicesShare: number;
  brokerUp: boolean;
  brokerError?: string | undefined;
}

export interface Readiness {
  ok: boolean;
  checks: {
    config: { ok: boolean };
    buffer: { ok: boolean; problem?: string };
    devices: { ok: boolean; up: number; total: number; required: number; down: string[] };
    broker: { up: boolean; required: false; last_error?: string };
  };
}

/** Devices needed up: the share of all, rounded up, so a share above 0 always needs at least one. */
export function requiredDevices(total: number, share: number): number {
  // The epsilon keeps 10 * 0.3 (3.0000000000000004) from becoming 4.
  return Math.max(0, Math.ceil(total * share - 1e-9));
}

export function readiness(input: ReadinessInput): Readiness {
  const total = input.devices.length;
  const up = input.devices.filter((device) => device.up).length;
  const required = requiredDevices(total, input.minDevicesShare);
  const devices = {
    ok: up >= required,
    up,
    total,
    required,
    down: input.devices.filter((device) => !device.up).map((device) => device.deviceId),
  };
  const buffer =
    input.bufferProblem === undefined ? { ok: true } : { ok: false, problem: input.bufferProblem };
  const broker = {
    up: input.brokerUp,
    required: false as const,
    ...(input.brokerUp || input.brokerError === undefined ? {} : { last_error: input.brokerError }),
  };
  return {
    ok: input.configLoaded && buffer.ok && devices.ok,
    checks: { config: { ok: input.configLoaded }, buffer, devices, broker },
  };
}
