#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint and format check, type check, the
# generated JSON Schema up to date, the build, the coverage reports of the alarm
# engine and the buffer, then every test (unit, integration against a real Kafka broker and
# simulated PLCs, fault tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

echo "== lint and format" >&2
npx biome ci .
echo "== type check" >&2
npx tsc -p tsconfig.json
echo "== device map JSON Schema up to date" >&2
node scripts/generate-schema.ts --check
echo "== docs/errors.md up to date with the error catalogue" >&2
node scripts/generate-errors-doc.ts --check
echo "== build" >&2
npm run --silent build
echo "== alarm engine unit tests, with line and branch coverage of src/alarms" >&2
npm run --silent coverage:alarms
echo "== buffer unit tests, with line and branch coverage of src/buffer" >&2
npm run --silent coverage:buffer
echo "== tests" >&2
npm test --silent
