/**
 * The only module that speaks node-opcua. It offers a small promise-based
 * session: read, subscribe, hear about a lost link, close. Everything it
 * hands back is plain data (numbers, strings), and every failure is a
 * GatewayError from the catalogue, so the adapter never sees a library type.
 */

import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import {
  AttributeIds,
  and,
  BrowseDirection,
  type BrowseResult,
  ClientMonitoredItem,
  type ClientMonitoredItemGroup,
  type ClientSession,
  ClientSubscription,
  type ContentFilterElement,
  constructEventFilter,
  DataChangeFilter,
  DataChangeTrigger,
  DataType,
  type DataValue,
  DeadbandType,
  s as eventField,
  greaterThanOrEqual,
  l as literal,
  MessageSecurityMode,
  makeBrowsePath,
  makeContentFilter,
  NodeId,
  OPCUAClient,
  ofType,
  or,
  SecurityPolicy,
  type StatusCode,
  setErrorLogger,
  setWarningLogger,
  TimestampsToReturn,
  type TransferSubscriptionsResponse,
  type UserIdentityInfo,
  UserTokenType,
  type Variant,
} from 'node-opcua-client';
import type { Deadband, DataChangeTrigger as Trigger } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { rejectedCertificate } from './pki.ts';

export type UaUser =
  | { kind: 'anonymous' }
  | { kind: 'username'; username: string; password: string }
  | { kind: 'certificate'; certificatePem: string; privateKeyPem: string };

export interface UaConnectOptions {
  endpoint: string;
  securityMode: 'None' | 'Sign' | 'SignAndEncrypt';
  securityPolicy: 'None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';
  user: UaUser;
  /** The gateway's PKI: its own certificate, trusted and rejected server certificates. */
  pkiDir: string;
  trustOnFirstUse: boolean;
  timeoutMs: number;
  /**
   * How long the server keeps the session alive without hearing from it: a
   * session orphaned by a silent outage ends this long after the outage.
   */
  sessionTimeoutMs: number;
  applicationName: string;
}

/** One value as the server sent it. */
export interface UaSample {
  value: unknown;
  /** The numeric OPC UA status code. */
  status: number;
  statusText: string;
  sourceTime?: number;
}

export interface UaMonitorSpec {
  /** Resolved against the current namespace array: `ns=<index>;…`. */
  nodeId: string;
  samplingIntervalMs: number;
  queueSize: number;
  discardOldest: boolean;
  trigger?: Trigger;
  deadband?: Deadband;
}

export interface UaSubscriptionSpec {
  publishingIntervalMs: number;
  /** Publishing intervals without data after which the server sends a keep-alive. */
  keepAliveCount: number;
  /**
   * Publishing intervals without a publish request after which the server
   * deletes the subscription; as long as the session timeout, so a
   * subscription outlives an outage as long as its session does and can be transferred.
   */
  lifetimeCount: number;
  /** Create calls, each within the server's MaxMonitoredItemsPerCall. */
  calls: readonly (readonly UaMonitorSpec[])[];
}

/** One event of an Alarms & Conditions subscription, as plain data. */
export interface UaConditionEvent {
  /** `refresh_start` and `refresh_end` bracket the replies to a ConditionRefresh. */
  kind: 'condition' | 'refresh_start' | 'refresh_end';
  sourceName: string;
  conditionName: string;
  /** Set for a branch (an earlier state kept for acknowledgement), absent for the condition itself. */
  branch?: string;
  active: boolean;
  acked: boolean;
  confirmed?: boolean;
  severity: number;
  message: string;
  retain: boolean;
  time: number;
}

/** Which events the server sends: of one of these types (resolved NodeIds), at least this severe. */
export interface UaEventFilter {
  eventTypes?: readonly string[];
  minSeverity?: number;
}

