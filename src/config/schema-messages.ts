/**
 * Ajv errors as plain sentences, each tied to the path of the key it is
 * about. The sentences come from the failing schema itself (verbose mode),
 * so they state the whole rule ("an integer >= 0 and <= 65535") rather than
 * the one bound that was crossed.
 */
import type { ErrorObject } from 'ajv';
import type { Finding } from './issues.ts';
import { LONGEST_TIMER_MS } from './limits.ts';
import { isRecord, type PathSegment, pointerToPath } from './paths.ts';

type Schema = Record<string, unknown>;

export function schemaFindings(errors: readonly ErrorObject[], data: unknown): Finding[] {
  // A value of the wrong type also fails the enum or bounds of its key; the type message covers both.
  const wrongType = new Set(
    errors.filter((error) => error.keyword === 'type').map((error) => error.instancePath),
  );
  return errors
    .filter(
      (error) =>
        error.keyword === 'type' || !VALUE_KEYWORDS.has(error.keyword) || !wrongType.has(error.instancePath),
    )
    .map((error) => describe(error, pointerToPath(error.instancePath, data)));
}

const VALUE_KEYWORDS = new Set([
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'pattern',
  'minLength',
  'maxLength',
]);

function describe(error: ErrorObject, path: PathSegment[]): Finding {
  const schema: Schema = isRecord(error.parentSchema) ? error.parentSchema : {};
  const params = error.params as Record<string, unknown>;
  const at = (message: string, anchor: Finding['anchor'] = 'value', where = path): Finding => ({
    code: 'CONFIG_SCHEMA',
    path: where,
    anchor,
    message,
  });

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(isRecord(schema.properties) ? schema.properties : {});
      const patterns = Object.keys(isRecord(schema.patternProperties) ? schema.patternProperties : {});
      const rule =
        allowed.length > 0 ? `allowed: ${allowed.join(', ')}` : `keys must match ${patterns.join(' or ')}`;
      return at(`unknown key "${key}" (${rule})`, 'key', [...path, key]);
    }
    case 'required':
      return at(`missing required key "${String(params.missingProperty)}"`, 'container');
    case 'discriminator': {
      const tag = String(params.tag);
      if (isRecord(error.data) && error.data[tag] === undefined) {
        return at(`missing required key "${tag}"`, 'container');
      }
      return at(`must be one of ${tagValues(schema, tag).join(', ')}`, 'value', [...path, tag]);
    }
    case 'type':
      return at(typeMessage(schema, error.data));
    case 'maximum':
      if (schema.maximum === LONGEST_TIMER_MS) {
        return at(`must be ${expectation(schema)} (about 24.8 days, the longest a timer can wait)`);
      }
      return at(`must be ${expectation(schema)}`);
    case 'minimum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return at(`must be ${expectation(schema)}`);
    case 'enum':
      return at(`must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`);
    case 'const':
      return at(`must be ${JSON.stringify(params.allowedValue)}`);
    case 'pattern':
      return at(
        typeof schema.patternErrorMessage === 'string'
          ? schema.patternErrorMessage
          : `must match the pattern ${String(params.pattern)}`,
      );
    case 'minLength':
      return at(
        params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters long`,
      );
    case 'maxLength':
      return at(`must be at most ${params.limit} characters long`);
    case 'minItems':
      return at(
        params.limit === 1 ? 'must list at least one entry' : `must list at least ${params.limit} entries`,
      );
    case 'maxItems':
      return at(`must list at most ${params.limit} entries`);
    default:
      return at(error.message ?? 'is not valid');
  }
}

/** The values a discriminated union accepts for its tag key. */
function tagValues(schema: Schema, tag: string): string[] {
  const variants = Array.isArray(schema.oneOf) ? (schema.oneOf as unknown[]) : [];
  return variants.flatMap((variant) => {
    const properties = isRecord(variant) && isRecord(variant.properties) ? variant.properties : {};
    const property = properties[tag];
    return isRecord(property) && typeof property.const === 'string' ? [property.const] : [];
  });
}

function typeMessage(schema: Schema, data: unknown): string {
  const expected = expectation(schema);
  if (data === null) return `has no value (expected ${expected})`;
  if (typeof data === 'number' && !Number.isFinite(data)) return `must be ${expected}, not ${data}`;
  if (schema.type === 'string' && !Array.isArray(schema.enum) && typeof data !== 'object') {
    // YAML reads 0042, 1.10 or true as numbers and booleans; quotes keep them text.
    return `must be ${expected} (put the value in quotes)`;
  }
  return `must be ${expected}`;
}

/** What a schema accepts, as the end of "must be ...". */
function expectation(schema: Schema): string {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(String).join(', ')}`;
  if (Array.isArray(schema.type)) {
    const kinds = schema.type.map((type) => expectation({ ...schema, type }));
    return `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}`;
  }
  switch (schema.type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'integer':
      return `an integer${bounds(schema)}`;
    case 'number':
      return `a number${bounds(schema)}`;
    default:
      return 'a valid value';
  }
}

function bounds(schema: Schema): string {
  const parts: string[] = [];
  if (typeof schema.minimum === 'number') parts.push(`>= ${schema.minimum}`);
  if (typeof schema.exclusiveMinimum === 'number') parts.push(`> ${schema.exclusiveMinimum}`);
  if (typeof schema.maximum === 'number') parts.push(`<= ${schema.maximum}`);
  if (typeof schema.exclusiveMaximum === 'number') parts.push(`< ${schema.exclusiveMaximum}`);
  return parts.length === 0 ? '' : ` ${parts.join(' and ')}`;
}
