/**
 * Finding and reading condition nodes, against an address space held in a
 * map (the search and the interpretation of what was read; the protocol side
 * is covered against the simulated server in refused-refresh.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { UaPlainValue, UaSession } from '../../../src/adapters/opcua/client.ts';
import {
  CONDITION_PATHS,
  conditionOfValues,
  findConditionNodes,
  MAX_CONDITION_SEARCH_NODES,
  readConditionNodes,
} from '../../../src/adapters/opcua/condition-nodes.ts';
import { refusalDetail } from '../../../src/adapters/opcua/conditions.ts';

const HAS_EVENT_SOURCE = 'ns=0;i=36';
const HAS_CONDITION = 'ns=0;i=9006';
const HAS_SUBTYPE = 'ns=0;i=45';
const SERVER = 'ns=0;i=2253';
const T = Date.UTC(2026, 5, 1, 12);

type Row = Partial<Record<(typeof CONDITION_PATHS)[number], UaPlainValue>>;

/** An address space: references by type, and the variables of each condition. */
function addressSpace(
  references: Record<string, Record<string, string[]>>,
  conditions: Record<string, Row> = {},
  supertypes: Record<string, string> = {},
): Pick<UaSession, 'browse' | 'readPaths'> & { browsed: number } {
  const space = {
    browsed: 0,
    async browse(nodeIds: readonly string[], type: string, direction: 'forward' | 'inverse') {
      space.browsed += nodeIds.length;
      if (type === HAS_SUBTYPE) {
        assert.equal(direction, 'inverse');
        return nodeIds.map((id) => (supertypes[id] ? [supertypes[id] as string] : []));
      }
      return nodeIds.map((id) => references[type]?.[id] ?? []);
    },
    async readPaths(nodeIds: readonly string[], paths: readonly string[]) {
      return nodeIds.map((id) => paths.map((path) => conditions[id]?.[path as keyof Row]));
    },
  };
  return space;
}

function row(overrides: Row = {}): Row {
  return {
    '.SourceName': '2:Tank',
    '.ConditionName': 'HighLevel',
    '.EventType': 'ns=0;i=9482',
    '.Time': T,
    '.Message': 'level high',
    '.Severity': 700,
    '.Retain': true,
    '.EnabledState.Id': true,
    '.ActiveState.Id': true,
    '.AckedState.Id': false,
    ...overrides,
  };
}

function values(r: Row): UaPlainValue[] {
  return CONDITION_PATHS.map((path) => r[path]);
}

describe('a condition node as a condition event', () => {
  test('the variables of a condition make the event of its current state', () => {
    assert.deepEqual(conditionOfValues(values(row({ '.ConfirmedState.Id': false })), T + 1), {
      kind: 'condition',
      sourceName: '2:Tank',
      conditionName: 'HighLevel',
      active: true,
      acked: false,
      confirmed: false,
      severity: 700,
      message: 'level high',
      retain: true,
      time: T,
    });
  });

  test('identity and ActiveState are needed; what is missing says so', () => {
    assert.equal(
      conditionOfValues(values(row({ '.ActiveState.Id': undefined })), T),
      'its ActiveState/Id cannot be read',
    );
    assert.equal(
      conditionOfValues(values(row({ '.SourceName': undefined })), T),
      'its SourceName cannot be read',
    );
    assert.equal(
      conditionOfValues(values(row({ '.ConditionName': undefined })), T),
      'its ConditionName cannot be read',
    );
  });

  test('the rest falls back as in an event: acknowledged, no confirmation, the time of reading', () => {
    const sparse = conditionOfValues(
      values({ '.SourceName': 'Tank', '.ConditionName': 'Trip', '.ActiveState.Id': false }),
      T + 5,
    );
    assert.deepEqual(sparse, {
      kind: 'condition',
      sourceName: 'Tank',
      conditionName: 'Trip',
      active: false,
      acked: true,
      severity: 0,
      message: '',
      retain: false,
      time: T + 5,
    });
  });

  test('a disabled condition is not active', () => {
    const disabled = conditionOfValues(values(row({ '.EnabledState.Id': false })), T);
    assert.equal(typeof disabled === 'object' && disabled.active, false);
  });
});

describe('the search for condition nodes', () => {
  test('follows event sources (also in circles) and collects the conditions of each, the notifier included', async () => {
    const space = addressSpace({
      [HAS_EVENT_SOURCE]: {
        [SERVER]: ['ns=1;s=Area'],
        'ns=1;s=Area': ['ns=1;s=Tank', 'ns=1;s=Pump'],
        'ns=1;s=Pump': ['ns=1;s=Area'],
      },
      [HAS_CONDITION]: {
        [SERVER]: ['ns=1;s=ServerAlarm'],
        'ns=1;s=Tank': ['ns=1;s=Tank.High', 'ns=1;s=Tank.Low'],
        'ns=1;s=Pump': ['ns=1;s=Tank.High'],
      },
    });
    const { nodeIds, truncated } = await findConditionNodes(space, SERVER);
    assert.deepEqual(nodeIds.sort(), ['ns=1;s=ServerAlarm', 'ns=1;s=Tank.High', 'ns=1;s=Tank.Low']);
    assert.equal(truncated, false);
  });

  test('stops at its bound on a huge address space, and says so', async () => {
    const many = Array.from({ length: MAX_CONDITION_SEARCH_NODES + 10 }, (_, i) => `ns=1;i=${i + 1000}`);
    const space = addressSpace({ [HAS_EVENT_SOURCE]: { [SERVER]: many } });
    const { nodeIds, truncated } = await findConditionNodes(space, SERVER);
    assert.deepEqual(nodeIds, []);
    assert.equal(truncated, true);
    assert.ok(space.browsed <= 2 * (MAX_CONDITION_SEARCH_NODES + 1));
  });
});