/** The where clause of the event filter; none when nothing is asked, so every event of the source arrives. */
function whereClause(filter: UaEventFilter | undefined) {
  const types = filter?.eventTypes ?? [];
  const minSeverity = filter?.minSeverity;
  if (types.length === 0 && minSeverity === undefined) return undefined;
  const anyOf = (elements: ContentFilterElement[]) =>
    elements.slice(1).reduce((left, right) => or(left, right), elements[0] as ContentFilterElement);
  const clauses: ContentFilterElement[] = [];
  if (types.length > 0) clauses.push(anyOf(types.map((type) => ofType(type))));
  if (minSeverity !== undefined) {
    clauses.push(
      greaterThanOrEqual(eventField(AttributeIds.Value, 'Severity'), literal(DataType.UInt16, minSeverity)),
    );
  }
  const wanted = clauses
    .slice(1)
    .reduce((left, right) => and(left, right), clauses[0] as ContentFilterElement);
  // The markers of a ConditionRefresh must always pass, or a refresh never completes.
  return makeContentFilter(
    or(anyOf([ofType(REFRESH_START_EVENT_TYPE), ofType(REFRESH_END_EVENT_TYPE)]), wanted),
  );
}

export interface UaEventSubscription {
  /**
   * Asks the server to send every retained condition again (ConditionRefresh).
   * Resolves to undefined when the server agreed, else to the status it
   * refused with (`BadNothingToDo`, `BadMethodInvalid`, …); rejects only when
   * the request got no answer.
   */
  refresh(): Promise<string | undefined>;
}

/** A value read from the server as plain data: times as epoch ms, texts and NodeIds as strings. */
export type UaPlainValue = string | number | boolean | undefined;

/** Where the notifications of a subscription go; swapped when a new session takes it over. */
export interface UaHandlers {
  onChange: (index: number, sample: UaSample) => void;
  onKeepAlive: () => void;
}

/**
 * A subscription of a lost session, detached from it so that closing the old
 * connection cannot delete it: a new session may still take it over
 * (TransferSubscriptions) while the server keeps it.
 */
export interface UaDetachedSubscription {
  readonly subscriptionId: number;
}

export interface UaOperationLimits {
  /** 0 when the server sets no limit. */
  maxMonitoredItemsPerCall: number;
  maxNodesPerRead: number;
}

export interface UaSession {
  namespaceArray(): Promise<string[]>;
  operationLimits(): Promise<UaOperationLimits>;
  read(nodeIds: readonly string[]): Promise<UaSample[]>;
  /**
   * Creates one subscription. `onChange` gets the index of the item across
   * all calls; the result holds, per item, undefined when it is monitored or
   * the reason it is not.
   */
  subscribe(spec: UaSubscriptionSpec, handlers: UaHandlers): Promise<(string | undefined)[]>;
  /**
   * Asks the server to move subscriptions of a lost session to this one, with
   * their current values sent again. Per subscription: undefined when it was
   * transferred (its notifications now reach `handlers`), else why not
   * (BadSubscriptionIdInvalid after a server restart, BadUserAccessDenied, …).
   */
  transfer(
    detached: readonly UaDetachedSubscription[],
    handlers: readonly UaHandlers[],
  ): Promise<(string | undefined)[]>;
  /**
   * The data subscriptions, taken out of this session when its link is lost
   * (see UaDetachedSubscription), by the handlers they were created or transferred with.
   */
  detach(): Map<UaHandlers, UaDetachedSubscription>;
  /**
   * Per node, the targets of its references of this type or a subtype, in
   * the direction given (`inverse`: the nodes that reference it).
   */
  browse(
    nodeIds: readonly string[],
    referenceTypeId: string,
    direction: 'forward' | 'inverse',
  ): Promise<string[][]>;
  /**
   * Per node, per relative path of browse names (`.ActiveState.Id`), the
   * value found there; undefined where the path leads nowhere or cannot be read.
   */
  readPaths(nodeIds: readonly string[], paths: readonly string[]): Promise<UaPlainValue[][]>;
  /** Subscribes to the events of a notifier node (Alarms & Conditions). */
  subscribeEvents(
    sourceNodeId: string,
    publishingIntervalMs: number,
    onEvent: (event: UaConditionEvent) => void,
    filter?: UaEventFilter,
  ): Promise<UaEventSubscription>;
  /** Called once when the connection breaks (socket closed, channel failed). */
  onLost(listener: (detail: string) => void): void;
  close(): Promise<void>;
}

