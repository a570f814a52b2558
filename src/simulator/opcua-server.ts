/**
 * A simulated OPC UA server (node-opcua) serving the points of one OPC UA
 * device from the site file as variables, driven by the same scenarios as the
 * simulated Modbus PLC. It restarts in place on the same port, keeps its
 * certificate across restarts, can offer chosen security modes, policies and
 * user accounts, and can put extra namespaces first so a restart renumbers
 * the namespaces the points live in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { nodesets } from 'node-opcua-nodesets';
import { MessageSecurityMode, SecurityPolicy } from 'node-opcua-secure-channel';
import { OPCUAServer } from 'node-opcua-server';
import { type StatusCode, StatusCodes } from 'node-opcua-status-code';
import { DataType, Variant } from 'node-opcua-variant';
import type { PointValue } from '../adapters/reading.ts';
import type { OpcuaDevice, OpcuaPoint } from '../config/schema.ts';
import { type Scenario, valueAt } from './scenarios.ts';

type ModeName = 'None' | 'Sign' | 'SignAndEncrypt';
type PolicyName = 'None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';

export interface OpcuaSimulatorOptions {
  /** 0 or absent: a free port, kept across restarts. */
  port?: number;
  /** Security modes offered; default all three. */
  securityModes?: readonly ModeName[];
  /** Security policies offered with Sign and SignAndEncrypt; default all three supported. */
  securityPolicies?: readonly Exclude<PolicyName, 'None'>[];
  /** User accounts; anonymous access stays allowed unless allowAnonymous is false. */
  users?: readonly { username: string; password: string }[];
  allowAnonymous?: boolean;
  /** Namespaces registered before those of the points, so their indexes shift. */
  leadingNamespaces?: readonly string[];
  /** The server's MaxMonitoredItemsPerCall; 0 (default) sets no limit. */
  maxMonitoredItemsPerCall?: number;
  /** Where the server keeps its certificate; default a fresh temporary folder, removed on stop. */
  pkiDir?: string;
  /** Alarms the server keeps itself: an ExclusiveLevelAlarm on a numeric point, driven by its value. */
  conditions?: readonly SimulatedCondition[];
  /**
   * Answers ConditionRefresh (and ConditionRefresh2) with BadNothingToDo in
   * the method result, as some servers do (asyncua's default server among
   * them): no retained condition is sent again after a connect.
   */
  refuseConditionRefresh?: boolean;
}

export interface SimulatedCondition {
  pointId: string;
  highLimit: number;
  lowLimit: number;
  highHighLimit?: number;
  lowLowLimit?: number;
}

/** How often values driven by a scenario are brought up to date. */
const SCENARIO_TICK_MS = 50;
/** EURange of numeric variables, which a percent deadband is relative to. */
const EU_RANGE = { low: 0, high: 100 };

const MODES: Record<ModeName, MessageSecurityMode> = {
  None: MessageSecurityMode.None,
  Sign: MessageSecurityMode.Sign,
  SignAndEncrypt: MessageSecurityMode.SignAndEncrypt,
};
const POLICIES: Record<PolicyName, SecurityPolicy> = {
  None: SecurityPolicy.None,
  Basic256Sha256: SecurityPolicy.Basic256Sha256,
  Aes128_Sha256_RsaOaep: SecurityPolicy.Aes128_Sha256_RsaOaep,
  Aes256_Sha256_RsaPss: SecurityPolicy.Aes256_Sha256_RsaPss,
};

interface Slot {
  point: OpcuaPoint;
  value: PointValue;
  /** A status other than Good, by name (e.g. BadSensorFailure). */
  status?: string;
}

/** node-opcua's namespaces add analog items and alarms, though its interface type does not say so. */
interface NamespaceExtras {
  addAnalogDataItem(options: Record<string, unknown>): unknown;
  instantiateExclusiveLimitAlarm(type: string, options: Record<string, unknown>): unknown;
}

/** The part of node-opcua's alarm object the simulator drives. */
interface LiveCondition {
  currentBranch(): LiveBranch;
  /** A copy of the current state under a new BranchId, kept until acknowledged. */
  createBranch(): LiveBranch;
  raiseConditionEvent(branch: LiveBranch, renewEventId: boolean): void;
  /**
   * node-opcua's own acknowledge path (what its Acknowledge method runs). The
   * public acknowledgeAndAutoConfirmBranch also confirms, and node-opcua then
   * stops retaining a still-active alarm, which real servers do not do.
   */
  _acknowledge_branch(eventId: Buffer, comment: string, branch: unknown, message: string): unknown;
}

