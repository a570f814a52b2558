import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CodecPoint,
  type DecodeResult,
  decodeBits,
  decodeRegisters,
  encodeValue,
  wordCount,
} from '../../../src/adapters/modbus/codec.ts';
import type { ByteOrder, DataType } from '../../../src/config/schema.ts';

const ORDERS: readonly ByteOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

function holding(type: DataType | undefined, extra: Partial<CodecPoint> = {}): CodecPoint {
  return { register: 'holding', type, ...extra };
}

function decoded(result: DecodeResult): number | boolean {
  assert.ok(result.ok, `expected a value, got: ${result.ok ? '' : result.reason}`);
  return result.value;
}

function reasonOf(result: DecodeResult): string {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return result.ok ? '' : result.reason;
}

interface Golden {
  type: DataType;
  value: number;
  words: Record<ByteOrder, number[]>;
}

/** Written out by hand from the IEEE 754 / two's complement bytes of each value. */
const GOLDEN: readonly Golden[] = [
  {
    type: 'float32',
    value: Math.fround(123.456), // 0x42F6E979
    words: {
      ABCD: [0x42f6, 0xe979],
      CDAB: [0xe979, 0x42f6],
      BADC: [0xf642, 0x79e9],
      DCBA: [0x79e9, 0xf642],
    },
  },
  {
    type: 'float32',
    value: -1.5, // 0xBFC00000
    words: { ABCD: [0xbfc0, 0x0000], CDAB: [0x0000, 0xbfc0], BADC: [0xc0bf, 0x0000], DCBA: [0x0000, 0xc0bf] },
  },
  {
    type: 'int32',
    value: -2, // 0xFFFFFFFE
    words: { ABCD: [0xffff, 0xfffe], CDAB: [0xfffe, 0xffff], BADC: [0xffff, 0xfeff], DCBA: [0xfeff, 0xffff] },
  },
  {
    type: 'int32',
    value: 0x12345678,
    words: { ABCD: [0x1234, 0x5678], CDAB: [0x5678, 0x1234], BADC: [0x3412, 0x7856], DCBA: [0x7856, 0x3412] },
  },
  {
    type: 'int32',
    value: -2147483648, // 0x80000000
    words: { ABCD: [0x8000, 0x0000], CDAB: [0x0000, 0x8000], BADC: [0x0080, 0x0000], DCBA: [0x0000, 0x0080] },
  },
  {
    type: 'uint32',
    value: 0xdeadbeef,
    words: { ABCD: [0xdead, 0xbeef], CDAB: [0xbeef, 0xdead], BADC: [0xadde, 0xefbe], DCBA: [0xefbe, 0xadde] },
  },
  {
    type: 'uint32',
    value: 70000, // 0x00011170
    words: { ABCD: [0x0001, 0x1170], CDAB: [0x1170, 0x0001], BADC: [0x0100, 0x7011], DCBA: [0x7011, 0x0100] },
  },
  {
    type: 'float64',
    value: Math.PI, // 0x400921FB54442D18
    words: {
      ABCD: [0x4009, 0x21fb, 0x5444, 0x2d18],
      CDAB: [0x2d18, 0x5444, 0x21fb, 0x4009],
      BADC: [0x0940, 0xfb21, 0x4454, 0x182d],
      DCBA: [0x182d, 0x4454, 0xfb21, 0x0940],
    },
  },
  {
    type: 'float64',
    value: -2.5, // 0xC004000000000000
    words: {
      ABCD: [0xc004, 0, 0, 0],
      CDAB: [0, 0, 0, 0xc004],
      BADC: [0x04c0, 0, 0, 0],
      DCBA: [0, 0, 0, 0x04c0],
    },
  },
  {
    type: 'float64',
    value: Math.E, // 0x4005BF0A8B145769
    words: {
      ABCD: [0x4005, 0xbf0a, 0x8b14, 0x5769],
      CDAB: [0x5769, 0x8b14, 0xbf0a, 0x4005],
      BADC: [0x0540, 0x0abf, 0x148b, 0x6957],
      DCBA: [0x6957, 0x148b, 0x0abf, 0x0540],
    },
  },
];

