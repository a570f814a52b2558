/** Consistency of one Modbus point: data type against register type, bit index, byte order, address range. */
import { type CheckContext, checkUniqueIds, cleanKeys, entries } from './check-context.ts';
import { effectiveDataType, isBitRegister, WORDS } from './data-types.ts';
import { DEFAULTS } from './defaults.ts';
import type { Path } from './paths.ts';
import { checkRule, RULE_KINDS } from './rule-checks.ts';
import type { DataType, RegisterType } from './schema.ts';

export function checkPoint(
  context: CheckContext,
  device: Record<string, unknown>,
  devicePath: Path,
  point: Record<string, unknown>,
  path: Path,
): void {
  const rules = entries(point.alarms, [...path, 'alarms']).filter(({ item }) => RULE_KINDS.has(item.kind));
  checkUniqueIds(context, rules, 'alarm rule');

  // Everything else depends on what the point holds.
  if (point.register === undefined || !cleanKeys(context, path, 'register', 'type')) return;
  const register = point.register as RegisterType;
  const declared = point.type as DataType | undefined;
  const type = effectiveDataType(register, declared);

  // Once the type does not fit the register, what follows from the type would only repeat that.
  if (!checkRegisterFits(context, path, register, declared)) return;
  checkBitIndex(context, path, point, type);
  checkByteOrder(context, path, point, type);
  checkAddressRange(context, device, devicePath, point, path, type);
  for (const rule of rules) checkRule(context, type, rule.item, rule.path);
}

/** Coils and discrete inputs hold single bits; 16-bit registers hold words. */
function checkRegisterFits(
  context: CheckContext,
  path: Path,
  register: RegisterType,
  declared: DataType | undefined,
): boolean {
  if (declared === undefined) return true;
  if (isBitRegister(register) && declared !== 'bool') {
    const holder = register === 'coil' ? 'a coil' : 'a discrete input';
    context.report('CONFIG_SCHEMA', [...path, 'type'], 'value', `must be bool: ${holder} holds a single bit`);
    return false;
  }
  if (!isBitRegister(register) && declared === 'bool') {
    const message =
      `bool is only for coil and discrete registers; for one bit of ${article(register)} ${register} ` +
      'register use type bit with a "bit" index';
    context.report('CONFIG_SCHEMA', [...path, 'type'], 'value', message);
    return false;
  }
  return true;
}

function checkBitIndex(
  context: CheckContext,
  path: Path,
  point: Record<string, unknown>,
  type: DataType,
): void {
  if (type === 'bit' && point.bit === undefined) {
    const message =
      'missing required key "bit" (type bit reads one bit of the word: 0 = least significant, 15 = most)';
    context.report('CONFIG_SCHEMA', path, 'container', message);
  } else if (type !== 'bit' && point.bit !== undefined) {
    const message = `key "bit" is only allowed with type bit (this point is ${type})`;
    context.report('CONFIG_SCHEMA', [...path, 'bit'], 'key', message);
  }
}

/**
 * The four-letter orders arrange the bytes of two registers. A single
 * register or bit has no word order to choose, so an order there is rejected:
 * it most often means the type is wrong (int16 where int32 was meant).
 */
function checkByteOrder(
  context: CheckContext,
  path: Path,
  point: Record<string, unknown>,
  type: DataType,
): void {
  if (point.order === undefined || WORDS[type] > 1) return;
  const message = `order only applies to types of 2 or 4 registers (int32, uint32, float32, float64); this point is ${type}`;
  context.report('CONFIG_SCHEMA', [...path, 'order'], 'key', message);
}

function checkAddressRange(
  context: CheckContext,
  device: Record<string, unknown>,
  devicePath: Path,
  point: Record<string, unknown>,
  path: Path,
  type: DataType,
): void {
  if (typeof point.address !== 'number' || !cleanKeys(context, path, 'address')) return;
  if (!cleanKeys(context, devicePath, 'highest_address')) return;
  const declaredHighest = typeof device.highest_address === 'number' ? device.highest_address : undefined;
  const highest = declaredHighest ?? DEFAULTS.highestAddress;
  const first = point.address;
  const last = first + WORDS[type] - 1;
  if (last <= highest) return;
  const limit =
    declaredHighest === undefined
      ? `the last Modbus address ${highest}`
      : `the device's highest_address ${highest}`;
  const message =
    WORDS[type] === 1
      ? `address ${first} is past ${limit}`
      : `${type} at ${first} spans ${first}..${last}, past ${limit}`;
  context.report('CONFIG_SCHEMA', [...path, 'address'], 'value', message);
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
