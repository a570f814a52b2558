import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type PlanLimits,
  type PlannedPoint,
  planLimits,
  plannedPoint,
  planReads,
  planWithoutCoalescing,
  type ReadRequest,
} from '../../../src/adapters/modbus/planner.ts';
import { isBitRegister } from '../../../src/config/data-types.ts';
import type { ModbusTcpDevice, RegisterType } from '../../../src/config/schema.ts';

const LIMITS: PlanLimits = { maxGap: 8, maxRegistersPerRead: 125, maxBitsPerRead: 2000 };

function at(id: string, address: number, words = 1, register: RegisterType = 'holding'): PlannedPoint {
  return { id, register, address, words };
}

/** The requests as compact `register start+count [ids]` lines, easy to compare and to read in a failure. */
function shape(requests: readonly ReadRequest[]): string[] {
  return requests.map(
    (request) =>
      `${request.register} ${request.start}+${request.count} [${request.points.map((p) => `${p.id}@${p.offset}`).join(' ')}]`,
  );
}

function run(count: number, first = 0, register: RegisterType = 'holding'): PlannedPoint[] {
  return Array.from({ length: count }, (_, i) => at(`p${i}`, first + i, 1, register));
}

describe('planReads', () => {
  test('no points, no requests', () => {
    assert.deepEqual(planReads([], LIMITS), []);
  });

  test('a single point', () => {
    assert.deepEqual(planReads([at('a', 7, 2)], LIMITS), [
      { register: 'holding', start: 7, count: 2, points: [{ id: 'a', offset: 0, words: 2 }] },
    ]);
  });

  test('contiguous points share one request', () => {
    assert.deepEqual(shape(planReads([at('a', 0, 2), at('b', 2), at('c', 3, 4)], LIMITS)), [
      'holding 0+7 [a@0 b@2 c@3]',
    ]);
  });

  test('a hole of exactly maxGap is spanned, one more is not', () => {
    assert.deepEqual(shape(planReads([at('a', 0), at('b', 9)], LIMITS)), ['holding 0+10 [a@0 b@9]']);
    assert.deepEqual(shape(planReads([at('a', 0), at('b', 10)], LIMITS)), [
      'holding 0+1 [a@0]',
      'holding 10+1 [b@0]',
    ]);
  });

  test('maxGap 0 merges only contiguous or overlapping points', () => {
    const limits = { ...LIMITS, maxGap: 0 };
    assert.deepEqual(shape(planReads([at('a', 0, 2), at('b', 2), at('c', 4)], limits)), [
      'holding 0+3 [a@0 b@2]',
      'holding 4+1 [c@0]',
    ]);
    assert.deepEqual(shape(planReads([at('f', 0, 2), at('low', 1)], limits)), ['holding 0+2 [f@0 low@1]']);
  });

  test('125 registers fit one request, the 126th starts another', () => {
    const fits = planReads(run(125), LIMITS);
    assert.deepEqual(
      fits.map((r) => [r.start, r.count]),
      [[0, 125]],
    );
    const over = planReads(run(126), LIMITS);
    assert.deepEqual(
      over.map((r) => [r.start, r.count]),
      [
        [0, 125],
        [125, 1],
      ],
    );
  });

  test('2000 bits fit one request, the 2001st starts another', () => {
    assert.deepEqual(
      planReads(run(2000, 0, 'coil'), LIMITS).map((r) => [r.start, r.count]),
      [[0, 2000]],
    );
    assert.deepEqual(
      planReads(run(2001, 0, 'discrete'), LIMITS).map((r) => [r.start, r.count]),
      [
        [0, 2000],
        [2000, 1],
      ],
    );
  });

  test('the bit limit does not apply to registers and the register limit not to bits', () => {
    assert.equal(planReads(run(300, 0, 'coil'), LIMITS).length, 1);
    assert.equal(planReads(run(300, 0, 'input'), LIMITS).length, 3);
  });

  test('a smaller per-device limit is honoured exactly', () => {
    const limits = { ...LIMITS, maxRegistersPerRead: 10 };
    assert.deepEqual(
      planReads(run(21), limits).map((r) => [r.start, r.count]),
      [
        [0, 10],
        [10, 10],
        [20, 1],
      ],
    );
  });

  test('the span counts the hole too', () => {
    const limits = { ...LIMITS, maxRegistersPerRead: 10 };
    // 0..9 is exactly 10 registers with the hole; 0..10 would be 11.
    assert.deepEqual(shape(planReads([at('a', 0), at('b', 9)], limits)), ['holding 0+10 [a@0 b@9]']);
    assert.deepEqual(shape(planReads([at('a', 0), at('b', 9, 2)], limits)), [
      'holding 0+1 [a@0]',
      'holding 9+2 [b@0]',
    ]);
  });

  test('a multi-word point is never split across requests', () => {
    const points = [...run(124), at('float', 124, 2)];
    assert.deepEqual(
      planReads(points, LIMITS).map((r) => [r.start, r.count, r.points.length]),
      [
        [0, 124, 124],
        [124, 2, 1],
      ],
    );
  });

  test('a point wider than the limit gets a request of its own', () => {
    const limits = { ...LIMITS, maxRegistersPerRead: 2 };
    assert.deepEqual(shape(planReads([at('a', 0), at('wide', 1, 4), at('b', 5)], limits)), [
      'holding 0+1 [a@0]',
      'holding 1+4 [wide@0]',
      'holding 5+1 [b@0]',
    ]);
  });

  test('the last address 65535', () => {
    assert.deepEqual(shape(planReads([at('last', 65535)], LIMITS)), ['holding 65535+1 [last@0]']);
    assert.deepEqual(shape(planReads([at('last', 65535), at('near', 65530, 2)], LIMITS)), [
      'holding 65530+6 [near@0 last@5]',
    ]);
    assert.deepEqual(shape(planReads([at('c', 65535, 1, 'coil')], LIMITS)), ['coil 65535+1 [c@0]']);
  });

  test('overlapping points share a read', () => {
    // A float and its low word, and a uint32 inside a float64.
    assert.deepEqual(shape(planReads([at('float', 10, 2), at('low', 11)], LIMITS)), [
      'holding 10+2 [float@0 low@1]',
    ]);
    assert.deepEqual(shape(planReads([at('inner', 21, 2), at('double', 20, 4)], LIMITS)), [
      'holding 20+4 [double@0 inner@1]',
    ]);
  });

  test('bits of one word share one register', () => {
    const bits = [at('b15', 10), at('b0', 10), at('b3', 10)];
    const [request, ...rest] = planReads(bits, LIMITS);
    assert.deepEqual(rest, []);
    assert.equal(request?.start, 10);
    assert.equal(request?.count, 1);
    assert.deepEqual(request?.points.map((p) => [p.id, p.offset]).sort(), [
      ['b0', 0],
      ['b15', 0],
      ['b3', 0],
    ]);
  });

  test('duplicate points both ride on the same read', () => {
    assert.deepEqual(shape(planReads([at('a', 4), at('b', 4)], LIMITS)), ['holding 4+1 [a@0 b@0]']);
  });

  test('register types are planned apart, in function code order', () => {
    const points = [
      at('h', 0, 1, 'holding'),
      at('i', 0, 1, 'input'),
      at('c', 0, 1, 'coil'),
      at('d', 1, 1, 'discrete'),
    ];
    assert.deepEqual(shape(planReads(points, LIMITS)), [
      'coil 0+1 [c@0]',
      'discrete 1+1 [d@0]',
      'holding 0+1 [h@0]',
      'input 0+1 [i@0]',
    ]);
  });

  test('input order does not matter', () => {
    const points = [at('c', 40), at('a', 0, 2), at('d', 200, 4), at('b', 5)];
    const expected = ['holding 0+6 [a@0 b@5]', 'holding 40+1 [c@0]', 'holding 200+4 [d@0]'];
    assert.deepEqual(shape(planReads(points, LIMITS)), expected);
    assert.deepEqual(shape(planReads([...points].reverse(), LIMITS)), expected);
  });

  test('the input array is left as it was', () => {
    const points = [at('b', 9), at('a', 1)];
    planReads(points, LIMITS);
    assert.deepEqual(
      points.map((p) => p.id),
      ['b', 'a'],
    );
  });

  test('limits outside the protocol are refused', () => {
    for (const limits of [
      { ...LIMITS, maxRegistersPerRead: 126 },
      { ...LIMITS, maxRegistersPerRead: 0 },
      { ...LIMITS, maxBitsPerRead: 2001 },
      { ...LIMITS, maxGap: -1 },
      { ...LIMITS, maxGap: 1.5 },
    ]) {
      assert.throws(() => planReads([at('a', 0)], limits), RangeError, JSON.stringify(limits));
    }
  });
});