/** A single register has no order to choose: every order reads it as it is. */
const SINGLE_WORD: readonly { type: DataType; value: number; word: number }[] = [
  { type: 'int16', value: -1234, word: 0xfb2e },
  { type: 'int16', value: -1, word: 0xffff },
  { type: 'int16', value: -32768, word: 0x8000 },
  { type: 'int16', value: 32767, word: 0x7fff },
  { type: 'uint16', value: 65535, word: 0xffff },
  { type: 'uint16', value: 0xbeef, word: 0xbeef },
  { type: 'uint16', value: 0, word: 0 },
];

describe('wordCount', () => {
  test('registers per type', () => {
    const expected: Record<DataType, number> = {
      int16: 1,
      uint16: 1,
      bit: 1,
      bool: 1,
      int32: 2,
      uint32: 2,
      float32: 2,
      float64: 4,
    };
    for (const [type, words] of Object.entries(expected))
      assert.equal(wordCount(type as DataType), words, type);
  });
});

describe('golden vectors, every type in every order', () => {
  for (const golden of GOLDEN) {
    for (const order of ORDERS) {
      const point = holding(golden.type, { order });
      const words = golden.words[order];
      test(`${golden.type} ${golden.value} ${order} decodes`, () => {
        assert.equal(decoded(decodeRegisters(words, point)), golden.value);
      });
      test(`${golden.type} ${golden.value} ${order} encodes`, () => {
        assert.deepEqual(encodeValue(golden.value, point), words);
      });
    }
  }
  for (const { type, value, word } of SINGLE_WORD) {
    for (const order of ORDERS) {
      test(`${type} ${value} ${order} ignores the order`, () => {
        const point = holding(type, { order });
        assert.equal(decoded(decodeRegisters([word], point)), value);
        assert.deepEqual(encodeValue(value, point), [word]);
      });
    }
  }
  test('ABCD is the default order', () => {
    assert.equal(decoded(decodeRegisters([0xdead, 0xbeef], holding('uint32'))), 0xdeadbeef);
    assert.equal(decoded(decodeRegisters([0x42f6, 0xe979], holding('float32'))), Math.fround(123.456));
  });
  test('registers default to uint16', () => {
    assert.equal(decoded(decodeRegisters([0xffff], holding(undefined))), 65535);
    assert.equal(decoded(decodeRegisters([0x8000], { register: 'input' })), 32768);
  });
});

describe('bits of a word', () => {
  test('bit 0 is the least significant, bit 15 the most', () => {
    const word = 0x8001;
    assert.equal(decoded(decodeRegisters([word], holding('bit', { bit: 0 }))), true);
    assert.equal(decoded(decodeRegisters([word], holding('bit', { bit: 15 }))), true);
    assert.equal(decoded(decodeRegisters([word], holding('bit', { bit: 1 }))), false);
    assert.equal(decoded(decodeRegisters([word], holding('bit', { bit: 14 }))), false);
  });
  test('every bit of an alternating word', () => {
    for (let bit = 0; bit < 16; bit++) {
      assert.equal(decoded(decodeRegisters([0xaaaa], holding('bit', { bit }))), bit % 2 === 1, `bit ${bit}`);
    }
  });
  test('scale and offset never apply to a bit', () => {
    assert.equal(decoded(decodeRegisters([0x0008], holding('bit', { bit: 3, scale: 10, offset: 5 }))), true);
  });
  test('encoding sets only the point bit', () => {
    assert.deepEqual(encodeValue(true, holding('bit', { bit: 0 })), [0x0001]);
    assert.deepEqual(encodeValue(true, holding('bit', { bit: 15 })), [0x8000]);
    assert.deepEqual(encodeValue(false, holding('bit', { bit: 15 })), [0]);
    assert.deepEqual(encodeValue(1, holding('bit', { bit: 3 })), [0x0008]);
  });
});