/**
 * node-opcua prints its own warnings (many lines per failed connect) to the
 * console; the gateway already reports each failure once through the runner,
 * so the library's lines go to the gateway log at debug level instead.
 */
export function routeLibraryLogs(logger: Logger): void {
  const print = (...args: unknown[]) => logger.debug({ library: 'node-opcua' }, args.map(String).join(' '));
  setWarningLogger(print);
  setErrorLogger(print);
}

const MODES = {
  None: MessageSecurityMode.None,
  Sign: MessageSecurityMode.Sign,
  SignAndEncrypt: MessageSecurityMode.SignAndEncrypt,
} as const;

const POLICIES = {
  None: SecurityPolicy.None,
  Basic256Sha256: SecurityPolicy.Basic256Sha256,
  Aes128_Sha256_RsaOaep: SecurityPolicy.Aes128_Sha256_RsaOaep,
  Aes256_Sha256_RsaPss: SecurityPolicy.Aes256_Sha256_RsaPss,
} as const;

const TRIGGERS = {
  status: DataChangeTrigger.Status,
  status_value: DataChangeTrigger.StatusValue,
  status_value_timestamp: DataChangeTrigger.StatusValueTimestamp,
} as const;

/** Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall and _MaxNodesPerRead. */
const MAX_MONITORED_ITEMS_PER_CALL = 'ns=0;i=11714';
const MAX_NODES_PER_READ = 'ns=0;i=11705';

