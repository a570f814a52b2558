/** Facts about point data types that both validation and decoding rely on. */
import { DEFAULTS } from './defaults.ts';
import type { DataType, RegisterType } from './schema.ts';

/** 16-bit registers a value occupies; coils and discrete inputs hold one bit each, counted as 1. */
export const WORDS: Readonly<Record<DataType, number>> = {
  int16: 1,
  uint16: 1,
  bit: 1,
  bool: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  float64: 4,
};

/** Coils and discrete inputs carry single bits; holding and input registers carry 16-bit words. */
export function isBitRegister(register: RegisterType): boolean {
  return register === 'coil' || register === 'discrete';
}

/** The type a point has when the site file leaves `type` out. */
export function effectiveDataType(register: RegisterType, type: DataType | undefined): DataType {
  return type ?? (isBitRegister(register) ? DEFAULTS.dataType.bit : DEFAULTS.dataType.register);
}

/** Types whose value is true or false; alarm on them with discrete rules. */
export function isBooleanType(type: DataType): boolean {
  return type === 'bool' || type === 'bit';
}