interface LiveBranch {
  getEventId(): Buffer;
  getBranchId(): { toString(): string };
  setAckedState(acked: boolean): unknown;
}

/** What a variable needs to update itself, independent of which server instance holds it. */
interface LiveVariable {
  setValueFromSource(variant: Variant, statusCode?: unknown, sourceTimestamp?: Date): void;
}

export class SimulatedOpcuaServer {
  readonly device: OpcuaDevice;
  readonly #options: OpcuaSimulatorOptions;
  readonly #slots = new Map<string, Slot>();
  readonly #scenarios = new Map<string, { scenario: Scenario; startedAt: number }>();
  readonly #variables = new Map<string, LiveVariable>();
  readonly #conditions = new Map<string, LiveCondition>();
  readonly #branches = new Map<string, LiveBranch>();
  readonly #pkiDir: string;
  readonly #ownsPki: boolean;
  #leading: readonly string[];
  #port = 0;
  #server: OPCUAServer | undefined;
  #ticker: NodeJS.Timeout | undefined;

  private constructor(device: OpcuaDevice, options: OpcuaSimulatorOptions) {
    this.device = device;
    this.#options = options;
    this.#leading = options.leadingNamespaces ?? [];
    this.#ownsPki = options.pkiDir === undefined;
    this.#pkiDir = options.pkiDir ?? mkdtempSync(join(tmpdir(), 'opcua-sim-pki-'));
    for (const point of device.points) {
      this.#slots.set(point.id, { point, value: point.type === 'bool' ? false : 0 });
    }
  }

  static async start(
    device: OpcuaDevice,
    options: OpcuaSimulatorOptions = {},
  ): Promise<SimulatedOpcuaServer> {
    const simulated = new SimulatedOpcuaServer(device, options);
    simulated.#port = options.port && options.port > 0 ? options.port : await freePort();
    await simulated.#listen();
    return simulated;
  }

  get port(): number {
    return this.#port;
  }