export async function openUaSession(options: UaConnectOptions): Promise<UaSession> {
  const certificates = new OPCUACertificateManager({
    rootFolder: options.pkiDir,
    automaticallyAcceptUnknownCertificate: options.trustOnFirstUse,
  });
  await certificates.initialize();
  const client = OPCUAClient.create({
    applicationName: options.applicationName,
    clientCertificateManager: certificates,
    securityMode: MODES[options.securityMode],
    securityPolicy: POLICIES[options.securityPolicy],
    // The server may advertise another host or port than the one dialled (NAT, proxies); match by security only.
    endpointMustExist: false,
    // One attempt per connect: the device runner owns retries, backoff and the comm alarm.
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 1000 },
    requestedSessionTimeout: options.sessionTimeoutMs,
    defaultTransactionTimeout: options.timeoutMs,
    transportTimeout: options.timeoutMs,
  });
  let lost: ((detail: string) => void) | undefined;
  let lostDetail: string | undefined;
  const reportLost = (detail: string) => {
    if (lostDetail !== undefined) return;
    lostDetail = detail;
    lost?.(detail);
  };
  client.on('connection_lost', () => reportLost('the connection to the server was lost'));
  client.on('close', () => reportLost('the connection to the server was closed'));
  // Retries are off, so an automatic reconnection attempt never starts; errors after connect surface as a lost link.

  try {
    await withTimeout(client.connect(options.endpoint), options.timeoutMs * 2, 'connect');
  } catch (error) {
    await client.disconnect().catch(() => {});
    await certificates.dispose().catch(() => {});
    throw await connectError(error, options, serverCertificateOf(client));
  }
  let session: ClientSession;
  try {
    session = await withTimeout(
      client.createSession(identityOf(options.user)),
      options.timeoutMs,
      'create session',
    );
  } catch (error) {
    await client.disconnect().catch(() => {});
    await certificates.dispose().catch(() => {});
    throw new GatewayError('OPCUA_SESSION', `${options.endpoint}: ${messageOf(error)}`, { cause: error });
  }
  session.on('session_closed', () => reportLost('the server closed the session'));

  const subscriptions: ClientSubscription[] = [];
  /** Data subscriptions: the ones a later session may take over. */
  const data = new Set<ClientSubscription>();
  /** Set once the data subscriptions were detached: the session is then closed without deleting them. */
  let keepSubscriptions = false;

  return {
    async namespaceArray() {
      return session.readNamespaceArray();
    },
    async operationLimits() {
      const [perCall, perRead] = await session.read([
        { nodeId: MAX_MONITORED_ITEMS_PER_CALL, attributeId: AttributeIds.Value },
        { nodeId: MAX_NODES_PER_READ, attributeId: AttributeIds.Value },
      ]);
      const limit = (value: DataValue | undefined) =>
        value?.statusCode.isGood() && typeof value.value.value === 'number' ? value.value.value : 0;
      return { maxMonitoredItemsPerCall: limit(perCall), maxNodesPerRead: limit(perRead) };
    },
    async read(nodeIds) {
      const values = await session.read(
        nodeIds.map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })),
        0,
      );
      return values.map(sampleOf);
    },
    async subscribe(spec, handlers) {
      const subscription = await ClientSubscription.create(session, {
        requestedPublishingInterval: spec.publishingIntervalMs,
        requestedMaxKeepAliveCount: spec.keepAliveCount,
        requestedLifetimeCount: spec.lifetimeCount,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 1,
      });
      subscriptions.push(subscription);
      data.add(subscription);
      HANDLERS.set(subscription, handlers);
      subscription.on('keepalive', () => HANDLERS.get(subscription)?.onKeepAlive());
      const onChange = (index: number, sample: UaSample) =>
        HANDLERS.get(subscription)?.onChange(index, sample);
      const outcome: (string | undefined)[] = [];
      let offset = 0;
      for (const call of spec.calls) {
        const base = offset;
        offset += call.length;
        outcome.push(...(await monitorCall(subscription, call, base, onChange)));
      }
      return outcome;
    },
    async transfer(detached, handlers) {
      const taken = detached.map((entry) => DETACHED.get(entry));
      let results: (string | undefined)[];
      try {
        // The raw service sits on the session object; node-opcua's ClientSession type does not list it.
        const raw = session as unknown as RawTransfer;
        const response = await raw.transferSubscriptions({
          subscriptionIds: detached.map((entry) => entry.subscriptionId),
          sendInitialValues: true,
        });
        results = detached.map((_, index) => {
          const status = response.results?.[index]?.statusCode;
          return status?.isGood() ? undefined : (status?.name ?? 'BadUnexpectedError');
        });
      } catch (error) {
        // A server without the service (BadServiceUnsupported) or a failed call: every subscription is recreated.
        results = detached.map(() => messageOf(error));
      }
      results.forEach((reason, index) => {
        const moved = taken[index];
        const handler = handlers[index];
        if (reason !== undefined || !moved || !handler) return;
        adopt(moved, session);
        subscriptions.push(moved);
        data.add(moved);
        HANDLERS.set(moved, handler);
      });
      return results.map((reason, index) =>
        reason === undefined && !taken[index] ? 'not detached' : reason,
      );
    },
    async browse(nodeIds, referenceTypeId, direction) {
      const targets: string[][] = [];
      for (const part of batches(nodeIds)) {
        let results = await session.browse(
          part.map((nodeId) => ({
            nodeId,
            referenceTypeId,
            browseDirection: direction === 'forward' ? BrowseDirection.Forward : BrowseDirection.Inverse,
            includeSubtypes: true,
            nodeClassMask: 0,
            resultMask: 0x3f,
          })),
        );
        const found = part.map(() => [] as string[]);
        let open = part.map((_, index) => index);
        // A server hands out long lists in parts; a bounded number of rounds keeps a faulty one from looping.
        for (let round = 1; open.length > 0; round += 1) {
          const next: number[] = [];
          const points: Buffer[] = [];
          results.forEach((result, position) => {
            const index = open[position] as number;
            (found[index] as string[]).push(...localTargets(result));
            if (result.continuationPoint && result.continuationPoint.length > 0) {
              next.push(index);
              points.push(result.continuationPoint);
            }
          });
          open = next;
          if (points.length === 0) break;
          if (round >= MAX_BROWSE_ROUNDS) {
            await session.browseNext(points, true);
            break;
          }
          results = await session.browseNext(points, false);
        }
        targets.push(...found);
      }
      return targets;
    },
    async readPaths(nodeIds, paths) {
      const pairs = nodeIds.flatMap((nodeId) => paths.map((path) => makeBrowsePath(nodeId, path)));
      const resolved: (string | undefined)[] = [];
      for (const part of batches(pairs)) {
        const results = await session.translateBrowsePath(part);
        for (const result of results) {
          const target = result.statusCode.isGood() ? result.targets?.[0]?.targetId : undefined;
          resolved.push(target ? localNodeId(target) : undefined);
        }
      }
      const values: UaPlainValue[] = resolved.map(() => undefined);
      const found = resolved.flatMap((nodeId, index) => (nodeId === undefined ? [] : [{ nodeId, index }]));
      for (const part of batches(found)) {
        const read = await session.read(
          part.map(({ nodeId }) => ({ nodeId, attributeId: AttributeIds.Value })),
          0,
        );
        part.forEach(({ index }, position) => {
          const value = read[position];
          if (value?.statusCode.isGood()) values[index] = plainValue(value.value.value);
        });
      }
      return nodeIds.map((_, node) => values.slice(node * paths.length, (node + 1) * paths.length));
    },
    detach() {
      keepSubscriptions = true;
      const taken = new Map<UaHandlers, UaDetachedSubscription>();
      for (const subscription of data.keys()) {
        const subscriptionId = subscription.subscriptionId;
        if (!Number.isFinite(subscriptionId) || subscriptionId <= 0) continue;
        // Out of the old publish engine, so closing the old session neither deletes nor terminates it here.
        engineOf(session).unregisterSubscription(subscriptionId);
        const handlers = HANDLERS.get(subscription);
        // Nothing of the lost session may reach the gateway any more.
        HANDLERS.delete(subscription);
        const entry = { subscriptionId };
        DETACHED.set(entry, subscription);
        if (handlers) taken.set(handlers, entry);
        subscriptions.splice(subscriptions.indexOf(subscription), 1);
      }
      data.clear();
      return taken;
    },
    async subscribeEvents(sourceNodeId, publishingIntervalMs, onEvent, filter) {
      const subscription = await ClientSubscription.create(session, {
        requestedPublishingInterval: publishingIntervalMs,
        requestedMaxKeepAliveCount: 10,
        requestedLifetimeCount: 100,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 2,
      });
      subscriptions.push(subscription);
      const item = ClientMonitoredItem.create(
        subscription,
        { nodeId: sourceNodeId, attributeId: AttributeIds.EventNotifier },
        {
          queueSize: 10_000,
          discardOldest: false,
          samplingInterval: 0,
          filter: constructEventFilter(EVENT_FIELDS, whereClause(filter)),
        },
        TimestampsToReturn.Neither,
      );
      await new Promise<void>((resolve, reject) => {
        item.once('initialized', () => resolve());
        item.once('err', (message: string) => reject(new Error(message)));
      });
      item.on('changed', (fields: Variant[]) => {
        const event = conditionEventOf(fields);
        if (event) onEvent(event);
      });
      return {
        async refresh() {
          try {
            const result = await session.call({
              objectId: CONDITION_TYPE,
              methodId: CONDITION_REFRESH,
              inputArguments: [{ dataType: DataType.UInt32, value: subscription.subscriptionId }],
            });
            return result.statusCode.isGood() ? undefined : result.statusCode.name;
          } catch (error) {
            // A server without the Call service answers with a fault: a refusal too, not a lost link.
            const refused = serviceResultOf(error);
            if (refused === undefined) throw error;
            return refused;
          }
        },
      };
    },
    onLost(listener) {
      lost = listener;
      if (lostDetail !== undefined) listener(lostDetail);
    },
    async close() {
      lost = undefined;
      // A dead link would make a polite close wait for timeouts; bound it.
      // Detached subscriptions are no longer listed, and are kept: a later session may take them over.
      await withTimeout(
        (async () => {
          for (const subscription of subscriptions) await subscription.terminate().catch(() => {});
          await session.close(!keepSubscriptions).catch(() => {});
        })(),
        options.timeoutMs,
        'close',
      ).catch(() => {});
      await client.disconnect().catch(() => {});
      await certificates.dispose().catch(() => {});
    },
  };
}

