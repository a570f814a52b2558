import { authSettings, type BrokerAuth } from './auth.ts';
import { type BrokerTls, tlsSettings } from './tls.ts';

/**
 * The broker configuration: by default one KRaft node that is both broker and
 * controller; with `controllerQuorum`, a broker-only node that joins another
 * node's quorum, so tests can run a small cluster. Loopback only, sized for
 * tests rather than throughput.
 */
export interface ServerPropertiesInput {
  port: number;
  /** What clients are told to connect to; default `port`. */
  advertisedPort?: number;
  /** This node's KRaft controller port; unused by a broker-only node. */
  controllerPort: number;
  /** Default 1; every node of a cluster needs its own. */
  nodeId?: number;
  /**
   * "host:port" of the controller(s) of an existing cluster: this node is then
   * a broker only and joins them. Default: this node is its own controller.
   */
  controllerQuorum?: string;
  /** Where partitions and the metadata log live. */
  logDir: string;
  /** SASL (PLAIN, SCRAM) on the client listener and the ACL authorizer; without it, PLAINTEXT and no ACLs. */
  auth?: BrokerAuth;
  /** TLS on the client listener (SSL, or SASL_SSL with auth): the broker's PEM key store file and its CA. */
  tls?: { settings: BrokerTls; keyStoreFile: string };
}

/** The client listener's security protocol, as Kafka names it. */
export function clientProtocol(auth: boolean, tls: boolean): string {
  if (auth) return tls ? 'SASL_SSL' : 'SASL_PLAINTEXT';
  return tls ? 'SSL' : 'PLAINTEXT';
}

export function renderServerProperties({
  port,
  advertisedPort = port,
  controllerPort,
  nodeId = 1,
  controllerQuorum,
  logDir,
  auth,
  tls,
}: ServerPropertiesInput): string {
  const host = '127.0.0.1';
  const client = clientProtocol(auth !== undefined, tls !== undefined);
  // A broker-only node must not listen on (or advertise) a controller listener;
  // it still needs the listener's name and protocol to reach the quorum.
  const controller = controllerQuorum === undefined ? `,CONTROLLER://${host}:${controllerPort}` : '';
  const settings: Record<string, string | number | boolean> = {
    'process.roles': controllerQuorum === undefined ? 'broker,controller' : 'broker',
    'node.id': nodeId,
    'controller.quorum.bootstrap.servers': controllerQuorum ?? `${host}:${controllerPort}`,
    listeners: `${client}://${host}:${port}${controller}`,
    'advertised.listeners': `${client}://${host}:${advertisedPort}${controller}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': client,
    'listener.security.protocol.map': `${client}:${client},CONTROLLER:PLAINTEXT`,
    ...(auth ? authSettings(auth, client) : {}),
    ...(tls ? tlsSettings(tls.settings, tls.keyStoreFile, client) : {}),
    'log.dirs': logDir,

    // A single node cannot hold more than one replica of anything. A cluster
    // keeps these too: internal topics then live wholly on whichever node was
    // up when they were created, and tests that fail a node set their own
    // topic's replication.
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Fewer internal partitions make the first consumer group start faster.
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.num.partitions': 5,

    // The gateway creates its topic itself; a typo must fail, not create a topic.
    'auto.create.topics.enable': false,
    'num.partitions': 1,
    // Tests join groups one at a time; waiting for more members only adds latency.
    'group.initial.rebalance.delay.ms': 0,

    // After a SIGKILL the restarted node may only register once the controller
    // has expired its previous session; the 9 s default made every crash test
    // wait that long. Loopback heartbeats can afford a much shorter session.
    'broker.session.timeout.ms': 4000,
    'broker.heartbeat.interval.ms': 500,

    // Small segments and no fsync tuning: test data is tiny and disposable.
    'log.segment.bytes': 16 * 1024 * 1024,
    'log.retention.check.interval.ms': 60_000,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'log.cleaner.threads': 1,
    'log.cleaner.dedupe.buffer.size': 4 * 1024 * 1024,
  };
  const lines = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
  return `# Written by scripts/kafka-broker.ts on every start; edits are overwritten.\n${lines.join('\n')}\n`;
}