describe('scale and offset', () => {
  test('value = raw * scale + offset', () => {
    const point = holding('uint16', { scale: 0.1, offset: -40 });
    assert.ok(Math.abs((decoded(decodeRegisters([1234], point)) as number) - 83.4) < 1e-9);
  });
  test('scale alone, on a signed type', () => {
    assert.equal(decoded(decodeRegisters([0xfb2e], holding('int16', { scale: 0.5 }))), -617);
  });
  test('offset alone, on a float', () => {
    assert.equal(decoded(decodeRegisters([0xbfc0, 0], holding('float32', { offset: 2 }))), 0.5);
  });
  test('encoding inverts them and rounds integer types', () => {
    assert.deepEqual(encodeValue(83.4, holding('uint16', { scale: 0.1, offset: -40 })), [1234]);
    assert.deepEqual(encodeValue(250.04, holding('int16', { scale: 0.1 })), [2500]);
    assert.deepEqual(encodeValue(-20.06, holding('int16', { scale: 0.1 })), [0xff37]); // -201
  });
  test('a zero scale encodes raw 0 instead of dividing by zero', () => {
    assert.deepEqual(encodeValue(5, holding('uint16', { scale: 0 })), [0]);
  });
});

describe('values a PLC should never send', () => {
  const cases: readonly [string, DataType, number[]][] = [
    ['float32 NaN', 'float32', [0x7fc0, 0x0000]],
    ['float32 +Infinity', 'float32', [0x7f80, 0x0000]],
    ['float32 -Infinity', 'float32', [0xff80, 0x0000]],
    ['float32 signalling NaN', 'float32', [0x7f80, 0x0001]],
    ['float64 NaN', 'float64', [0x7ff8, 0, 0, 0]],
    ['float64 +Infinity', 'float64', [0x7ff0, 0, 0, 0]],
    ['float64 -Infinity', 'float64', [0xfff0, 0, 0, 0]],
  ];
  for (const [name, type, words] of cases) {
    test(`${name} is bad quality, not a number`, () => {
      assert.match(reasonOf(decodeRegisters(words, holding(type))), /not a usable number/);
    });
  }
  test('a scale that overflows to Infinity is rejected', () => {
    const max = [0x7fef, 0xffff, 0xffff, 0xffff]; // largest finite float64
    assert.match(reasonOf(decodeRegisters(max, holding('float64', { scale: 10 }))), /Infinity/);
  });
  test('NaN hidden behind a word swap is still caught', () => {
    assert.equal(decodeRegisters([0x0000, 0x7fc0], holding('float32', { order: 'CDAB' })).ok, false);
  });
});

describe('malformed input', () => {
  test('the wrong number of words', () => {
    assert.match(reasonOf(decodeRegisters([0x42f6], holding('float32'))), /needs 2 register\(s\), got 1/);
    assert.match(reasonOf(decodeRegisters([1, 2], holding('uint16'))), /needs 1/);
    assert.match(reasonOf(decodeRegisters([], holding('int16'))), /got 0/);
    assert.match(reasonOf(decodeRegisters([1, 2, 3], holding('float64'))), /needs 4/);
  });
  test('values that are not 16-bit words', () => {
    for (const word of [-1, 0x10000, 1.5, Number.NaN]) {
      assert.match(reasonOf(decodeRegisters([word], holding('uint16'))), /not a 16-bit word/, String(word));
    }
  });
  test('bool belongs on coils and discrete inputs', () => {
    assert.match(reasonOf(decodeRegisters([1], holding('bool'))), /type bit/);
  });
});

describe('decodeBits', () => {
  test('a coil or discrete input is a bool by default', () => {
    assert.equal(decoded(decodeBits([true], { register: 'coil' })), true);
    assert.equal(decoded(decodeBits([false], { register: 'discrete' })), false);
    assert.equal(decoded(decodeBits([true], { register: 'discrete', type: 'bool' })), true);
  });
  test('exactly one bit', () => {
    assert.match(reasonOf(decodeBits([], { register: 'coil' })), /got 0/);
    assert.match(reasonOf(decodeBits([true, false], { register: 'coil' })), /got 2/);
  });
  test('a number type cannot live in a bit', () => {
    assert.equal(decodeBits([true], { register: 'coil', type: 'uint16' }).ok, false);
  });
  test('bool encodes as 0 or 1', () => {
    assert.deepEqual(encodeValue(true, { register: 'coil' }), [1]);
    assert.deepEqual(encodeValue(false, { register: 'discrete' }), [0]);
    assert.deepEqual(encodeValue(7, { register: 'coil' }), [1]);
    assert.deepEqual(encodeValue(0, { register: 'coil' }), [0]);
  });
});