/** Where each data subscription's notifications go; a transfer points them at the new session's handlers. */
const HANDLERS = new WeakMap<ClientSubscription, UaHandlers>();
/** The library object behind each detached subscription, kept out of the adapter's sight. */
const DETACHED = new WeakMap<UaDetachedSubscription, ClientSubscription>();

/**
 * The part of node-opcua's publish engine a transfer needs. The library moves
 * subscriptions between sessions only inside its own automatic reconnection,
 * which the gateway leaves off (the runner owns reconnects, backoff and the
 * comm alarm), so the move is done here the way that reconnection does it.
 */
interface PublishEngine {
  registerSubscription(subscription: ClientSubscription): void;
  unregisterSubscription(subscriptionId: number): void;
}

interface RawTransfer {
  transferSubscriptions(request: {
    subscriptionIds: number[];
    sendInitialValues: boolean;
  }): Promise<TransferSubscriptionsResponse>;
}

function engineOf(session: ClientSession): PublishEngine {
  return (session as unknown as { getPublishEngine(): PublishEngine }).getPublishEngine();
}

/** Hands a transferred subscription to the publish engine of its new session, which then publishes for it. */
function adopt(subscription: ClientSubscription, session: ClientSession): void {
  (subscription as unknown as { publishEngine: PublishEngine }).publishEngine = engineOf(session);
  engineOf(session).registerSubscription(subscription);
}