  get endpoint(): string {
    return `opc.tcp://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  /** Sessions the server holds right now. */
  get sessionCount(): number {
    return this.#server?.currentSessionCount ?? 0;
  }

  /** Subscriptions of all sessions right now. */
  get subscriptionCount(): number {
    return this.#server?.engine.currentSubscriptionCount ?? 0;
  }

  /** The namespace array clients see, starting with the OPC UA namespace. */
  get namespaces(): string[] {
    return this.#server?.engine.addressSpace?.getNamespaceArray().map((ns) => ns.namespaceUri) ?? [];
  }

  /** Sets a point; a scenario driving it stops. */
  set(pointId: string, value: PointValue): void {
    this.#scenarios.delete(pointId);
    this.#write(pointId, value);
    this.#updateTicker();
  }

  /** The point reports this status (e.g. 'BadSensorFailure', 'UncertainLastUsableValue') until set again. */
  setStatus(pointId: string, status: string | undefined): void {
    const slot = this.#slot(pointId);
    slot.status = status;
    this.#publish(pointId);
  }

  /** An operator acknowledges the point's condition on the server; it then awaits confirmation. */
  acknowledge(pointId: string, comment = 'acknowledged at the server'): void {
    const condition = this.#conditions.get(pointId);
    if (!condition) throw new Error(`point ${pointId} has no simulated condition`);
    const branch = condition.currentBranch();
    condition._acknowledge_branch(branch.getEventId(), comment, branch, 'Server/Acknowledge');
  }

  /**
   * The server keeps the current state of the point's condition apart as a
   * branch (as servers do for an activation still to be acknowledged) and
   * reports it; returns its BranchId.
   */
  branch(pointId: string): string {
    const condition = this.#condition(pointId);
    const branch = condition.createBranch();
    branch.setAckedState(false);
    condition.raiseConditionEvent(branch, true);
    this.#branches.set(pointId, branch);
    return branch.getBranchId().toString();
  }

  /** An operator acknowledges the last branch made by branch(). */
  acknowledgeBranch(pointId: string, comment = 'branch acknowledged at the server'): void {
    const branch = this.#branches.get(pointId);
    if (!branch) throw new Error(`point ${pointId} has no branch`);
    this.#condition(pointId)._acknowledge_branch(branch.getEventId(), comment, branch, 'Server/Acknowledge');
  }

  #condition(pointId: string): LiveCondition {
    const condition = this.#conditions.get(pointId);
    if (!condition) throw new Error(`point ${pointId} has no simulated condition`);
    return condition;
  }

  read(pointId: string): PointValue {
    return this.#slot(pointId).value;
  }

  setScenario(pointId: string, scenario: Scenario): void {
    this.#slot(pointId);
    this.#scenarios.set(pointId, { scenario, startedAt: Date.now() });
    this.#write(pointId, valueAt(scenario, 0, this.#slot(pointId).value));
    this.#updateTicker();
  }

  /**
   * Stops and starts again on the same port with the same certificate, as a
   * PLC reboot does: every session and subscription is gone. With
   * `leadingNamespaces`, the namespaces of the points move to new indexes.
   */
  async restart(change: { leadingNamespaces?: readonly string[]; downtimeMs?: number } = {}): Promise<void> {
    await this.#shutdown();
    if (change.leadingNamespaces) this.#leading = change.leadingNamespaces;
    if (change.downtimeMs) await new Promise((resolve) => setTimeout(resolve, change.downtimeMs));
    await this.#listen();
  }

  async stop(): Promise<void> {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    await this.#shutdown();
    if (this.#ownsPki) rmSync(this.#pkiDir, { recursive: true, force: true });
  }

  async #shutdown(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#variables.clear();
    this.#conditions.clear();
    this.#branches.clear();
    await server?.shutdown(0);
  }

  async #listen(): Promise<void> {
    const options = this.#options;
    const certificates = new OPCUACertificateManager({
      rootFolder: this.#pkiDir,
      automaticallyAcceptUnknownCertificate: true,
    });
    const modes = options.securityModes ?? ['None', 'Sign', 'SignAndEncrypt'];
    const policies: PolicyName[] = [
      ...(modes.includes('None') ? (['None'] as const) : []),
      ...(options.securityPolicies ?? ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']),
    ];
    const users = options.users ?? [];
    const server = new OPCUAServer({
      port: this.#port,
      host: '127.0.0.1',
      hostname: '127.0.0.1',
      nodeset_filename: [nodesets.standard],
      serverCertificateManager: certificates,
      userCertificateManager: certificates,
      securityModes: modes.map((mode) => MODES[mode]),
      securityPolicies: policies.map((policy) => POLICIES[policy]),
      allowAnonymous: options.allowAnonymous ?? true,
      userManager: {
        isValidUser: (username: string, password: string) =>
          users.some((user) => user.username === username && user.password === password),
      },
      serverCapabilities: {
        operationLimits: { maxMonitoredItemsPerCall: options.maxMonitoredItemsPerCall ?? 0 },
      },
      buildInfo: { productName: 'edge-alarm-gateway OPC UA simulator' },
    });
    await server.initialize();
    this.#build(server);
    await server.start();
    this.#server = server;
  }

  /** Namespaces in a fixed order: leading ones, then those the points name, then fillers for bare indexes. */
  #build(server: OPCUAServer): void {
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('the OPC UA simulator has no address space');
    for (const uri of this.#leading) addressSpace.registerNamespace(uri);
    const byUri = new Map<string, ReturnType<typeof addressSpace.registerNamespace>>();
    const targets = this.device.points.map((point) => targetOf(point.node_id));
    for (const target of targets) {
      if (target.uri !== undefined && !byUri.has(target.uri)) {
        byUri.set(target.uri, addressSpace.registerNamespace(target.uri));
      }
    }
    const highestIndex = Math.max(0, ...targets.map((target) => target.index ?? 0));
    while (addressSpace.getNamespaceArray().length <= highestIndex) {
      addressSpace.registerNamespace(
        `urn:edge-alarm-gateway:simulator:filler:${addressSpace.getNamespaceArray().length}`,
      );
    }
    const conditions = new Map((this.#options.conditions ?? []).map((c) => [c.pointId, c]));
    if (conditions.size > 0) addressSpace.installAlarmsAndConditionsService();
    if (this.#options.refuseConditionRefresh) refuseConditionRefresh(addressSpace);
    // An object that notifies the Server object, so events of its conditions reach subscribers of Server.
    const folder = addressSpace.getOwnNamespace().addObject({
      organizedBy: addressSpace.rootFolder.objects,
      browseName: this.device.id,
      eventNotifier: 1,
      notifierOf: addressSpace.rootFolder.objects.server,
    });
    this.device.points.forEach((point, position) => {
      const target = targets[position] as ReturnType<typeof targetOf>;
      const namespace =
        target.uri !== undefined
          ? byUri.get(target.uri)
          : addressSpace.getNamespaceArray()[target.index ?? 0];
      if (!namespace || (target.index ?? 1) === 0) return; // Namespace 0 belongs to the standard.
      const nodeId = `ns=${namespace.index};${target.identifier}`;
      const common = {
        componentOf: folder,
        browseName: point.id,
        nodeId,
        ...(conditions.has(point.id) ? { eventSourceOf: folder } : {}),
      };
      const variable =
        point.type === 'bool'
          ? namespace.addVariable({ ...common, dataType: 'Boolean' })
          : (namespace as unknown as NamespaceExtras).addAnalogDataItem({
              ...common,
              dataType: 'Double',
              engineeringUnitsRange: EU_RANGE,
            });
      this.#variables.set(point.id, variable as unknown as LiveVariable);
      this.#publish(point.id);
      const condition = conditions.get(point.id);
      if (condition && point.type !== 'bool') {
        const alarm = (namespace as unknown as NamespaceExtras).instantiateExclusiveLimitAlarm(
          'ExclusiveLevelAlarmType',
          {
            componentOf: folder,
            conditionSource: variable,
            browseName: `${point.id}_level`,
            conditionName: `${point.id}_level`,
            inputNode: variable,
            highLimit: condition.highLimit,
            lowLimit: condition.lowLimit,
            ...(condition.highHighLimit === undefined ? {} : { highHighLimit: condition.highHighLimit }),
            ...(condition.lowLowLimit === undefined ? {} : { lowLowLimit: condition.lowLowLimit }),
            optionals: ['ConfirmedState', 'Confirm'],
          },
        ) as LiveCondition;
        this.#conditions.set(point.id, alarm);
      }
    });
  }

  #slot(pointId: string): Slot {
    const slot = this.#slots.get(pointId);
    if (!slot) throw new Error(`the simulated device ${this.device.id} has no point ${pointId}`);
    return slot;
  }

  #write(pointId: string, value: PointValue): void {
    const slot = this.#slot(pointId);
    slot.value = slot.point.type === 'bool' ? Boolean(value) : Number(value);
    this.#publish(pointId);
  }

  #publish(pointId: string): void {
    const slot = this.#slot(pointId);
    const variable = this.#variables.get(pointId);
    if (!variable) return;
    const variant =
      slot.point.type === 'bool'
        ? new Variant({ dataType: DataType.Boolean, value: Boolean(slot.value) })
        : new Variant({ dataType: DataType.Double, value: Number(slot.value) });
    variable.setValueFromSource(variant, this.#statusOf(slot.status), new Date());
  }

  #statusOf(name: string | undefined): StatusCode | undefined {
    if (name === undefined) return undefined;
    const code = (StatusCodes as unknown as Record<string, StatusCode | undefined>)[name];
    if (code === undefined) throw new Error(`unknown OPC UA status ${name}`);
    return code;
  }

  #updateTicker(): void {
    if (this.#scenarios.size > 0 && this.#ticker === undefined) {
      this.#ticker = setInterval(() => this.#tick(), SCENARIO_TICK_MS);
      this.#ticker.unref();
    } else if (this.#scenarios.size === 0 && this.#ticker !== undefined) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }

  #tick(): void {
    const now = Date.now();
    for (const [pointId, { scenario, startedAt }] of this.#scenarios) {
      const value = valueAt(scenario, now - startedAt, this.#slot(pointId).value);
      if (value !== this.#slot(pointId).value) this.#write(pointId, value);
    }
  }
}

/** ConditionType.ConditionRefresh and ConditionRefresh2, by their well-known NodeIds. */
const CONDITION_REFRESH_METHODS = ['ns=0;i=3875', 'ns=0;i=12912'];

interface MethodsOf {
  findMethod(nodeId: string): {
    bindMethod(run: (inputs: unknown[], context: unknown) => Promise<{ statusCode: StatusCode }>): void;
  } | null;
}

function refuseConditionRefresh(addressSpace: MethodsOf): void {
  for (const nodeId of CONDITION_REFRESH_METHODS) {
    // node-opcua tells a promise-returning method from a callback one by its two parameters.
    addressSpace
      .findMethod(nodeId)
      ?.bindMethod(async (_inputs, _context) => ({ statusCode: StatusCodes.BadNothingToDo }));
  }
}

/** Where a NodeId of the site file lives: by namespace URI or index, and its identifier part. */
function targetOf(nodeId: string): { uri?: string; index?: number; identifier: string } {
  const split = nodeId.indexOf(';');
  if (nodeId.startsWith('nsu=')) return { uri: nodeId.slice(4, split), identifier: nodeId.slice(split + 1) };
  if (nodeId.startsWith('ns='))
    return { index: Number(nodeId.slice(3, split)), identifier: nodeId.slice(split + 1) };
  return { index: 0, identifier: nodeId };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
