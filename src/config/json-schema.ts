/**
 * The site file schema as plain JSON Schema (draft-07): what devices/schema.json
 * holds for editors and what the validator compiles, so both judge a file alike.
 *
 * Two rewrites of the TypeBox output make errors precise without changing
 * what is valid: a union of string literals becomes an `enum` (one "must be
 * one of" instead of one error per literal), and a union marked with a
 * discriminator becomes `oneOf` + `discriminator` so only the variant named
 * by the tag key is checked.
 */
import { SiteFile } from './schema.ts';

export type JsonSchema = { [key: string]: unknown };

export const SITE_SCHEMA_ID = 'urn:edge-alarm-gateway:site-file';
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

export function siteJsonSchema(): JsonSchema {
  const { title, description, ...rest } = rewrite(JSON.parse(JSON.stringify(SiteFile))) as JsonSchema;
  return {
    $schema: DRAFT_07,
    $id: SITE_SCHEMA_ID,
    title,
    description:
      description ??
      'Devices, points and alarm rules of one site. Validate with `gateway validate <file>`; docs/device-map.md explains every key.',
    ...rest,
  };
}

/** The text of devices/schema.json. */
export function renderSiteJsonSchema(): string {
  return `${JSON.stringify(siteJsonSchema(), null, 2)}\n`;
}

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (typeof node !== 'object' || node === null) return node;
  const schema = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === 'properties' ? rewriteEach(value) : rewrite(value),
    ]),
  );
  return readable(asTaggedUnion(schema) ?? asEnum(schema) ?? schema);
}

/** A `properties` map: its values are schemas, its own keys are names and keep their order. */
function rewriteEach(properties: unknown): unknown {
  if (typeof properties !== 'object' || properties === null) return properties;
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, rewrite(schema)]));
}

/** Explanations before structure, so the file reads well. */
const KEY_ORDER = ['title', 'description', 'type', 'const', 'enum', 'default', 'discriminator', 'required'];

function readable(schema: JsonSchema): JsonSchema {
  const rank = (key: string) => {
    const index = KEY_ORDER.indexOf(key);
    return index === -1 ? KEY_ORDER.length : index;
  };
  return Object.fromEntries(Object.entries(schema).sort(([a], [b]) => rank(a) - rank(b)));
}

function asEnum(schema: JsonSchema): JsonSchema | undefined {
  const { anyOf, ...rest } = schema;
  if (!Array.isArray(anyOf) || anyOf.length === 0) return undefined;
  const literals = anyOf as JsonSchema[];
  if (!literals.every((branch) => typeof branch.const === 'string' && Object.keys(branch).length <= 2)) {
    return undefined;
  }
  return { ...rest, type: 'string', enum: literals.map((branch) => branch.const) };
}

function asTaggedUnion(schema: JsonSchema): JsonSchema | undefined {
  const { discriminator, anyOf, ...rest } = schema;
  if (discriminator === undefined) return undefined;
  // A union of one member is the member itself in TypeBox; give it back its union shape.
  if (!Array.isArray(anyOf)) return { type: 'object', discriminator, oneOf: [readable(rest)] };
  return { ...rest, type: 'object', discriminator, oneOf: anyOf };
}