async function monitorCall(
  subscription: ClientSubscription,
  call: readonly UaMonitorSpec[],
  base: number,
  onChange: (index: number, sample: UaSample) => void,
): Promise<(string | undefined)[]> {
  // Items of one call share their parameters in node-opcua's group API, so
  // the call is split further by parameters; a device usually has few kinds.
  const byParameters = new Map<string, number[]>();
  call.forEach((item, index) => {
    const key = JSON.stringify({ ...item, nodeId: undefined });
    byParameters.set(key, [...(byParameters.get(key) ?? []), index]);
  });
  const outcome: (string | undefined)[] = new Array(call.length).fill(undefined);
  for (const indexes of byParameters.values()) {
    const first = call[indexes[0] as number] as UaMonitorSpec;
    let group: ClientMonitoredItemGroup;
    try {
      group = await subscription.monitorItems(
        indexes.map((index) => ({
          nodeId: (call[index] as UaMonitorSpec).nodeId,
          attributeId: AttributeIds.Value,
        })),
        {
          samplingInterval: first.samplingIntervalMs,
          queueSize: first.queueSize,
          discardOldest: first.discardOldest,
          ...(filterOf(first) === undefined ? {} : { filter: filterOf(first) }),
        },
        TimestampsToReturn.Both,
      );
    } catch (error) {
      // node-opcua fails a call of one item when that item is refused.
      for (const index of indexes) outcome[index] = messageOf(error);
      continue;
    }
    group.monitoredItems.forEach((item, position) => {
      const index = indexes[position] as number;
      if (!item.statusCode.isGood()) outcome[index] = item.statusCode.name;
    });
    group.on('changed', (_item, value, position) => {
      onChange(base + (indexes[position] as number), sampleOf(value));
    });
  }
  return outcome;
}