describe('reading the condition nodes', () => {
  const references = {
    [HAS_EVENT_SOURCE]: { [SERVER]: ['ns=1;s=Tank'] },
    [HAS_CONDITION]: { 'ns=1;s=Tank': ['ns=1;s=High', 'ns=1;s=Trip', 'ns=1;s=Broken'] },
  };
  const conditions = {
    'ns=1;s=High': row(),
    'ns=1;s=Trip': row({ '.ConditionName': 'Trip', '.EventType': 'ns=0;i=10751', '.Severity': 900 }),
    'ns=1;s=Broken': row({ '.ConditionName': 'Broken', '.ActiveState.Id': undefined }),
  };
  // ExclusiveLevelAlarmType < ExclusiveLimitAlarmType < LimitAlarmType < AlarmConditionType; TripAlarmType < OffNormalAlarmType < DiscreteAlarmType < AlarmConditionType.
  const supertypes = {
    'ns=0;i=9482': 'ns=0;i=9341',
    'ns=0;i=9341': 'ns=0;i=2955',
    'ns=0;i=2955': 'ns=0;i=2915',
    'ns=0;i=10751': 'ns=0;i=10637',
    'ns=0;i=10637': 'ns=0;i=10523',
    'ns=0;i=10523': 'ns=0;i=2915',
  };
  const names = (read: Awaited<ReturnType<typeof readConditionNodes>>) =>
    read.conditions.map((c) => c.conditionName);

  test('every readable condition, and the unreadable ones with why', async () => {
    const read = await readConditionNodes(addressSpace(references, conditions, supertypes), SERVER);
    assert.deepEqual(names(read), ['HighLevel', 'Trip']);
    assert.deepEqual(read.unreadable, [
      { nodeId: 'ns=1;s=Broken', reason: 'its ActiveState/Id cannot be read' },
    ]);
  });

  test('the event filter applies: types and their subtypes, and the least severity', async () => {
    const space = addressSpace(references, conditions, supertypes);
    assert.deepEqual(names(await readConditionNodes(space, SERVER, { eventTypes: ['ns=0;i=2955'] })), [
      'HighLevel',
    ]);
    assert.deepEqual(names(await readConditionNodes(space, SERVER, { eventTypes: ['ns=0;i=2915'] })), [
      'HighLevel',
      'Trip',
    ]);
    assert.deepEqual(names(await readConditionNodes(space, SERVER, { minSeverity: 800 })), ['Trip']);
  });

  test('a condition whose type cannot be read is unreadable when types are filtered', async () => {
    const space = addressSpace(references, { 'ns=1;s=High': row({ '.EventType': undefined }) }, supertypes);
    const read = await readConditionNodes(space, SERVER, { eventTypes: ['ns=0;i=2955'] });
    assert.deepEqual(names(read), []);
    assert.ok(read.unreadable.some((u) => u.nodeId === 'ns=1;s=High' && /EventType/.test(u.reason)));
  });

  test('a server without condition nodes yields an empty set', async () => {
    const read = await readConditionNodes(addressSpace({}), SERVER);
    assert.deepEqual(read, { conditions: [], unreadable: [], truncated: false });
  });
});

describe('the log line of a refused ConditionRefresh', () => {
  test('says what was refused, with which status, and what the gateway did instead', () => {
    const text = refusalDetail(
      'opc.tcp://plc:4840',
      'BadNothingToDo',
      {
        conditions: [],
        unreadable: [{ nodeId: 'ns=1;s=Broken', reason: 'its ActiveState/Id cannot be read' }],
        truncated: true,
      },
      undefined,
    );
    assert.match(text, /^opc\.tcp:\/\/plc:4840 refused ConditionRefresh \(BadNothingToDo\)/);
    assert.match(text, /read the state of 0 condition nodes instead/);
    assert.match(text, /1 could not be read \(ns=1;s=Broken: its ActiveState\/Id cannot be read\)/);
    assert.match(text, /stopped at its bound/);
    assert.match(text, /unconfirmed, and the next event of the server decides it/);
  });

  test('and when nothing could be read at all', () => {
    const text = refusalDetail('opc.tcp://plc:4840', 'BadMethodInvalid', undefined, 'BadServiceUnsupported');
    assert.match(text, /could not be read instead \(BadServiceUnsupported\).*unconfirmed/);
  });
});
