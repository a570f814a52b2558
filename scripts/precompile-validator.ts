/**
 * Writes the site file's validator as code (Ajv standalone) beside
 * src/config/validator.ts, and into dist/ when it exists, so a start does not
 * compile the schema. The file names the schema it was made from; a stale one
 * is ignored and the schema compiled at start, so forgetting to run this only
 * costs time.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import { siteJsonSchema } from '../src/config/json-schema.ts';
import { PRECOMPILED_VALIDATOR, schemaHash, siteAjv } from '../src/config/validator.ts';

const { default: standaloneCode } = createRequire(import.meta.url)('ajv/dist/standalone') as {
  default: (ajv: Ajv, validate: ValidateFunction) => string;
};
const schema = siteJsonSchema();
const ajv = siteAjv({ source: true });
const code = `${standaloneCode(ajv, ajv.compile(schema))}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(schema))};\n`;
for (const dir of ['src/config', 'dist/config']) {
  const target = new URL(`../${dir}/${PRECOMPILED_VALIDATOR}`, import.meta.url);
  if (dir === 'dist/config' && !existsSync(new URL('../dist/config/', import.meta.url))) continue;
  writeFileSync(target, code);
  process.stdout.write(`wrote ${dir}/${PRECOMPILED_VALIDATOR}\n`);
}