describe('planWithoutCoalescing', () => {
  test('one request per point, even for neighbours and bits of one word', () => {
    assert.deepEqual(
      shape(planWithoutCoalescing([at('a', 0, 2), at('b', 2), at('b1', 2), at('c', 0, 1, 'coil')])),
      ['holding 0+2 [a@0]', 'holding 2+1 [b@0]', 'holding 2+1 [b1@0]', 'coil 0+1 [c@0]'],
    );
  });
});

describe('from the site file', () => {
  const device: ModbusTcpDevice = {
    id: 'plc',
    protocol: 'modbus-tcp',
    host: '127.0.0.1',
    area: 'a',
    line: 'l',
    asset: 'x',
    points: [
      { id: 'temp', register: 'holding', address: 0, type: 'float64' },
      { id: 'level', register: 'input', address: 3 },
      { id: 'trip', register: 'coil', address: 5 },
      { id: 'flag', register: 'holding', address: 9, type: 'bit', bit: 4 },
    ],
  };
  test('points take their width from the data type and its default', () => {
    assert.deepEqual(device.points.map(plannedPoint), [
      { id: 'temp', register: 'holding', address: 0, words: 4 },
      { id: 'level', register: 'input', address: 3, words: 1 },
      { id: 'trip', register: 'coil', address: 5, words: 1 },
      { id: 'flag', register: 'holding', address: 9, words: 1 },
    ]);
  });
  test('limits default as documented', () => {
    assert.deepEqual(planLimits(device), { maxGap: 8, maxRegistersPerRead: 125, maxBitsPerRead: 2000 });
    assert.deepEqual(
      planLimits({ ...device, max_gap: 0, max_registers_per_read: 60, max_bits_per_read: 100 }),
      {
        maxGap: 0,
        maxRegistersPerRead: 60,
        maxBitsPerRead: 100,
      },
    );
  });
});

