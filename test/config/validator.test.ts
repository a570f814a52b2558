/**
 * The validator compiled ahead of time (Ajv standalone code) must answer
 * exactly as the schema compiled at start, and a stale one must not be used.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { Ajv, ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { siteJsonSchema } from '../../src/config/json-schema.ts';
import { schemaHash, siteAjv } from '../../src/config/validator.ts';

const require = createRequire(import.meta.url);
const { default: standaloneCode } = require('ajv/dist/standalone') as {
  default: (ajv: Ajv, validate: ValidateFunction) => string;
};

function standaloneValidator(): ValidateFunction {
  const ajv = siteAjv({ source: true });
  const code = standaloneCode(ajv, ajv.compile(siteJsonSchema()));
  const module = { exports: {} as ValidateFunction };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  return module.exports;
}

test('the validator compiled ahead of time gives the same errors as the schema compiled at start', () => {
  const ahead = standaloneValidator();
  const atStart = siteAjv().compile(siteJsonSchema());
  const site = parse(readFileSync(new URL('../../devices/plant.yaml', import.meta.url), 'utf8'));
  const broken = [
    site,
    { ...site, devices: [{ ...site.devices[0], points: [{ ...site.devices[0].points[0], address: 'x' }] }] },
    { ...site, gateway: { ...site.gateway, unknown_key: 1 } },
    { ...site, devices: [{ ...site.devices[0], protocol: 'profinet' }] },
    { site: 42 },
  ];
  for (const data of broken) {
    assert.equal(ahead(data), atStart(data));
    assert.deepEqual(ahead.errors ?? null, atStart.errors ?? null);
  }
});

test('a compiled validator names the schema it was made from, so a stale one is told apart', () => {
  const schema = siteJsonSchema();
  assert.equal(schemaHash(schema), schemaHash(siteJsonSchema()));
  assert.notEqual(schemaHash(schema), schemaHash({ ...schema, title: 'changed' }));
});