/** ConditionType and its ConditionRefresh method, by their well-known NodeIds. */
const CONDITION_TYPE = 'ns=0;i=2782';
const CONDITION_REFRESH = 'ns=0;i=3875';

/** Nodes per browse, translate or read request: well within what any server accepts. */
const REQUEST_BATCH = 100;
/** BrowseNext rounds per request before the rest of a list is given up. */
const MAX_BROWSE_ROUNDS = 50;

function batches<T>(items: readonly T[]): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += REQUEST_BATCH) {
    parts.push(items.slice(start, start + REQUEST_BATCH));
  }
  return parts;
}

/** The status of a service fault, or of a response whose service result was bad; undefined when no answer came. */
function serviceResultOf(error: unknown): string | undefined {
  const fault = (error as { response?: { responseHeader?: { serviceResult?: StatusCode } } }).response;
  const status = fault?.responseHeader?.serviceResult;
  if (status && !status.isGood()) return status.name;
  return /ServiceResult is (Bad\w+)/.exec(messageOf(error))?.[1];
}

/** A target of this server (another server's node cannot be read here), as `ns=<index>;…`. */
function localNodeId(target: {
  serverIndex?: number;
  identifierType: NodeId['identifierType'];
  value: NodeId['value'];
  namespace: number;
}): string | undefined {
  if (target.serverIndex) return undefined;
  return new NodeId(target.identifierType, target.value, target.namespace).toString();
}

function localTargets(result: BrowseResult): string[] {
  if (!result.statusCode.isGood()) return [];
  return (result.references ?? []).flatMap((reference) => {
    const nodeId = localNodeId(reference.nodeId);
    return nodeId === undefined ? [] : [nodeId];
  });
}

function plainValue(value: unknown): UaPlainValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.getTime();
  if (value instanceof NodeId) return value.toString();
  // LocalizedText, QualifiedName: their text.
  if (typeof value === 'object' && value !== null) {
    const { text, name } = value as { text?: unknown; name?: unknown };
    if (typeof text === 'string') return text;
    if (typeof name === 'string') return name;
  }
  return undefined;
}

/** The event fields the gateway selects, in this order. */
const EVENT_FIELDS = [
  'EventType',
  'SourceName',
  'Time',
  'Message',
  'Severity',
  'ConditionName',
  'BranchId',
  'Retain',
  'ActiveState.Id',
  'AckedState.Id',
  'ConfirmedState.Id',
];
const REFRESH_START_EVENT_TYPE = 'ns=0;i=2787';
const REFRESH_END_EVENT_TYPE = 'ns=0;i=2788';

function conditionEventOf(fields: Variant[]): UaConditionEvent | undefined {
  const value = (index: number) => fields[index]?.value as unknown;
  const type = String(value(0) ?? '');
  const time = value(2) instanceof Date ? (value(2) as Date).getTime() : Date.now();
  const base = {
    sourceName: '',
    conditionName: '',
    active: false,
    acked: true,
    severity: 0,
    message: '',
    retain: false,
    time,
  };
  if (type === REFRESH_START_EVENT_TYPE) return { kind: 'refresh_start', ...base };
  if (type === REFRESH_END_EVENT_TYPE) return { kind: 'refresh_end', ...base };
  const conditionName = value(5);
  // Events that are not conditions (no ConditionName) have nothing to track.
  if (typeof conditionName !== 'string') return undefined;
  const branch = value(6);
  const message = value(3) as { text?: string } | undefined;
  const confirmed = value(10);
  return {
    kind: 'condition',
    sourceName: String(value(1) ?? ''),
    conditionName,
    ...(branch && String(branch) !== 'ns=0;i=0' ? { branch: String(branch) } : {}),
    active: value(8) === true,
    acked: value(9) !== false,
    ...(typeof confirmed === 'boolean' ? { confirmed } : {}),
    severity: Number(value(4) ?? 0),
    message: message?.text ?? '',
    retain: value(7) === true,
    time,
  };
}

