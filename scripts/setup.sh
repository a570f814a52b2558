#!/usr/bin/env bash
# Installs what the project needs on a fresh machine and is a no-op when all of
# it is there: Node.js 24 (scripts/env.sh), the npm dependencies, and the Kafka
# jars for the local development broker (from Maven Central, cached outside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies" >&2
  npm ci --no-audit --no-fund >&2
fi

if command -v java >/dev/null && command -v mvn >/dev/null; then
  node scripts/kafka-broker.ts fetch >&2
else
  echo "setup: java or mvn not found: no local Kafka broker; set KAFKA_BROKERS to use one" >&2
fi