describe('encoding clamps what a type cannot hold', () => {
  const cases: readonly [DataType, number, number[]][] = [
    ['int16', 40_000, [0x7fff]],
    ['int16', -40_000, [0x8000]],
    ['uint16', -5, [0]],
    ['uint16', 1e9, [0xffff]],
    ['int32', 1e12, [0x7fff, 0xffff]],
    ['int32', -1e12, [0x8000, 0x0000]],
    ['uint32', -1, [0, 0]],
    ['uint32', 1e12, [0xffff, 0xffff]],
    ['uint16', Number.NaN, [0]],
    ['int16', Number.POSITIVE_INFINITY, [0x7fff]],
    ['uint16', 2.5, [3]],
  ];
  for (const [type, value, words] of cases) {
    test(`${type} ${value}`, () => assert.deepEqual(encodeValue(value, holding(type)), words));
  }
  test('a boolean written to a number point is 0 or 1', () => {
    assert.deepEqual(encodeValue(true, holding('uint16')), [1]);
    assert.deepEqual(encodeValue(false, holding('float32')), [0, 0]);
  });
  test('floats keep NaN so the decoder can be tested with it', () => {
    assert.equal(decodeRegisters(encodeValue(Number.NaN, holding('float32')), holding('float32')).ok, false);
  });
});

describe('round trip encode -> decode', () => {
  /** Deterministic so a failure can be reproduced. */
  function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 0x1_0000_0000;
    };
  }
  const next = random(42);
  const RANGES: Partial<Record<DataType, [number, number]>> = {
    int16: [-32768, 32767],
    uint16: [0, 65535],
    int32: [-2147483648, 2147483647],
    uint32: [0, 4294967295],
  };
  const NUMERIC: readonly DataType[] = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'];

  for (const type of NUMERIC) {
    for (const order of ORDERS) {
      test(`${type} ${order}: 500 values, raw and scaled`, () => {
        for (let i = 0; i < 500; i++) {
          const range = RANGES[type];
          const raw = range
            ? Math.floor(range[0] + next() * (range[1] - range[0] + 1))
            : (next() - 0.5) * 10 ** Math.floor(next() * 12 - 4);
          const plain = holding(type, { order });
          const words = encodeValue(raw, plain);
          assert.equal(words.length, wordCount(type));
          assert.ok(words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffff));
          const expected = type === 'float32' ? Math.fround(raw) : raw;
          assert.equal(decoded(decodeRegisters(words, plain)), expected, `${type} ${order} ${raw}`);

          // With scale and offset the value comes back to within half a raw step.
          const scale = [0.1, 0.01, 2, -0.5][i % 4] ?? 1;
          const offset = [0, -40, 100.5, 3][i % 4] ?? 0;
          const scaled = holding(type, { order, scale, offset });
          const engineering = raw * scale + offset;
          const back = decoded(decodeRegisters(encodeValue(engineering, scaled), scaled)) as number;
          const tolerance = range ? Math.abs(scale) / 2 + 1e-6 : Math.abs(engineering) * 1e-6 + 1e-6;
          assert.ok(Math.abs(back - engineering) <= tolerance, `${type} ${order} ${engineering} -> ${back}`);
        }
      });
    }
  }
  test('every bit position survives a round trip', () => {
    for (let bit = 0; bit < 16; bit++) {
      for (const on of [true, false]) {
        const point = holding('bit', { bit });
        assert.equal(decoded(decodeRegisters(encodeValue(on, point), point)), on);
      }
    }
  });
});