function filterOf(item: UaMonitorSpec): DataChangeFilter | undefined {
  if (item.deadband === undefined && item.trigger === undefined) return undefined;
  return new DataChangeFilter({
    trigger: TRIGGERS[item.trigger ?? 'status_value'],
    deadbandType:
      item.deadband === undefined
        ? DeadbandType.None
        : item.deadband.kind === 'absolute'
          ? DeadbandType.Absolute
          : DeadbandType.Percent,
    deadbandValue: item.deadband?.value ?? 0,
  });
}

function sampleOf(value: DataValue): UaSample {
  return {
    value: value.value?.value,
    status: value.statusCode.value,
    statusText: value.statusCode.name,
    ...(value.sourceTimestamp ? { sourceTime: value.sourceTimestamp.getTime() } : {}),
  };
}

function identityOf(user: UaUser): UserIdentityInfo {
  switch (user.kind) {
    case 'anonymous':
      return { type: UserTokenType.Anonymous };
    case 'username':
      return { type: UserTokenType.UserName, userName: user.username, password: user.password };
    case 'certificate':
      return {
        type: UserTokenType.Certificate,
        certificateData: derOf(user.certificatePem),
        privateKey: user.privateKeyPem,
      } as UserIdentityInfo;
  }
}

function derOf(pem: string): Buffer {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64');
}

/** The DER of the certificate the server presented (the first of a chain), if the handshake got that far. */
function serverCertificateOf(client: OPCUAClient): Buffer | undefined {
  const presented = client.serverCertificate;
  const first = Array.isArray(presented) ? presented[0] : presented;
  return first === undefined ? undefined : Buffer.from(first);
}

async function connectError(
  error: unknown,
  options: UaConnectOptions,
  presented: Buffer | undefined,
): Promise<GatewayError> {
  const message = messageOf(error);
  if (/BadCertificateUntrusted|certificate verification failed|BadSecurityChecksFailed/i.test(message)) {
    const rejected = rejectedCertificate(options.pkiDir, presented);
    const detail = rejected
      ? `${options.endpoint} presented certificate ${rejected.thumbprint} (${rejected.subject}); it is now listed by \`gateway certs list\``
      : `${options.endpoint}: ${message}`;
    return new GatewayError('OPCUA_CERT_UNTRUSTED', detail, { cause: error });
  }
  if (
    /cannot find an? endpoint|endpoint.*(not found|cannot be found|does not exist)|no endpoint/i.test(message)
  ) {
    const offered = await offeredEndpoints(options).catch(() => 'unknown');
    return new GatewayError(
      'OPCUA_SECURITY',
      `${options.endpoint} has no endpoint with ${options.securityMode} / ${options.securityPolicy}; it offers ${offered}`,
      { cause: error },
    );
  }
  return new GatewayError('OPCUA_CONNECT', `${options.endpoint}: ${message}`, { cause: error });
}

/** The mode/policy pairs the server offers, for the message of a mismatch. */
async function offeredEndpoints(options: UaConnectOptions): Promise<string> {
  const probe = OPCUAClient.create({
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 1000 },
    transportTimeout: options.timeoutMs,
  });
  try {
    await withTimeout(probe.connect(options.endpoint), options.timeoutMs, 'connect');
    const endpoints = await probe.getEndpoints();
    const pairs = endpoints.map(
      (endpoint) =>
        `${MessageSecurityMode[endpoint.securityMode]} / ${endpoint.securityPolicyUri?.split('#')[1] ?? 'None'}`,
    );
    return [...new Set(pairs)].join(', ');
  } finally {
    await probe.disconnect().catch(() => {});
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]?.trim() || error.name : String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
