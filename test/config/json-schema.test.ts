import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { renderSiteJsonSchema, SITE_SCHEMA_ID, siteJsonSchema } from '../../src/config/json-schema.ts';

describe('devices/schema.json', () => {
  test('is generated from the current schema (npm run schema)', () => {
    assert.equal(readFileSync('devices/schema.json', 'utf8'), renderSiteJsonSchema());
  });

  test('names its draft, id and title', () => {
    const schema = siteJsonSchema();
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(schema.$id, SITE_SCHEMA_ID);
    assert.equal(schema.title, 'Edge alarm gateway site file');
    assert.equal(typeof schema.description, 'string');
  });

  test('accepts the example plant in any draft-07 validator that knows discriminators', () => {
    const ajv = new Ajv({ discriminator: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync('devices/schema.json', 'utf8')));
    const valid = validate(parse(readFileSync('devices/plant.yaml', 'utf8')));
    assert.deepEqual(validate.errors ?? [], []);
    assert.ok(valid);
  });

  test('turns literal unions into enums and tagged unions into oneOf + discriminator', () => {
    const text = renderSiteJsonSchema();
    assert.doesNotMatch(text, /"anyOf"/);
    assert.match(text, /"discriminator": \{\s+"propertyName": "protocol"/);
    assert.match(text, /"discriminator": \{\s+"propertyName": "kind"/);
    assert.match(text, /"enum": \[\s+"holding",\s+"input",\s+"coil",\s+"discrete"\s+\]/);
  });

  test('--check passes while the file is current', () => {
    const output = execFileSync(process.execPath, ['scripts/generate-schema.ts', '--check'], {
      encoding: 'utf8',
    });
    assert.equal(output, 'devices/schema.json is up to date\n');
  });
});