describe('randomized properties', () => {
  function random(seed: number): (below: number) => number {
    let state = seed >>> 0;
    return (below) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return Math.floor((state / 0x1_0000_0000) * below);
    };
  }
  const REGISTERS: readonly RegisterType[] = ['holding', 'input', 'coil', 'discrete'];
  const WIDTHS = [1, 1, 1, 2, 2, 4];

  function limitOf(register: RegisterType, limits: PlanLimits): number {
    return isBitRegister(register) ? limits.maxBitsPerRead : limits.maxRegistersPerRead;
  }

  function randomCase(next: (below: number) => number, overlapping: boolean) {
    const limits: PlanLimits = {
      maxGap: [0, 1, 3, 8, 20][next(5)] ?? 0,
      maxRegistersPerRead: [4, 7, 16, 125][next(4)] ?? 125,
      maxBitsPerRead: [4, 9, 50, 2000][next(4)] ?? 2000,
    };
    const points: PlannedPoint[] = [];
    const used = new Map<RegisterType, Set<number>>(REGISTERS.map((r) => [r, new Set()]));
    const wanted = next(40);
    for (let i = 0; points.length < wanted && i < wanted * 5; i++) {
      const register = REGISTERS[next(REGISTERS.length)] ?? 'holding';
      const words = isBitRegister(register) ? 1 : (WIDTHS[next(WIDTHS.length)] ?? 1);
      const address = next(300);
      const taken = used.get(register) ?? new Set();
      const span = Array.from({ length: words }, (_, k) => address + k);
      if (!overlapping && span.some((a) => taken.has(a))) continue;
      for (const a of span) taken.add(a);
      points.push({ id: `p${points.length}`, register, address, words });
    }
    return { limits, points };
  }

  /** Fewest requests any split of the address-sorted points into valid runs can achieve. */
  function optimalCount(points: readonly PlannedPoint[], limits: PlanLimits): number {
    let total = 0;
    for (const register of REGISTERS) {
      const sorted = points
        .filter((p) => p.register === register)
        .sort((a, b) => a.address - b.address || b.words - a.words);
      const limit = limitOf(register, limits);
      const best = new Array<number>(sorted.length + 1).fill(Number.POSITIVE_INFINITY);
      best[0] = 0;
      for (let from = 0; from < sorted.length; from++) {
        let start = sorted[from]?.address ?? 0;
        let end = start;
        for (let to = from; to < sorted.length; to++) {
          const p = sorted[to] as PlannedPoint;
          if (to > from && p.address - end > limits.maxGap) break;
          end = Math.max(end, p.address + p.words);
          start = Math.min(start, p.address);
          if (end - start > limit && to > from) break;
          best[to + 1] = Math.min(best[to + 1] ?? Number.POSITIVE_INFINITY, (best[from] ?? 0) + 1);
        }
      }
      total += best[sorted.length] ?? 0;
    }
    return total;
  }

  function checkInvariants(points: readonly PlannedPoint[], limits: PlanLimits, strictOverlap: boolean) {
    const requests = planReads(points, limits);
    const context = JSON.stringify({ limits, points });

    // Every point is read exactly once, by a request holding its whole span at the right offset.
    const seen = new Map<string, number>();
    for (const request of requests) {
      for (const member of request.points) {
        seen.set(member.id, (seen.get(member.id) ?? 0) + 1);
        const point = points.find((p) => p.id === member.id) as PlannedPoint;
        assert.equal(request.register, point.register, context);
        assert.equal(member.offset, point.address - request.start, context);
        assert.equal(member.words, point.words, context);
        assert.ok(member.offset >= 0 && member.offset + member.words <= request.count, context);
      }
    }
    assert.equal(seen.size, points.length, context);
    assert.ok(
      [...seen.values()].every((n) => n === 1),
      context,
    );

    for (const register of REGISTERS) {
      const mine = requests.filter((r) => r.register === register);
      const limit = limitOf(register, limits);
      for (const [k, request] of mine.entries()) {
        // Tight: the request starts at its first point and ends with its last.
        const first = Math.min(...request.points.map((p) => p.offset));
        const last = Math.max(...request.points.map((p) => p.offset + p.words));
        assert.equal(first, 0, context);
        assert.equal(last, request.count, context);
        // Within the limit, unless it is one point too wide to read any other way.
        assert.ok(request.count <= limit || request.points.length === 1, context);

        const previous = mine[k - 1];
        if (previous === undefined) continue;
        const previousEnd = previous.start + previous.count;
        assert.ok(previous.start < request.start, `sorted: ${context}`);
        if (strictOverlap) assert.ok(previousEnd <= request.start, `no overlap: ${context}`);
        // The sweep only closed the previous request because the next point could not join it.
        const hole = request.start - previousEnd;
        const firstEnd =
          request.start + Math.max(...request.points.filter((p) => p.offset === 0).map((p) => p.words));
        const mergedSpan = Math.max(previousEnd, firstEnd) - previous.start;
        assert.ok(hole > limits.maxGap || mergedSpan > limit, `could have merged: ${context}`);
      }
    }
    assert.equal(requests.length, optimalCount(points, limits), `minimal: ${context}`);
  }

  test('2000 layouts without overlapping points', () => {
    const next = random(7);
    for (let i = 0; i < 2000; i++) {
      const { limits, points } = randomCase(next, false);
      checkInvariants(points, limits, true);
    }
  });

  test('2000 layouts with overlapping points', () => {
    const next = random(11);
    for (let i = 0; i < 2000; i++) {
      const { limits, points } = randomCase(next, true);
      checkInvariants(points, limits, false);
    }
  });
});
