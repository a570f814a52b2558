/** Ajv compiled once from the same JSON Schema that devices/schema.json holds. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { siteJsonSchema } from './json-schema.ts';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({
    allErrors: true,
    // The messages are built from the failing schema, which verbose mode hands over.
    verbose: true,
    discriminator: true,
    strict: true,
    // Draft-07 type lists (a topic config value is a string, number or boolean) read better than anyOf.
    allowUnionTypes: true,
  });
  // Read by editors, and by the messages in place of the bare pattern.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  compiled = ajv.compile(siteJsonSchema());
  return compiled;
}

/** Every schema error of the data; empty when it is valid. */
export function schemaErrors(data: unknown): ErrorObject[] {
  const validate = validator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
