/**
 * The local HTTP listener: metrics, health, the status page and operator
 * actions. On by default and bound to the loopback address, so nothing is
 * reachable from the plant network unless the operator says so.
 */
import { type Static, Type } from '@sinclair/typebox';
import { DEFAULTS } from './defaults.ts';
import { Milliseconds, SecretSource, strict } from './schema-common.ts';

export const ListenerSettings = strict(
  {
    enabled: Type.Optional(
      Type.Boolean({ default: true, description: 'false: no listener at all (no metrics, health or page).' }),
    ),
    host: Type.Optional(
      Type.String({
        minLength: 1,
        default: DEFAULTS.listenerHost,
        description: 'Bind address; 0.0.0.0 makes the page and metrics reachable from the network.',
      }),
    ),
    port: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65535,
        default: DEFAULTS.listenerPort,
        description: 'TCP port; 0 picks a free one (logged at start).',
      }),
    ),
    operator_token: Type.Optional({
      ...SecretSource,
      description:
        'Bearer token for operator actions (acknowledge, shelve) and log level changes, from a file or variable. Without it the page is read-only and actions are refused.',
    }),
    ready_min_devices_share: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        default: DEFAULTS.readyMinDevicesShare,
        description: '/readyz needs at least this share of devices reachable (0 to 1).',
      }),
    ),
    max_loop_lag_ms: Type.Optional(
      Milliseconds(
        '/healthz fails when the event loop lagged more than this recently.',
        10,
        DEFAULTS.maxLoopLagMs,
      ),
    ),
    status_refresh_ms: Type.Optional(
      Milliseconds('How often the status page refreshes itself.', 200, DEFAULTS.statusRefreshMs),
    ),
  },
  {
    title: 'Local HTTP listener',
    description: 'Metrics (/metrics), health (/healthz, /readyz) and the status page (/).',
  },
);
export type ListenerSettings = Static<typeof ListenerSettings>;

export const LogLevelSetting = Type.Union([
  Type.Literal('trace'),
  Type.Literal('debug'),
  Type.Literal('info'),
  Type.Literal('warn'),
  Type.Literal('error'),
  Type.Literal('silent'),
]);
export type LogLevelSetting = Static<typeof LogLevelSetting>;

/** The components that log through a logger of their own, each with a level that can differ. */
export const LOG_COMPONENTS = ['adapter', 'alarms', 'buffer', 'producer', 'telemetry'] as const;
export type LogComponent = (typeof LOG_COMPONENTS)[number];

export const ComponentLogLevels = strict(
  {
    adapter: Type.Optional(LogLevelSetting),
    alarms: Type.Optional(LogLevelSetting),
    buffer: Type.Optional(LogLevelSetting),
    producer: Type.Optional(LogLevelSetting),
    telemetry: Type.Optional(LogLevelSetting),
  },
  {
    description:
      'Log level per component, over log_level; PUT /api/loglevel changes them while the gateway runs.',
  },
);
export type ComponentLogLevels = Static<typeof ComponentLogLevels>;
