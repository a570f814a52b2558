/**
 * Ajv validation of the site file against the same JSON Schema that
 * devices/schema.json holds. Compiling that schema takes a good part of a
 * start, so the build (and `npm run schema`) writes the compiled validator as
 * code beside this file; it is used when it was compiled from this very
 * schema, and the schema is compiled here otherwise.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { siteJsonSchema } from './json-schema.ts';

const require = createRequire(import.meta.url);

/** The compiled validator, written by scripts/precompile-validator.ts; not in the repository. */
export const PRECOMPILED_VALIDATOR = 'site-validator.generated.cjs';

let compiled: ValidateFunction | undefined;

/** The one Ajv configuration of the site file, for compiling here and ahead of time. */
export function siteAjv(code?: { source: true }): Ajv {
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  const ajv = new AjvClass({
    allErrors: true,
    // The messages are built from the failing schema, which verbose mode hands over.
    verbose: true,
    discriminator: true,
    strict: true,
    // Draft-07 type lists (a topic config value is a string, number or boolean) read better than anyOf.
    allowUnionTypes: true,
    ...(code ? { code } : {}),
  });
  // Read by editors, and by the messages in place of the bare pattern.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  return ajv;
}

/** Names the schema a compiled validator was made from. */
export function schemaHash(schema: object): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

function precompiled(schema: object): ValidateFunction | undefined {
  try {
    const validate = require(`./${PRECOMPILED_VALIDATOR}`) as ValidateFunction & { schemaHash?: string };
    return validate.schemaHash === schemaHash(schema) ? validate : undefined;
  } catch {
    return undefined;
  }
}

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const schema = siteJsonSchema();
  compiled = precompiled(schema) ?? siteAjv().compile(schema);
  return compiled;
}

/** Every schema error of the data; empty when it is valid. */
export function schemaErrors(data: unknown): ErrorObject[] {
  const validate = validator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
